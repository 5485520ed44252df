package postmortem_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
)

func TestDraftSaysWhatTheCapsLeftOut(t *testing.T) {
	inc := postmortem.SampleIncident()
	for i := range 60 {
		inc.Notes = append(inc.Notes, postmortem.Note{ID: "T" + strconv.Itoa(i), At: inc.CreatedAt.Add(time.Duration(i) * time.Second),
			User: inc.Assignees[0], Content: "TODO: follow-up number " + strconv.Itoa(i)})
	}
	inc.LogEntriesCapped = true
	c := composer(t)
	d, err := c.Compose(inc, postmortem.Decision{Required: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.ActionItems) != postmortem.DefaultMaxActionItems {
		t.Errorf("%d action items, want the default cap of %d", len(d.ActionItems), postmortem.DefaultMaxActionItems)
	}
	for where, text := range map[string]string{"file": d.Content, "description": d.Body} {
		for _, want := range []string{"Left out of this draft", "10 more action items", "first 5)", "[PagerDuty](" + inc.URL + ")"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", where, want)
			}
		}
	}
	c.MaxActionItems = 5
	inc.LogEntriesCapped = false
	d, err = c.Compose(inc, postmortem.Decision{Required: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.ActionItems) != 5 || !strings.Contains(d.Content, "55 more action items") || strings.Contains(d.Content, "log entries") {
		t.Errorf("cap 5: %d items; notice: %q", len(d.ActionItems), d.Content[strings.LastIndex(d.Content, "Left out"):])
	}
	// Nothing left out, nothing said.
	d, err = c.Compose(postmortem.SampleIncident(), postmortem.Decision{Required: true})
	if err != nil || strings.Contains(d.Content, "Left out") || strings.Contains(d.Body, "Left out") {
		t.Errorf("an uncapped draft mentions what was left out (%v)", err)
	}
}
