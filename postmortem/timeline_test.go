package postmortem

import (
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2024, 3, 5, 14, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func TestBuildTimelineMergesSourcesWithoutDuplicates(t *testing.T) {
	ann := Person{ID: "PANN", Kind: "user", Name: "Ann"}
	inc := Incident{
		LogEntries: []LogEntry{
			{ID: "L3", Type: "acknowledge", At: at(3 * time.Minute), Agent: ann},
			{ID: "L1", Type: "trigger", At: at(0), Channel: "api"},
			{ID: "L5", Type: "annotate", At: at(5 * time.Minute), Agent: ann, Note: "Failing over  the primary"},
			{ID: "L9", Type: "mystery_new", At: at(9 * time.Minute), Summary: "Something PagerDuty added later"},
		},
		Notes: []Note{{ID: "N5", At: at(5 * time.Minute), User: ann, Content: "Failing over the primary"}},
		Events: []Event{
			{ID: "E1", Type: "incident.triggered", At: at(2 * time.Second)},
			{ID: "E3", Type: "incident.acknowledged", At: at(3*time.Minute + time.Second), Agent: ann},
			{ID: "E5", Type: "incident.annotated", At: at(5 * time.Minute), Text: "Failing over the primary"},
			{ID: "E6", Type: "incident.status_update_published", At: at(6 * time.Minute), Text: "Checkout is degraded"},
			{ID: "E6", Type: "incident.status_update_published", At: at(6 * time.Minute), Text: "Checkout is degraded"},
			{ID: "E7", Type: "incident.unknown_future_thing", At: at(7 * time.Minute)},
		},
	}
	tl := BuildTimeline(inc)
	var got []string
	for _, e := range tl {
		got = append(got, e.ID+" "+string(e.Kind))
	}
	want := []string{"L1 triggered", "L3 acknowledged", "N5 note", "E6 status update", "E7 other", "L9 other"}
	if len(got) != len(want) {
		t.Fatalf("timeline = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("timeline = %v, want %v", got, want)
		}
	}
	if tl[5].Text != "Something PagerDuty added later" {
		t.Errorf("unknown log entry text = %q", tl[5].Text)
	}
}

func TestBuildTimelineFromWebhooksAlone(t *testing.T) {
	inc := Incident{Events: []Event{
		{ID: "E2", Type: "incident.resolved", At: at(time.Hour)},
		{ID: "E1", Type: "incident.triggered", At: at(0)},
	}}
	tl := BuildTimeline(inc)
	if len(tl) != 2 || tl[0].Kind != KindTriggered || tl[1].Kind != KindResolved {
		t.Fatalf("timeline = %+v", tl)
	}
}

func TestBuildTimelineOrdersTiesByID(t *testing.T) {
	inc := Incident{LogEntries: []LogEntry{
		{ID: "B", Type: "notify", At: at(0)},
		{ID: "A", Type: "notify", At: at(0)},
	}}
	tl := BuildTimeline(inc)
	if tl[0].ID != "A" || tl[1].ID != "B" {
		t.Errorf("order = %s, %s; want A, B", tl[0].ID, tl[1].ID)
	}
}

func TestComputeFacts(t *testing.T) {
	ann := Person{ID: "PANN", Kind: "user", Name: "Ann"}
	bo := Person{ID: "PBO", Kind: "user", Name: "Bo"}
	inc := Incident{
		CreatedAt:  at(0),
		ResolvedAt: at(2*time.Hour + 3*time.Minute + 4*time.Second),
		LogEntries: []LogEntry{
			{ID: "L1", Type: "trigger", At: at(0)},
			{ID: "L2", Type: "notify", At: at(time.Second), Users: []Person{ann}},
			{ID: "L3", Type: "escalate", At: at(10 * time.Minute), Users: []Person{bo}},
			{ID: "L4", Type: "acknowledge", At: at(12*time.Minute + 7*time.Second), Agent: bo},
			{ID: "L5", Type: "acknowledge", At: at(13 * time.Minute), Agent: ann},
			{ID: "L6", Type: "escalate", At: at(20 * time.Minute)},
			{ID: "L8", Type: "resolve", At: at(2*time.Hour + 3*time.Minute + 4*time.Second), Agent: ann},
		},
		Notes: []Note{{ID: "N1", At: at(41*time.Minute + 30*time.Second), User: bo, Content: "Mitigated: failover to the replica is serving traffic"}, {ID: "N0", At: at(30 * time.Minute), User: ann, Content: "Not recovered yet; the deploy has not been rolled back, impact mitigated only for EU"}},
	}
	f := ComputeFacts(inc, BuildTimeline(inc))
	checks := []struct {
		name      string
		got, want any
	}{
		{"detected", f.Detected.At, at(0)},
		{"acknowledged", f.Acknowledged.At, at(12*time.Minute + 7*time.Second)},
		{"mitigated", f.Mitigated.At, at(41*time.Minute + 30*time.Second)},
		{"mitigated from", f.Mitigated.From, "note"},
		{"mitigated by", f.Mitigated.By.Name, "Bo"},
		{"impact start", f.ImpactStarted.Known(), false},
		{"resolved", f.Resolved.At, at(2*time.Hour + 3*time.Minute + 4*time.Second)},
		{"tta", f.TimeToAcknowledge, 12*time.Minute + 7*time.Second},
		{"ttm", f.TimeToMitigate, 41*time.Minute + 30*time.Second},
		{"ttr", f.TimeToResolve, 2*time.Hour + 3*time.Minute + 4*time.Second},
		{"escalations", f.Escalations, 2},
		{"notifications", f.Notifications, 1},
		{"responders", len(f.Responders), 2},
		{"tta text", FormatDuration(f.TimeToAcknowledge), "12m 7s"},
		{"ttr text", FormatDuration(f.TimeToResolve), "2h 3m 4s"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	owner, ok := f.Owner()
	if !ok || owner.ID != "PANN" {
		t.Errorf("owner = %v %v, want Ann (she resolved)", owner, ok)
	}
}

func TestOwnerFallsBackToFirstAcknowledger(t *testing.T) {
	ann := Person{ID: "PANN", Kind: "user", Name: "Ann"}
	bo := Person{ID: "PBO", Kind: "user", Name: "Bo"}
	svc := Person{ID: "PSVC", Kind: "service", Name: "Monitor"}
	inc := Incident{LogEntries: []LogEntry{
		{ID: "L1", Type: "acknowledge", At: at(time.Minute), Agent: bo},
		{ID: "L2", Type: "acknowledge", At: at(2 * time.Minute), Agent: ann},
		{ID: "L3", Type: "resolve", At: at(time.Hour), Agent: svc},
	}}
	owner, ok := ComputeFacts(inc, BuildTimeline(inc)).Owner()
	if !ok || owner.ID != "PBO" {
		t.Errorf("owner = %v %v, want Bo", owner, ok)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                          "—",
		45 * time.Second:           "45s",
		2 * time.Hour:              "2h",
		26*time.Hour + time.Second: "1d 2h 0m 1s",
		1500 * time.Millisecond:    "2s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestBuildTimelineMirrorsOutOfOrder checks that a webhook event is dropped as a log entry's mirror
// within the duplicate window, its ends included, whatever the order the log entries come in, and kept
// just outside it.
func TestBuildTimelineMirrorsOutOfOrder(t *testing.T) {
	at := func(d time.Duration) time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC).Add(d) }
	inc := Incident{
		LogEntries: []LogEntry{
			{ID: "L3", Type: "acknowledge", At: at(30 * time.Minute)},
			{ID: "L1", Type: "acknowledge", At: at(0)},
			{ID: "L2", Type: "acknowledge", At: at(10 * time.Minute)},
		},
		Events: []Event{
			{ID: "E1", Type: "incident.acknowledged", At: at(10*time.Minute + duplicateWindow)},
			{ID: "E2", Type: "incident.acknowledged", At: at(-duplicateWindow)},
			{ID: "E3", Type: "incident.acknowledged", At: at(20 * time.Minute)},
			{ID: "E4", Type: "incident.acknowledged", At: at(20*time.Minute + duplicateWindow)},
			{ID: "E5", Type: "incident.acknowledged", At: at(30*time.Minute - duplicateWindow - time.Second)},
			{ID: "E6", Type: "incident.acknowledged", At: at(20*time.Minute + duplicateWindow + time.Second)},
		},
	}
	var ids []string
	for _, e := range BuildTimeline(inc) {
		ids = append(ids, e.ID)
	}
	// E1 and E2 mirror L2 and L1 at the window's ends; E3 mirrors nothing and is kept, E4 then mirrors E3;
	// E5 and E6 are a second outside every window.
	want := []string{"L1", "L2", "E3", "E6", "E5", "L3"}
	if !slices.Equal(ids, want) {
		t.Errorf("timeline %v, want %v", ids, want)
	}
}
