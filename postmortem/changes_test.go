package postmortem_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
)

func TestChangeScopeQuery(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	inc := postmortem.Incident{ID: "PQ1", CreatedAt: t0, ResolvedAt: t0.Add(time.Hour),
		Service: postmortem.Service{ID: "PSVC1", Name: "Checkout API"}, Teams: []postmortem.Team{{ID: "PT1", Name: "Payments"}}}
	scope := postmortem.ChangeScope{
		Services: map[string]postmortem.ServiceChanges{
			"checkout api": {Repos: []string{"acme/checkout", "acme/web"}},
			"PSVC1":        {Repos: []string{"Acme/Checkout"}}, // the same repository by ID: asked once
			"Search":       {Repos: []string{"acme/search"}},
		},
		Routes: []postmortem.Route{
			{Teams: []string{"payments"}, Repos: []string{"acme/ledger"}},
			{Services: []string{"Search"}, Repos: []string{"acme/index"}},
		},
	}
	q := scope.Query(inc)
	if got := strings.Join(q.Repos, ","); got != "acme/checkout,acme/ledger,acme/web" {
		t.Errorf("repos = %s", got)
	}
	if !q.Since.Equal(t0.Add(-24*time.Hour)) || !q.Trigger.Equal(t0) || !q.Until.Equal(t0.Add(time.Hour)) || q.IncidentID != "PQ1" {
		t.Errorf("window = %v .. %v .. %v", q.Since, q.Trigger, q.Until)
	}
	scope.Window = 6 * time.Hour
	if q := scope.Query(inc); !q.Since.Equal(t0.Add(-6 * time.Hour)) {
		t.Errorf("since = %v with a 6h window", q.Since)
	}
	unresolved := inc
	unresolved.ResolvedAt = time.Time{}
	if q := scope.Query(unresolved); !q.Until.Equal(t0) {
		t.Errorf("until = %v without a resolution, want the trigger", q.Until)
	}
	untimed := inc
	untimed.CreatedAt = time.Time{}
	if q := scope.Query(untimed); len(q.Repos) != 0 || !q.Since.IsZero() {
		t.Errorf("an incident without a trigger time asks %v from %v", q.Repos, q.Since)
	}
}

// changesSection renders the sample incident with changes and returns its changes section.
func changesSection(t *testing.T, c *postmortem.Composer, inc postmortem.Incident) string {
	t.Helper()
	d, err := c.Compose(inc, postmortem.Decision{Required: true, Due: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(d.Content, "## Changes before the incident\n")
	if !ok {
		t.Fatalf("no changes section in\n%s", d.Content)
	}
	section, _, _ := strings.Cut(after, "\n## ")
	return section
}

func TestChangesSection(t *testing.T) {
	inc := postmortem.SampleIncident()
	t0 := inc.CreatedAt
	inc.Changes.Items = []postmortem.Change{
		{At: t0.Add(-time.Hour), Kind: postmortem.ChangePullRequest, Source: "acme/checkout", What: "exactly an hour before", By: "Alice", URL: "https://github.com/acme/checkout/pull/1"},
		{At: t0.Add(-time.Hour - time.Minute), Kind: postmortem.ChangePullRequest, Source: "acme/checkout", What: "61 minutes before", By: "mallory", URL: "javascript:alert(1)"},
		{At: t0.Add(-30 * time.Second), Kind: postmortem.ChangeDeployment, Source: "acme/checkout", What: "half a minute before", By: "dora"},
		{At: t0.Add(5 * time.Minute), Kind: postmortem.ChangeEvent, Source: "PagerDuty", What: "during | @oncall", Agent: "ci"},
		{At: t0.Add(10 * time.Minute), Kind: postmortem.ChangeEvent, Source: "PagerDuty", What: "no agent"},
	}
	c := composer(t) // people map: alice, bob-gh
	got := changesSection(t, c, inc)
	for _, want := range []string{
		"| 2024-05-01 08:00:00 UTC | **last hour**, 1h | acme/checkout, pull request: exactly an hour before | Alice | [pull request](https://github.com/acme/checkout/pull/1) |",
		"| 2024-05-01 07:59:00 UTC | 1h 1m | acme/checkout, pull request: 61 minutes before | a maintainer | — |",
		"| **last hour**, under a minute | acme/checkout, deployment: half a minute before | a deployer | — |",
		"| 5m after the trigger | PagerDuty, change event: during \\| @\u200doncall | ci | — |",
		"| 10m after the trigger | PagerDuty, change event: no agent | an integration | — |",
		"Rows marked **last hour**",
		"- acme/checkout deployments: the statuses of 2 of 7 deployments",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("section lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "mallory") || strings.Contains(got, "dora") {
		t.Errorf("a login outside the people map is named:\n%s", got)
	}

	c.Roles = true
	if got := changesSection(t, c, inc); strings.Contains(got, "Alice |") || !strings.Contains(got, "exactly an hour before | a maintainer |") {
		t.Errorf("people as roles still names a login:\n%s", got)
	}

	c.Roles = false
	inc.Changes.Items = nil
	inc.Changes.Sources = inc.Changes.Sources[1:]
	if got := changesSection(t, c, inc); !strings.Contains(got, "No change was found in that window.") || strings.Contains(got, "Not read in full") {
		t.Errorf("empty window:\n%s", got)
	}
	inc.Changes = postmortem.Changes{}
	if got := changesSection(t, c, inc); !strings.Contains(got, "No repositories are configured for this service") {
		t.Errorf("nothing configured:\n%s", got)
	}
}

// TestChangesSectionIsBlameless lints the section: Hindsight's own words are clean, and what it quotes from
// GitHub (a pull request's title) is not read as the postmortem's own wording, while the same words in
// prose are.
func TestChangesSectionIsBlameless(t *testing.T) {
	inc := postmortem.SampleIncident()
	inc.Changes.Items = append(inc.Changes.Items, postmortem.Change{At: inc.CreatedAt.Add(-2 * time.Minute), Kind: postmortem.ChangePullRequest,
		Source: "acme/checkout", What: "Revert: Dave forgot to check the timeout TODO", By: "alice"})
	d, err := composer(t).Compose(inc, postmortem.Decision{Required: true, Due: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	cfg := postmortem.LintConfig{People: []string{"Dave"}}
	for _, f := range postmortem.Lint(d.Content, cfg) {
		line := strings.Split(d.Content, "\n")[f.Line-1]
		if strings.Contains(line, "forgot") || strings.Contains(line, "Changes made from") {
			t.Errorf("finding in the changes section: %+v on %q", f, line)
		}
	}
	prose := strings.Replace(d.Content, "## What could have prevented it\n", "## What could have prevented it\n\nDave forgot to check the timeout.\n", 1)
	found := false
	for _, f := range postmortem.Lint(prose, cfg) {
		found = found || f.Rule == postmortem.RuleBlameLanguage
	}
	if !found {
		t.Error("the same words in prose are not reported: the test proves nothing")
	}
}

func TestChangesUnread(t *testing.T) {
	c := postmortem.Changes{Sources: []postmortem.ChangeSource{{Name: "acme/a releases"}, {Name: "acme/a deployments", Problem: "GitHub answered 502"}}}
	if u := c.Unread(); len(u) != 1 || u[0] != "acme/a deployments: GitHub answered 502" {
		t.Errorf("unread = %q", u)
	}
}
