package postmortem_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/internal/payloads"
	"github.com/hindsight-dev/hindsight/postmortem"
)

// The samples of this file are PagerDuty's own payloads, kept byte for byte in internal/payloads (see
// its testdata/pagerduty/SOURCES.md), and the repository's example export.

func readTestdata(t *testing.T, path ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(path...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// referenceExport is PagerDuty's REST examples of an incident, its log entries, notes and alerts as one
// export.
func referenceExport(t *testing.T) []byte {
	t.Helper()
	parts := map[string]json.RawMessage{}
	for file, field := range map[string]string{
		"rest-get-incident.example.json":         "incident",
		"rest-incident-log-entries.example.json": "log_entries",
		"rest-incident-notes.example.json":       "notes",
		"rest-incident-alerts.example.json":      "alerts",
	} {
		var answer map[string]json.RawMessage
		if err := json.Unmarshal(payloads.PagerDuty(t, file), &answer); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		parts[field] = answer[field]
	}
	b, err := json.Marshal(parts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func exampleExport(t *testing.T) []byte {
	return readTestdata(t, "..", "examples", "incident-export.json")
}

// rawExport is an export as plain JSON values, for the test's own reading of the facts.
type rawExport struct {
	Incident   map[string]any   `json:"incident"`
	LogEntries []map[string]any `json:"log_entries"`
	Notes      []map[string]any `json:"notes"`
}

func parseRaw(t *testing.T, b []byte) rawExport {
	t.Helper()
	var r rawExport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r rawExport) marshal(t *testing.T) []byte {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withExplicitFacts adds the notes (and their annotate log entries) a responder writes to state the impact
// start and the mitigation, after a note that denies a mitigation and must not count.
func withExplicitFacts(t *testing.T, b []byte) []byte {
	t.Helper()
	r := parseRaw(t, b)
	ravi := map[string]any{"id": "PRC4T9Q", "type": "user_reference", "summary": "Ravi Castellanos"}
	add := func(id, at, content string) {
		r.Notes = append(r.Notes, map[string]any{"id": id, "user": ravi, "content": content, "created_at": at})
		r.LogEntries = append(r.LogEntries, map[string]any{"id": "R" + id, "type": "annotate_log_entry", "created_at": at, "agent": ravi,
			"channel":  map[string]any{"type": "note", "summary": content},
			"html_url": "https://acme.pagerduty.com/incidents/Q2KXW9ZP4M1R7A/log_entries/R" + id})
	}
	add("PNEG001", "2026-10-14T08:10:00Z", "Not recovered yet; the deploy has not been rolled back, so nothing is mitigated.")
	add("PIMP001", "2026-10-14T08:12:30Z", "Impact started: 07:31 UTC, when deploy 2026.10.14-3 reached eu-west-1 (deploy log).")
	add("PMIT001", "2026-10-14T08:33:00Z", "Mitigated: rollback complete, 5xx under 0.5% in eu-west-1.")
	return r.marshal(t)
}

// withoutAcknowledgeEntries is a partial export: the acknowledge log entries are gone, and only the
// incident's own acknowledgements record them, as in older incidents.
func withoutAcknowledgeEntries(t *testing.T, b []byte) []byte {
	t.Helper()
	r := parseRaw(t, b)
	var kept []map[string]any
	var acks []any
	for _, le := range r.LogEntries {
		if le["type"] == "acknowledge_log_entry" {
			acks = append(acks, map[string]any{"at": le["created_at"], "acknowledger": le["agent"]})
			continue
		}
		kept = append(kept, le)
	}
	r.LogEntries = kept
	if len(acks) > 0 {
		r.Incident["acknowledgements"] = acks
	}
	return r.marshal(t)
}

func decodeExport(t *testing.T, b []byte) postmortem.Incident {
	t.Helper()
	exp, err := pagerduty.ReadExport(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	inc, err := exp.Decode()
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// expected is what the test reads from an export's JSON by itself, without the code under test.
type expected struct {
	impactStarted, detected, acknowledged, mitigated, resolved time.Time
	escalations, pages, pagesAfterAck, pagesMissed             int
	priorities                                                 map[string]time.Duration
	// responders maps a user's name to what they did: "acknowledged", "resolved", notes and pages.
	acknowledgers, resolvers map[string]bool
	notes, paged             map[string]int
}

func ts(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	if s == "" {
		return time.Time{}
	}
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return at.UTC()
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

func str(v any) string { s, _ := v.(string); return s }

func readExpected(t *testing.T, b []byte) expected {
	t.Helper()
	r := parseRaw(t, b)
	e := expected{priorities: map[string]time.Duration{}, acknowledgers: map[string]bool{}, resolvers: map[string]bool{},
		notes: map[string]int{}, paged: map[string]int{}}
	e.detected = ts(t, r.Incident["created_at"])
	var lastResolve time.Time
	type change struct {
		at       time.Time
		from, to string
	}
	var changes []change
	for _, le := range r.LogEntries {
		at := ts(t, le["created_at"])
		agent := obj(le["agent"])
		switch str(le["type"]) {
		case "trigger_log_entry":
			if at.Before(e.detected) {
				e.detected = at
			}
		case "acknowledge_log_entry":
			if e.acknowledged.IsZero() || at.Before(e.acknowledged) {
				e.acknowledged = at
			}
			e.acknowledgers[str(agent["summary"])] = true
		case "resolve_log_entry":
			if at.After(lastResolve) {
				lastResolve = at
			}
			if str(agent["type"]) == "user_reference" {
				e.resolvers[str(agent["summary"])] = true
			}
		case "escalate_log_entry", "exhaust_escalation_path_log_entry", "repeat_escalation_path_log_entry":
			e.escalations++
		case "notify_log_entry":
			e.pages++
			e.paged[str(obj(le["user"])["summary"])]++
			if st := str(obj(le["notification"])["status"]); st != "" && st != "success" {
				e.pagesMissed++
			}
		case "priority_change_log_entry":
			ch := obj(le["channel"])
			changes = append(changes, change{at, str(obj(ch["old_priority"])["summary"]), str(obj(ch["new_priority"])["summary"])})
		}
	}
	if e.acknowledged.IsZero() {
		acks, _ := r.Incident["acknowledgements"].([]any)
		for _, a := range acks {
			at := ts(t, obj(a)["at"])
			if e.acknowledged.IsZero() || at.Before(e.acknowledged) {
				e.acknowledged = at
			}
			e.acknowledgers[str(obj(obj(a)["acknowledger"])["summary"])] = true
		}
	}
	e.resolved = ts(t, r.Incident["resolved_at"])
	if lastResolve.After(e.resolved) {
		e.resolved = lastResolve
	}
	for _, le := range r.LogEntries {
		if str(le["type"]) == "notify_log_entry" && !e.acknowledged.IsZero() && ts(t, le["created_at"]).After(e.acknowledged) {
			e.pagesAfterAck++
		}
	}
	notes := slices.Clone(r.Notes)
	slices.SortFunc(notes, func(a, b map[string]any) int { return ts(t, a["created_at"]).Compare(ts(t, b["created_at"])) })
	for _, n := range notes {
		at, content := ts(t, n["created_at"]), strings.TrimSpace(str(n["content"]))
		if u := obj(n["user"]); str(u["type"]) == "user_reference" {
			e.notes[str(u["summary"])]++
		}
		lower := strings.ToLower(content)
		if strings.HasPrefix(lower, "mitigated:") && e.mitigated.IsZero() {
			e.mitigated = at
		}
		if rest, ok := strings.CutPrefix(lower, "impact started:"); ok && e.impactStarted.IsZero() {
			clock, err := time.Parse("15:04", strings.Fields(rest)[0])
			if err != nil {
				t.Fatalf("impact start note %q: %v", content, err)
			}
			e.impactStarted = time.Date(at.Year(), at.Month(), at.Day(), clock.Hour(), clock.Minute(), 0, 0, time.UTC)
		}
	}
	if !e.resolved.IsZero() {
		from, current := e.detected, str(obj(r.Incident["priority"])["summary"])
		if len(changes) > 0 {
			current = changes[0].from
		}
		for _, c := range changes {
			e.priorities[current] += c.at.Sub(from)
			from, current = c.at, c.to
		}
		e.priorities[current] += e.resolved.Sub(from)
	}
	return e
}

// TestFactsOfEverySampleExport checks every fact of every sample export against the export's JSON, read
// here on its own, and checks that the rendered draft shows each one.
func TestFactsOfEverySampleExport(t *testing.T) {
	samples := map[string][]byte{
		"example export":                        exampleExport(t),
		"example with explicit facts":           withExplicitFacts(t, exampleExport(t)),
		"example without acknowledge entries":   withoutAcknowledgeEntries(t, exampleExport(t)),
		"PagerDuty's REST examples with alerts": referenceExport(t),
	}
	for name, raw := range samples {
		t.Run(name, func(t *testing.T) {
			want := readExpected(t, raw)
			inc := decodeExport(t, raw)
			f := postmortem.ComputeFacts(inc, postmortem.BuildTimeline(inc))
			since := func(a, b time.Time) time.Duration {
				if a.IsZero() || b.IsZero() {
					return 0
				}
				return b.Sub(a)
			}
			checks := []struct {
				name      string
				got, want any
			}{
				{"impact started", f.ImpactStarted.At, want.impactStarted},
				{"detected", f.Detected.At, want.detected},
				{"acknowledged", f.Acknowledged.At, want.acknowledged},
				{"mitigated", f.Mitigated.At, want.mitigated},
				{"resolved", f.Resolved.At, want.resolved},
				{"time to detect", f.TimeToDetect, since(want.impactStarted, want.detected)},
				{"time to acknowledge", f.TimeToAcknowledge, since(want.detected, want.acknowledged)},
				{"time to mitigate", f.TimeToMitigate, since(want.detected, want.mitigated)},
				{"time to resolve", f.TimeToResolve, since(want.detected, want.resolved)},
				{"escalations", f.Escalations, want.escalations},
				{"pages", f.Notifications, want.pages},
				{"pages after the first acknowledgement", f.NotificationsAfterAck, want.pagesAfterAck},
				{"pages that did not reach", f.NotificationsFailed, want.pagesMissed},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
				}
			}
			gotPriorities := map[string]time.Duration{}
			for _, p := range f.Priorities {
				gotPriorities[p.Priority] = p.Duration
			}
			if len(want.priorities) > 0 && !mapsEqual(gotPriorities, want.priorities) {
				t.Errorf("priorities = %v, want %v", gotPriorities, want.priorities)
			}
			for _, r := range f.Responders {
				if r.Acknowledged != want.acknowledgers[r.Name] || r.Resolved != want.resolvers[r.Name] ||
					r.Notes != want.notes[r.Name] || r.Notified != want.paged[r.Name] {
					t.Errorf("responder %s: acknowledged %v resolved %v notes %d pages %d; want %v %v %d %d", r.Name,
						r.Acknowledged, r.Resolved, r.Notes, r.Notified,
						want.acknowledgers[r.Name], want.resolvers[r.Name], want.notes[r.Name], want.paged[r.Name])
				}
			}
			for who := range want.acknowledgers {
				if !slices.ContainsFunc(f.Responders, func(r postmortem.Responder) bool { return r.Name == who }) {
					t.Errorf("%s acknowledged but is not a responder", who)
				}
			}

			out := render(t, inc, false)
			for label, at := range map[string]time.Time{"Impact started": want.impactStarted, "Detected": want.detected,
				"Acknowledged": want.acknowledged, "Mitigated": want.mitigated, "Resolved": want.resolved} {
				cell := "TBD"
				if !at.IsZero() {
					cell = postmortem.FormatTime(at)
				}
				if !strings.Contains(out, "| "+label+" | "+cell+" |") {
					t.Errorf("the draft does not show %s as %s", label, cell)
				}
			}
			if !strings.Contains(out, "| Pages sent | "+itoa(want.pages)) {
				t.Errorf("the draft does not show %d pages sent", want.pages)
			}
		})
	}
}

func mapsEqual(a, b map[string]time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
