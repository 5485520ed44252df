package postmortem_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/internal/payloads"
	"github.com/hindsight-dev/hindsight/postmortem"
)

// TestGoldenReviewerDocument renders the cases a facilitator checks, each against its JSON, and holds the
// drafts as golden files.
func TestGoldenReviewerDocument(t *testing.T) {
	t.Run("example export", func(t *testing.T) {
		out := render(t, decodeExport(t, exampleExport(t)), false)
		mustContain(t, out,
			// The note "impact mitigated at 08:31" does not start with the prefix: mitigation stays TBD.
			"| Mitigated | TBD | TBD | no note or status update starts with “Mitigated:” |",
			"| Impact started | TBD |",
			// The unanswered phone call is the reason for the escalation.
			"Notified Dana Whitfield by phone: not answered",
			"Escalated to level 2 (Ravi Castellanos) after the acknowledgement timeout ran out",
			"| Time at each priority | P2 for 10m 17s, P1 for 59m 38s |",
			"| Pages sent | 11 (1 did not reach the person) |",
			"| Pages after the first acknowledgement | 4 |",
			"| threshold | 8% |", "| current\\_value | 11.4% |",
			"[Payments API eu-west-1 dashboard](https://monitoring.example.com/dashboards/payments-api-eu-west-1)",
			"| Ravi Castellanos | acknowledged, was assigned, added 3 notes, resolved | 2026-10-14 07:48:03 UTC | 4 |",
			"| [2026-10-14 07:52:27 UTC](https://acme.pagerduty.com/incidents/Q2KXW9ZP4M1R7A/log_entries/RITLJ3LCBU1SYEB1Y6XF2UEHVI) | priority | Priority changed from P2 to P1 | Ravi Castellanos |",
		)
		mustNotContain(t, out, "Why** did Payments API", "### Notes left out")
		// Each note is read once in the reading views: in the key moments, not again below them.
		readingViews, _, _ := strings.Cut(out, "<details>")
		if n := strings.Count(readingViews, "Connection pool exhaustion on payments-db-proxy"); n != 1 {
			t.Errorf("the note appears %d times outside the collapsed tables, want 1", n)
		}
		golden(t, "reviewer-example.md", out)
	})
	t.Run("explicit impact start and mitigation", func(t *testing.T) {
		out := render(t, decodeExport(t, withExplicitFacts(t, exampleExport(t))), false)
		mustContain(t, out,
			"| Impact started | 2026-10-14 07:31:00 UTC | 11m 10s before | [Ravi Castellanos’s note at 2026-10-14 08:12:30 UTC, which states the time]",
			"| Mitigated | 2026-10-14 08:33:00 UTC | 50m 50s | [Ravi Castellanos’s note at 2026-10-14 08:33:00 UTC]",
			"| Time to detect | 11m 10s |",
		)
		golden(t, "reviewer-explicit-facts.md", out)
	})
	t.Run("mitigation from a configured custom field", func(t *testing.T) {
		r := parseRaw(t, exampleExport(t))
		r.Incident["custom_fields"] = []any{map[string]any{"id": "PCF01", "type": "field_value", "name": "mitigated_at",
			"display_name": "Mitigated at", "data_type": "datetime", "field_type": "single_value", "value": "2026-10-14T08:31:00Z"}}
		c := composer(t)
		c.Facts = postmortem.FactsConfig{MitigatedField: "mitigated_at"}
		d, err := c.Compose(decodeExport(t, r.marshal(t)), postmortem.Decision{Required: true, Due: 48 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		mustContain(t, d.Content, "| Mitigated | 2026-10-14 08:31:00 UTC | 48m 50s | the incident’s custom field mitigated\\_at |")
	})
	t.Run("acknowledgements only on the incident", func(t *testing.T) {
		out := render(t, decodeExport(t, withoutAcknowledgeEntries(t, exampleExport(t))), false)
		mustContain(t, out,
			"| Acknowledged | 2026-10-14 07:48:03 UTC | 5m 53s | the incident’s acknowledgements |",
			"| Dana Whitfield | acknowledged, was assigned, added 2 notes |",
		)
		golden(t, "reviewer-partial-log.md", out)
	})
	t.Run("PagerDuty's REST examples with alerts", func(t *testing.T) {
		out := render(t, decodeExport(t, referenceExport(t)), false)
		mustContain(t, out,
			"What fired: [The server is on fire.](https://subdomain.pagerduty.com/alerts/PXPGF42), at 2015-10-06 21:30:42 UTC.",
			"| Source | Email Integration |", "| Severity | critical |", "| customKey | Server is on fire! |",
			"| Earline Greenholt | acknowledged, was assigned, added a note |",
			// incidents_responders: Jane Doe asked Lee Turner, who has not joined.
			"| Lee Turner | was asked to join (pending) | — | 0 |",
		)
		golden(t, "reviewer-rest-alerts.md", out)
	})
	t.Run("a role PagerDuty assigned", func(t *testing.T) {
		inc := decodeExport(t, exampleExport(t))
		out := render(t, inc, false)
		mustNotContain(t, out, "| Responder | Role |")
		ravi := postmortem.Person{ID: "PRC4T9Q", Kind: "user", Name: "Ravi Castellanos"}
		inc.Events = append(inc.Events, postmortem.Event{ID: "role-1", Type: "incident.role.assigned",
			At: time.Date(2026, 10, 14, 7, 50, 0, 0, time.UTC), Agent: ravi, Text: "Incident Commander", People: []postmortem.Person{ravi}})
		out = render(t, inc, false)

		mustContain(t, out, "| Responder | Role | What they did |",
			"| Ravi Castellanos | Incident Commander | acknowledged, was assigned, added 3 notes, resolved |",
			"| Dana Whitfield | — | acknowledged, was assigned, added 2 notes |")
	})
	t.Run("status update as a log entry and a webhook", func(t *testing.T) {
		ev, err := pagerduty.DecodeEvent(payloads.PagerDuty(t, "webhook-v3_incident.status_update_published_zulip-fixture.json"))
		if err != nil {
			t.Fatal(err)
		}
		inc := decodeExport(t, exampleExport(t))
		// The fixture's update is dated from another incident: it is moved into this one's life.
		ev.At = time.Date(2026, 10, 14, 8, 15, 0, 0, time.UTC)
		// PagerDuty logs the same update a few seconds before the webhook reports it.
		inc.LogEntries = append(inc.LogEntries, postmortem.LogEntry{ID: "RSTATUS1", Type: "status_update", At: ev.At.Add(-3 * time.Second),
			Agent: ev.Agent, Note: ev.Text})
		inc.Events = []postmortem.Event{ev, ev}
		inc.Events[1].ID = "redelivered-under-another-id"
		out := render(t, inc, false)
		readingViews, collapsed, _ := strings.Cut(out, "<details>")
		if n := strings.Count(readingViews, postmortem.Inline(ev.Text)); n != 1 {
			t.Errorf("the status update appears %d times in the key moments, want once", n)
		}
		if n := strings.Count(collapsed, postmortem.Inline(ev.Text)); n != 2 {
			t.Errorf("the status update appears %d times in the collapsed tables, want once in each", n)
		}
		mustNotContain(t, out, "×2", "2 times")
		// Its author is a responder who published one update, not two.
		mustContain(t, out, "| Harsh Santwani | published a status update | 2026-10-14 08:14:57 UTC | 0 |")
		golden(t, "reviewer-status-update-once.md", out)
	})
	t.Run("paging storm", func(t *testing.T) {
		people := []postmortem.Person{{ID: "PANA", Kind: "user", Name: "Ana"}, {ID: "PBEN", Kind: "user", Name: "Ben"}, {ID: "PCY", Kind: "user", Name: "Cy"}}
		start := time.Date(2026, 3, 1, 2, 45, 0, 0, time.UTC)
		inc := postmortem.Incident{ID: "PSTORM1", Number: 77, Title: "Queue backlog", Priority: "P1", CreatedAt: start,
			ResolvedAt: start.Add(25 * time.Minute)}
		n := 0
		add := func(le postmortem.LogEntry) {
			n++
			le.ID = "R" + strings.Repeat("0", 4-len(itoa(n))) + itoa(n)
			inc.LogEntries = append(inc.LogEntries, le)
		}
		add(postmortem.LogEntry{Type: "trigger", At: start, Channel: "api"})
		for round := range 29 {
			at := start.Add(time.Duration(round) * 40 * time.Second)
			for _, p := range people {
				status := "success"
				if p.ID == "PCY" {
					status = "no_answer" // Cy's phone is off all night
				}
				add(postmortem.LogEntry{Type: "notify", At: at, Users: []postmortem.Person{p}, Notification: "phone", NotificationStatus: status})
				add(postmortem.LogEntry{Type: "notify", At: at, Users: []postmortem.Person{p}, Notification: "sms", NotificationStatus: "success"})
			}
			add(postmortem.LogEntry{Type: "repeat_escalation_path", At: at.Add(20 * time.Second)})
		}
		// Ana acknowledges at 02:50:10, and the policy keeps paging everyone.
		add(postmortem.LogEntry{Type: "acknowledge", At: start.Add(5*time.Minute + 10*time.Second), Agent: people[0], Channel: "mobile"})
		add(postmortem.LogEntry{Type: "resolve", At: start.Add(25 * time.Minute), Agent: people[0], Channel: "website"})
		out := render(t, inc, false)
		mustContain(t, out,
			"Paged 3 responders by phone and SMS (8 times, 48 pages, 02:45:00–02:49:40 UTC, 8 not reached)",
			"Paged 3 responders by phone and SMS (21 times, 126 pages, 02:50:20–03:03:40 UTC, 126 after the first acknowledgement, 21 not reached)",
			"Escalation policy repeated from the first level (21 times, 02:50:40–03:04:00 UTC)",
			"| Pages sent | 174 (29 did not reach the person) |",
			"| Pages after the first acknowledgement | 126 |",
			"| Cy | was notified | — | 58 (29 not reached) |",
		)
		golden(t, "reviewer-paging-storm.md", out)
	})
	t.Run("readable file names", func(t *testing.T) {
		for title, want := range map[string]string{
			"Сбой оплаты — 決済エラー — paiement échoué 💳": "sboi-oplaty-決済エラー-paiement-echoue",
			"Ελληνικά: βάση δεδομένων":                "ellinika-vasi-dedomenon",
			"Straße ölt Æbleskiver":                   "strasse-olt-aebleskiver",
			"💳 🔥":                                     "incident",
		} {
			if got := postmortem.FileSlug(title, 60); got != want {
				t.Errorf("FileSlug(%q) = %q, want %q", title, got, want)
			}
		}
		if got := postmortem.FileSlug(strings.Repeat("Сбой ", 40), 60); len(got) > 60 || strings.HasSuffix(got, "-") {
			t.Errorf("long title: %q", got)
		}
		inc := decodeExport(t, exampleExport(t))
		inc.Title = "Сбой оплаты — 決済エラー"
		d, err := composer(t).Compose(inc, postmortem.Decision{Required: true})
		if err != nil {
			t.Fatal(err)
		}
		if d.Path != "postmortems/2026-10-14-4817-sboi-oplaty-決済エラー.md" {
			t.Errorf("path = %q", d.Path)
		}
	})
}

// TestPeopleByEmailEverywhere maps owner, reviewers and action item owners configured by email once the
// incident's users carry their emails.
func TestPeopleByEmailEverywhere(t *testing.T) {
	inc := decodeExport(t, exampleExport(t))
	inc.SetEmails(map[string]string{"PRC4T9Q": "Ravi.Castellanos@example.com", "PDW7K2M": "dana.whitfield@example.com"})
	c := composer(t)
	c.People = map[string]string{"ravi.castellanos@example.com": "ravi", "dana.whitfield@example.com": "dana"}
	d, err := c.Compose(inc, postmortem.Decision{Required: true, Due: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if d.Assignee != "ravi" {
		t.Errorf("owner = %q, want ravi (he resolved)", d.Assignee)
	}
	if got := strings.Join(d.Reviewers, ","); got != "sre-lead,dana,ravi" && got != "sre-lead,ravi,dana" {
		t.Errorf("reviewers = %q", got)
	}
	if len(d.ActionItems) != 1 || d.ActionItems[0].Owner != "dana" {
		t.Errorf("action items = %+v, want Dana's item owned by dana", d.ActionItems)
	}
}

func mustContain(t *testing.T, out string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(out, p) {
			t.Errorf("the draft lacks %q", p)
		}
	}
}

func mustNotContain(t *testing.T, out string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(out, p) {
			t.Errorf("the draft has %q", p)
		}
	}
}
