package postmortem_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/internal/payloads"
	"github.com/hindsight-dev/hindsight/postmortem"
)

func readReference(t *testing.T, name string) []byte {
	t.Helper()
	return payloads.PagerDuty(t, name)
}

// restExample is PagerDuty's own REST examples of an incident, its log entries and its notes.
func restExample(t *testing.T) postmortem.Incident {
	t.Helper()
	var inc struct {
		Incident json.RawMessage `json:"incident"`
	}
	var les struct {
		LogEntries []json.RawMessage `json:"log_entries"`
	}
	var notes struct {
		Notes []json.RawMessage `json:"notes"`
	}
	for name, v := range map[string]any{
		"rest-get-incident.example.json":         &inc,
		"rest-incident-log-entries.example.json": &les,
		"rest-incident-notes.example.json":       &notes,
	} {
		if err := json.Unmarshal(readReference(t, name), v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	exp := pagerduty.Export{Incident: inc.Incident, LogEntries: les.LogEntries, Notes: notes.Notes}
	decoded, err := exp.Decode()
	if err != nil {
		t.Fatal(err)
	}
	return decoded
}

func webhookEvent(t *testing.T, name string) postmortem.Event {
	t.Helper()
	ev, err := pagerduty.DecodeEvent(readReference(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ev
}

func render(t *testing.T, inc postmortem.Incident, roles bool) string {
	t.Helper()
	c := composer(t)
	c.Roles = roles
	d, err := c.Compose(inc, postmortem.Decision{Required: true, Due: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return d.Content
}

// TestGoldenReferenceSamples renders every real PagerDuty sample.
func TestGoldenReferenceSamples(t *testing.T) {
	t.Run("REST incident, log entries and notes", func(t *testing.T) {
		golden(t, "ref-rest-example.md", render(t, restExample(t), false))
	})
	t.Run("REST example with the note and status update webhooks", func(t *testing.T) {
		inc := restExample(t)
		inc.Events = []postmortem.Event{
			webhookEvent(t, "webhook-v3_incident.annotated_zulip-fixture.json"),
			webhookEvent(t, "webhook-v3_incident.status_update_published_zulip-fixture.json"),
		}
		out := render(t, inc, false)
		for _, ev := range inc.Events {
			if ev.Text == "" || !strings.Contains(out, postmortem.Inline(ev.Text)) {
				t.Errorf("the %s text %q is not in the postmortem", ev.Type, ev.Text)
			}
		}
		golden(t, "ref-rest-example-with-webhooks.md", out)
	})
	for _, name := range []string{
		"webhook-v3_incident.triggered_zulip-fixture.json",
		"webhook-v3_incident.resolved_zulip-fixture.json",
		"webhook-v3_incident.priority_updated_pd-developer-docs.json",
		"webhook-v3_incident.priority_updated_go-pagerduty-test-signed.json",
	} {
		t.Run(name, func(t *testing.T) {
			inc, ok := pagerduty.IncidentFromEvents([]postmortem.Event{webhookEvent(t, name)})
			if !ok {
				t.Fatal("no incident in the event")
			}
			golden(t, "ref-"+strings.TrimSuffix(strings.TrimPrefix(name, "webhook-v3_"), ".json")+".md", render(t, inc, false))
		})
	}
}

func synthetic(t testing.TB, entries int) postmortem.Incident {
	t.Helper()
	inc, les, notes := pagerdutytest.Synthetic("PSYN"+strings.Repeat("0", 1), 900+entries, entries, time.Date(2025, 3, 9, 22, 15, 0, 0, time.UTC))
	exp := pagerduty.Export{Incident: inc, LogEntries: les, Notes: notes}
	decoded, err := exp.Decode()
	if err != nil {
		t.Fatal(err)
	}
	return decoded
}

// TestGoldenSynthetic renders synthetic incidents of every size, and one in other scripts.
func TestGoldenSynthetic(t *testing.T) {
	for _, n := range []int{12, 250, 12000} {
		t.Run(strings.Repeat("x", 0)+itoa(n), func(t *testing.T) {
			inc := synthetic(t, n)
			if len(inc.LogEntries) != n {
				t.Fatalf("%d log entries decoded, want %d", len(inc.LogEntries), n)
			}
			golden(t, "synthetic-"+itoa(n)+".md", render(t, inc, false))
		})
	}
	t.Run("non-ASCII", func(t *testing.T) {
		inc := synthetic(t, 40)
		inc.Title = "Сбой оплаты — 決済エラー — paiement échoué 💳"
		inc.Service.Name = "Zahlungsdienst Ü"
		for i := range inc.Notes {
			inc.Notes[i].Content = "Заметка " + itoa(i+1) + ": 回滚完成，错误率下降。"
		}
		for i := range inc.LogEntries {
			if inc.LogEntries[i].Type == "annotate" {
				inc.LogEntries[i].Note = "Заметка"
			}
		}
		out := render(t, inc, false)
		if !strings.Contains(out, "Сбой оплаты — 決済エラー — paiement échoué 💳") || !strings.Contains(out, "回滚完成，错误率下降。") {
			t.Error("non-ASCII text did not survive")
		}
		golden(t, "synthetic-non-ascii.md", out)
	})
	t.Run("people as roles", func(t *testing.T) {
		inc := synthetic(t, 30)
		out := render(t, inc, true)
		for _, p := range []string{"Ana Primary", "Ben Secondary", "| Owner | @"} {
			if strings.Contains(out, p) {
				t.Errorf("the client version names %q", p)
			}
		}
		if !strings.Contains(out, "responder 1") {
			t.Error("no responder role in the client version")
		}
		golden(t, "synthetic-roles.md", out)
	})
}

func itoa(n int) string { return strings.TrimSpace(strings.Replace(jsonNumber(n), "\n", "", 1)) }

func jsonNumber(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestFactsOfExampleExport checks the impact figures of examples/incident-export.json against values
// computed by hand from its log entries.
func TestFactsOfExampleExport(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "examples", "incident-export.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	exp, err := pagerduty.ReadExport(f)
	if err != nil {
		t.Fatal(err)
	}
	inc, err := exp.Decode()
	if err != nil {
		t.Fatal(err)
	}
	facts := postmortem.ComputeFacts(inc, postmortem.BuildTimeline(inc))
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, "2026-10-14T"+s+"Z")
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"impact started", facts.ImpactStarted.At, time.Time{}}, // no note says so
		{"detected", facts.Detected.At, at("07:42:10")},
		{"acknowledged", facts.Acknowledged.At, at("07:48:03")},
		{"mitigated", facts.Mitigated.At, time.Time{}}, // no note starts with "Mitigated:"
		{"resolved", facts.Resolved.At, at("08:52:05")},
		{"time to acknowledge", facts.TimeToAcknowledge, 5*time.Minute + 53*time.Second},
		{"time to mitigate", facts.TimeToMitigate, time.Duration(0)},
		{"time to resolve", facts.TimeToResolve, time.Hour + 9*time.Minute + 55*time.Second},
		{"escalations", facts.Escalations, 1},
		{"notifications", facts.Notifications, 11},
		{"responders", len(facts.Responders), 2},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	did := map[string]string{}
	for _, r := range facts.Responders {
		did[r.Name] = r.Did()
	}
	if did["Ravi Castellanos"] != "acknowledged, was assigned, added 3 notes, resolved" || did["Dana Whitfield"] != "acknowledged, was assigned, added 2 notes" {
		t.Errorf("responders: %v", did)
	}
	if owner, ok := facts.Owner(); !ok || owner.Name != "Ravi Castellanos" {
		t.Errorf("owner = %v, want Ravi Castellanos, who resolved it", owner)
	}
}
