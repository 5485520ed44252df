package postmortem

import (
	"testing"
	"time"
)

func TestStatusUpdatesOnce(t *testing.T) {
	dana := Person{ID: "PDANA", Kind: "user", Name: "Dana"}
	update := func(id string, after time.Duration, text string) Event {
		return Event{ID: id, Type: "incident.status_update_published", At: at(after), Agent: dana, Text: text}
	}
	for _, tc := range []struct {
		name   string
		logged LogEntry
		events []Event
		want   int
	}{
		{"the log entry and its webhook", LogEntry{ID: "L1", Type: "status_update", At: at(0), Note: "Investigating"},
			[]Event{update("E1", 3*time.Second, "Investigating")}, 1},
		{"a log entry without the message", LogEntry{ID: "L1", Type: "status_update", At: at(0), Summary: "Status update published"},
			[]Event{update("E1", 3*time.Second, "Investigating")}, 1},
		{"another update a minute later", LogEntry{ID: "L1", Type: "status_update", At: at(0), Note: "Investigating"},
			[]Event{update("E1", time.Minute, "Fix deployed, watching")}, 2},
		{"a webhook redelivered under another ID", LogEntry{ID: "L0", Type: "trigger", At: at(0)},
			[]Event{update("E1", time.Minute, "Investigating"), update("E2", time.Minute+time.Second, "Investigating")}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tl := BuildTimeline(Incident{LogEntries: []LogEntry{tc.logged}, Events: tc.events})
			n := 0
			for _, e := range tl {
				if e.Kind == KindStatusUpdate {
					n++
				}
			}
			if n != tc.want {
				t.Errorf("%d status updates, want %d: %+v", n, tc.want, tl)
			}
		})
	}
}

func TestIncidentFieldsFillWhatTheLogLacks(t *testing.T) {
	ravi := Person{ID: "PRAVI", Kind: "user", Name: "Ravi"}
	inc := Incident{
		Status: "resolved", CreatedAt: at(0), ResolvedAt: at(time.Hour), LastStatusChangeBy: ravi,
		Acknowledgements: []Assignment{{At: at(5 * time.Minute), Person: ravi}},
		Assignments:      []Assignment{{At: at(time.Minute), Person: ravi}},
		LogEntries:       []LogEntry{{ID: "L1", Type: "trigger", At: at(0)}},
	}
	f := ComputeFacts(inc, BuildTimeline(inc))
	if f.Acknowledged.At != at(5*time.Minute) || f.Acknowledged.From != "acknowledgements" {
		t.Errorf("acknowledged = %+v", f.Acknowledged)
	}
	if f.Resolved.At != at(time.Hour) || f.Resolved.From != "resolved_at" {
		t.Errorf("resolved = %+v", f.Resolved)
	}
	if len(f.Responders) != 1 || f.Responders[0].Did() != "acknowledged, was assigned, resolved" {
		t.Errorf("responders = %+v", f.Responders)
	}
	// With the log's own entries, the incident's fields add nothing.
	inc.LogEntries = append(inc.LogEntries,
		LogEntry{ID: "L2", Type: "assign", At: at(time.Minute), Users: []Person{ravi}},
		LogEntry{ID: "L3", Type: "acknowledge", At: at(5 * time.Minute), Agent: ravi},
		LogEntry{ID: "L4", Type: "resolve", At: at(time.Hour), Agent: ravi})
	tl := BuildTimeline(inc)
	if len(tl) != 4 {
		t.Errorf("%d entries, want the log's 4: %+v", len(tl), tl)
	}
}

func TestNotificationOutcomesAndEscalationReasons(t *testing.T) {
	dana := Person{ID: "PDANA", Kind: "user", Name: "Dana"}
	for _, tc := range []struct {
		le   LogEntry
		want string
	}{
		{LogEntry{Type: "notify", Users: []Person{dana}, Notification: "phone", NotificationStatus: "no_answer"}, "Notified Dana by phone: not answered"},
		{LogEntry{Type: "notify", Users: []Person{dana}, Notification: "phone", NotificationStatus: "success"}, "Notified Dana by phone: answered"},
		{LogEntry{Type: "notify", Users: []Person{dana}, Notification: "sms", NotificationStatus: "failed"}, "Notified Dana by SMS: failed"},
		{LogEntry{Type: "notify", Users: []Person{dana}, Notification: "email", NotificationStatus: "bounced"}, "Notified Dana by email: bounced"},
		{LogEntry{Type: "notify", Users: []Person{dana}, Notification: "push_notification", NotificationStatus: "success"}, "Notified Dana by push notification: delivered"},
		{LogEntry{Type: "notify", Users: []Person{dana}, Notification: "sms"}, "Notified Dana by SMS"},
		{LogEntry{Type: "escalate", EscalationLevel: 2, Channel: "timeout"}, "Escalated to level 2 after the acknowledgement timeout ran out"},
		{LogEntry{Type: "escalate", EscalationLevel: 2, Channel: "website", Agent: dana}, "Escalated to level 2 by hand from the web app"},
		{LogEntry{Type: "escalate", EscalationLevel: 2, Channel: "reassign"}, "Escalated to level 2 by a reassignment"},
	} {
		if got := logEntryToEntry(tc.le).Text; got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.le, got, tc.want)
		}
	}
}

func TestStatedTime(t *testing.T) {
	written := time.Date(2026, 10, 14, 0, 20, 0, 0, time.UTC)
	for text, want := range map[string]time.Time{
		"23:50 UTC, when the deploy went out": time.Date(2026, 10, 13, 23, 50, 0, 0, time.UTC), // the day before
		"00:05:30Z":                           time.Date(2026, 10, 14, 0, 5, 30, 0, time.UTC),
		"2026-10-13 22:00 deploy":             time.Date(2026, 10, 13, 22, 0, 0, 0, time.UTC),
		"2026-10-13T22:00:00+02:00.":          time.Date(2026, 10, 13, 20, 0, 0, 0, time.UTC),
	} {
		got, ok := statedTime(text, written)
		if !ok || !got.Equal(want) {
			t.Errorf("statedTime(%q) = %v %v, want %v", text, got, ok, want)
		}
	}
	if _, ok := statedTime("when the deploy went out", written); ok {
		t.Error("a text without a time gives one")
	}
}

func TestMirroredFieldChangeOnce(t *testing.T) {
	inc := Incident{
		LogEntries: []LogEntry{{ID: "L1", Type: "custom_field_value_change", At: at(0), Summary: "Custom field Impact set to Major"}},
		Events:     []Event{{ID: "E1", Type: "incident.custom_field_values.updated", At: at(2 * time.Second)}},
	}
	if tl := BuildTimeline(inc); len(tl) != 1 || tl[0].Source != SourceLogEntry {
		t.Errorf("timeline = %+v, want the log entry alone", tl)
	}
}
