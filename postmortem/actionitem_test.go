package postmortem

import (
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/templates"
)

func TestParseActionItems(t *testing.T) {
	doc := strings.Join([]string{
		"# Postmortem", // 1
		"- [ ] not an action item: wrong section",           // 2
		"## Action items",                                   // 3
		"<!-- - [ ] in a comment -->",                       // 4
		"- [ ] TBD",                                         // 5
		"- [ ] Add an alert (@dana, due 2026-10-28) (#123)", // 6
		"- [x] Fix the runbook (@ravi-c)",                   // 7
		"* [ ] Load-test the proxy",                         // 8
		"- [ ] Page @ops-team about (the) pool",             // 9
		"```",                                               // 10
		"- [ ] in code",                                     // 11
		"```",                                               // 12
		"### Sub-heading still in the section",              // 13
		"- [ ] Due without owner (due 2026-11-01)",          // 14
		"## Lessons learned",                                // 15
		"- [ ] not an action item either",                   // 16
	}, "\n")
	items := ParseActionItems(doc)
	want := []ActionItem{
		{Line: 6, Text: "Add an alert", Owner: "dana", Due: time.Date(2026, 10, 28, 0, 0, 0, 0, time.UTC), Issue: 123},
		{Line: 7, Text: "Fix the runbook", Owner: "ravi-c", Done: true},
		{Line: 8, Text: "Load-test the proxy"},
		{Line: 9, Text: "Page @ops-team about (the) pool", Owner: "ops-team"},
		{Line: 14, Text: "Due without owner", Due: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
	}
	if len(items) != len(want) {
		t.Fatalf("items = %+v", items)
	}
	for i, w := range want {
		got := items[i]
		w.Key = textKey(w.Text)
		if got != w {
			t.Errorf("item %d = %+v, want %+v", i, got, w)
		}
	}
}

func TestActionItemMarkdownRoundTrips(t *testing.T) {
	it := ActionItem{Text: "Alert on pool *saturation*", Owner: "dana", Due: time.Date(2026, 10, 28, 0, 0, 0, 0, time.UTC), Issue: 7}
	line := it.Markdown()
	if line != `- [ ] Alert on pool \*saturation\* (@dana, due 2026-10-28) (#7)` {
		t.Errorf("Markdown = %q", line)
	}
	back := ParseActionItems("## Action items\n" + line)
	if len(back) != 1 || back[0].Owner != "dana" || back[0].Issue != 7 || !back[0].Due.Equal(it.Due) {
		t.Errorf("parsed back: %+v", back)
	}
}

func TestActionItemsFromNotes(t *testing.T) {
	notes := []Note{
		{ID: "N1", Content: "Action item: add a saturation alert", User: Person{ID: "PA"}},
		{ID: "N2", Content: "todo:   document   the failover", User: Person{ID: "PB"}},
		{ID: "N3", Content: "Rolled back; action item: not at the start"},
		{ID: "N4", Content: "Action item:"},
	}
	login := func(p Person) string { return map[string]string{"PA": "ana"}[p.ID] }
	items := ActionItemsFromNotes(notes, DefaultActionItemPrefixes, login)
	if len(items) != 2 || items[0].Text != "add a saturation alert" || items[0].Owner != "ana" || items[0].Key != "note:N1" ||
		items[1].Text != "document the failover" || items[1].Owner != "" {
		t.Errorf("items = %+v", items)
	}
}

func TestAgendaFitsFifteenToThirtyMinutes(t *testing.T) {
	fresh := SampleIncident()
	r, err := NewRenderer(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	d, err := (&Composer{Renderer: r}).Compose(fresh, Decision{Required: true})
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string]string{
		"fresh draft": d.Content,
		"filled in":   "## Summary\nDone.\n## Action items\n- [ ] Alert (@ana)\n",
		"empty":       "",
	} {
		total := 0
		for _, a := range Agenda(doc) {
			total += a.Minutes
		}
		if total < 15 || total > 30 {
			t.Errorf("%s: %d minutes", name, total)
		}
	}
	agenda := AgendaMarkdown(Agenda("## Action items\n- [ ] Alert\n- [ ] Runbook (@ana)\n"))
	if !strings.Contains(agenda, "Action items without an owner") || !strings.Contains(agenda, "   - Alert") || strings.Contains(agenda, "   - Runbook") {
		t.Errorf("agenda:\n%s", agenda)
	}
}
