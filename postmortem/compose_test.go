package postmortem_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
)

func TestOwnerRules(t *testing.T) {
	// In the sample, Alice acknowledged first and resolved; Bob was escalated to and wrote a note; Alice is
	// the incident's assignee.
	inc := postmortem.SampleIncident()
	inc.LogEntries = append(inc.LogEntries, postmortem.LogEntry{ID: "L0", Type: "acknowledge", At: inc.CreatedAt.Add(time.Minute),
		Agent: postmortem.Person{ID: "PBOB001", Kind: "user", Name: "Bob Example", Email: "bob@example.com"}})
	inc.Assignees = []postmortem.Person{{ID: "PBOB001", Kind: "user", Name: "Bob Example"}}
	tests := []struct {
		rule, want string
	}{
		{"", "alice"},
		{postmortem.OwnerResolver, "alice"},
		{postmortem.OwnerFirstAcknowledger, "bob-gh"},
		{postmortem.OwnerAssignee, "bob-gh"},
		{postmortem.OwnerDefault, "sre-lead"},
	}
	for _, tt := range tests {
		t.Run("rule "+tt.rule, func(t *testing.T) {
			c := composer(t)
			c.People["PBOB001"] = "bob-gh"
			c.OwnerRule = tt.rule
			d, err := c.Compose(inc, postmortem.Decision{Required: true})
			if err != nil {
				t.Fatal(err)
			}
			if d.Assignee != tt.want {
				t.Errorf("owner = %q, want %q", d.Assignee, tt.want)
			}
		})
	}
	if postmortem.ValidOwnerRule("loudest") {
		t.Error("an unknown owner rule is valid")
	}
}

func TestRoutesAddPeopleAndChooseTheRepository(t *testing.T) {
	c := composer(t)
	c.Routes = []postmortem.Route{
		{Services: []string{"checkout api"}, Reviewers: []string{"checkout-lead", "alice"}, TeamReviewers: []string{"checkout"}},
		{Teams: []string{"PTEAM01"}, Repo: "acme/payments-postmortems", Labels: []string{"payments"}},
		{Teams: []string{"Payments"}, Repo: "acme/ignored-second-match"},
		{Services: []string{"Search"}, Reviewers: []string{"search-lead"}},
	}
	d, err := c.Compose(postmortem.SampleIncident(), postmortem.Decision{Required: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.Repo != "acme/payments-postmortems" {
		t.Errorf("repo = %q", d.Repo)
	}
	if !slices.Equal(d.Reviewers, []string{"sre-lead", "alice", "bob-gh", "checkout-lead"}) {
		t.Errorf("reviewers = %v", d.Reviewers)
	}
	if !slices.Equal(d.TeamReviewers, []string{"checkout"}) || !slices.Equal(d.Labels, []string{"postmortem", "payments"}) {
		t.Errorf("teams %v labels %v", d.TeamReviewers, d.Labels)
	}
}

// TestActionItemsFromAnnotatedEvents: without a PagerDuty token the notes exist only as incident.annotated
// webhook events; their action items are pre-filled all the same, and a note both sources hold counts once.
func TestActionItemsFromAnnotatedEvents(t *testing.T) {
	inc := postmortem.SampleIncident()
	at := inc.CreatedAt.Add(10 * time.Minute)
	ana := postmortem.Person{ID: "PANA001", Kind: "user", Name: "Ana Lima"}
	inc.Notes = []postmortem.Note{{ID: "N1", At: at, User: ana, Content: "TODO: rotate the proxy's certificates"}}
	inc.Events = append(inc.Events,
		postmortem.Event{ID: "E1", Type: "incident.annotated", At: at, Agent: ana, Text: "TODO: rotate the proxy's certificates"},
		postmortem.Event{ID: "E2", Type: "incident.annotated", At: at.Add(time.Minute), Agent: ana, Text: "Action item: alert on pool saturation"},
		postmortem.Event{ID: "E3", Type: "incident.status_update_published", At: at.Add(2 * time.Minute), Agent: ana, Text: "TODO: not a note"},
	)
	d, err := composer(t).Compose(inc, postmortem.Decision{Required: true})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, item := range postmortem.ParseActionItems(d.Content) {
		texts = append(texts, item.Text)
	}
	for _, want := range []string{"rotate the proxy's certificates", "alert on pool saturation"} {
		n := 0
		for _, got := range texts {
			if strings.HasPrefix(got, want) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%q is %d times among the action items %q, want once", want, n, texts)
		}
	}
	for _, got := range texts {
		if strings.Contains(got, "not a note") {
			t.Errorf("a status update became an action item: %q", got)
		}
	}
}
