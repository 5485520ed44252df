package postmortem

import (
	"strings"
	"testing"
)

// Every log entry type of PagerDuty's OpenAPI description, those met in the wild, and an unknown one, in the
// words a responder would use.
func TestLogEntryWords(t *testing.T) {
	ann := Person{ID: "PANN", Kind: "user", Name: "Ann"}
	bo := Person{ID: "PBO", Kind: "user", Name: "Bo"}
	tests := []struct {
		le   LogEntry
		kind Kind
		want string
	}{
		{LogEntry{Type: "trigger", Channel: "api", Details: map[string]string{"description": "CPU high"}}, KindTriggered, "Incident triggered through the API: CPU high"},
		{LogEntry{Type: "acknowledge", Agent: ann, Channel: "sms"}, KindAcknowledged, "Acknowledged by SMS"},
		{LogEntry{Type: "unacknowledge", Channel: "timeout"}, KindUnacknowledged, "Acknowledgement timed out; the incident is unacknowledged again"},
		{LogEntry{Type: "unacknowledge", Agent: ann, Channel: "web_trigger"}, KindUnacknowledged, "Unacknowledged by hand"},
		{LogEntry{Type: "notify", Users: []Person{ann}, Notification: "sms"}, KindNotified, "Notified Ann by SMS"},
		{LogEntry{Type: "notify", Users: []Person{bo}, Notification: "push_notification"}, KindNotified, "Notified Bo by push notification"},
		{LogEntry{Type: "assign", Users: []Person{ann, bo}, EscalationLevel: 2}, KindAssigned, "Assigned to Ann, Bo (escalation level 2)"},
		{LogEntry{Type: "delegate", Users: []Person{bo}}, KindAssigned, "Reassigned to Bo"},
		{LogEntry{Type: "escalate", EscalationLevel: 3, Users: []Person{bo}, Channel: "timeout"}, KindEscalated, "Escalated to level 3 (Bo) after the acknowledgement timeout ran out"},
		{LogEntry{Type: "exhaust_escalation_path"}, KindEscalated, "Escalation policy exhausted: every level was notified without an acknowledgement"},
		{LogEntry{Type: "repeat_escalation_path"}, KindEscalated, "Escalation policy repeated from the first level"},
		{LogEntry{Type: "reach_ack_limit"}, KindOther, "Acknowledgement limit reached; further acknowledgements are not timed out"},
		{LogEntry{Type: "reach_trigger_limit"}, KindOther, "Trigger limit reached; further alerts are grouped without new notifications"},
		{LogEntry{Type: "annotate", Agent: ann, Note: "Failing over"}, KindNote, "Failing over"},
		{LogEntry{Type: "snooze", Agent: ann}, KindSnoozed, "Snoozed"},
		{LogEntry{Type: "resolve", Agent: bo, Channel: "mobile"}, KindResolved, "Resolved from the mobile app"},
		{LogEntry{Type: "resolve", Channel: "auto"}, KindResolved, "Resolved automatically"},
		{LogEntry{Type: "urgency_change", Summary: "Urgency changed from high to low"}, KindUrgency, "Urgency changed from high to low"},
		{LogEntry{Type: "priority_change", Summary: `Priority changed from "P2" to "P1"`}, KindPriority, `Priority changed from "P2" to "P1"`},
		{LogEntry{Type: "field_value_change", Details: map[string]string{"field": "region", "value": "eu"}}, KindField, "Field changed (field: region; value: eu)"},
		{LogEntry{Type: "custom_field_value_change", Summary: "Custom field Impact set to Major"}, KindField, "Custom field Impact set to Major"},
		{LogEntry{Type: "status_update", Note: "We are investigating"}, KindStatusUpdate, "We are investigating"},
		{LogEntry{Type: "responder_request", Users: []Person{bo}}, KindResponder, "Responders requested: Bo"},
		{LogEntry{Type: "brand_new_thing", Summary: "PagerDuty did something new"}, KindOther, "PagerDuty did something new"},
		{LogEntry{Type: "brand_new_thing"}, KindOther, "brand new thing"},
	}
	for _, tt := range tests {
		t.Run(tt.le.Type, func(t *testing.T) {
			e := logEntryToEntry(tt.le)
			if e.Kind != tt.kind || e.Text != tt.want {
				t.Errorf("got %s %q, want %s %q", e.Kind, e.Text, tt.kind, tt.want)
			}
			if e.Type != tt.le.Type+"_log_entry" {
				t.Errorf("type %q", e.Type)
			}
		})
	}
}

// Every V3 incident webhook event type, and an unknown one.
func TestEventWords(t *testing.T) {
	bo := Person{ID: "PBO", Kind: "user", Name: "Bo"}
	tests := []struct {
		ev   Event
		kind Kind
		want string
	}{
		{Event{Type: "incident.triggered"}, KindTriggered, "Incident triggered"},
		{Event{Type: "incident.acknowledged"}, KindAcknowledged, "Acknowledged"},
		{Event{Type: "incident.unacknowledged"}, KindUnacknowledged, "Unacknowledged; the acknowledgement timed out or was undone"},
		{Event{Type: "incident.annotated", Text: "Looking at the DB"}, KindNote, "Looking at the DB"},
		{Event{Type: "incident.status_update_published", Text: "Degraded checkout"}, KindStatusUpdate, "Degraded checkout"},
		{Event{Type: "incident.priority_updated", Text: "P1"}, KindPriority, "Priority set to P1"},
		{Event{Type: "incident.priority_updated"}, KindPriority, "Priority set to none"},
		{Event{Type: "incident.responder.added", People: []Person{bo}}, KindResponder, "Responder Bo added"},
		{Event{Type: "incident.responder.replied", People: []Person{bo}, Text: "accepted"}, KindResponder, "Responder Bo replied: accepted"},
		{Event{Type: "incident.reassigned", People: []Person{bo}}, KindAssigned, "Reassigned to Bo"},
		{Event{Type: "incident.delegated"}, KindAssigned, "Delegated to another escalation policy"},
		{Event{Type: "incident.escalated", People: []Person{bo}}, KindEscalated, "Escalated to Bo"},
		{Event{Type: "incident.reopened"}, KindReopened, "Reopened"},
		{Event{Type: "incident.resolved"}, KindResolved, "Resolved"},
		{Event{Type: "incident.conference_bridge.updated", Text: "https://meet.example/x"}, KindConference, "Conference bridge set: https://meet.example/x"},
		{Event{Type: "incident.service_updated", Text: "Payments"}, KindOther, "Moved to service Payments"},
		{Event{Type: "incident.incident_type.changed", Text: "Security"}, KindField, "Incident type changed to Security"},
		{Event{Type: "incident.custom_field_values.updated"}, KindField, "Custom fields updated"},
		{Event{Type: "incident.role.assigned", Text: "Incident Commander", People: []Person{bo}}, KindResponder, "Role assigned: Incident Commander to Bo"},
		{Event{Type: "incident.task.created", Text: "Page DBA"}, KindOther, "Task created: Page DBA"},
		{Event{Type: "incident.task.updated"}, KindOther, "Task updated"},
		{Event{Type: "incident.task.completed", Text: "Page DBA"}, KindOther, "Task completed: Page DBA"},
		{Event{Type: "incident.action_invocation.created", Text: "Restart pod"}, KindOther, "Automation action created: Restart pod"},
		{Event{Type: "incident.action_invocation.terminated"}, KindOther, "Automation action terminated"},
		{Event{Type: "incident.workflow.started", Text: "Major incident"}, KindOther, "Incident workflow started: Major incident"},
		{Event{Type: "incident.workflow.completed"}, KindOther, "Incident workflow completed"},
		{Event{Type: "incident.something_new.happened"}, KindOther, "something new happened"},
	}
	for _, tt := range tests {
		t.Run(tt.ev.Type, func(t *testing.T) {
			e := eventToEntry(tt.ev)
			if e.Kind != tt.kind || e.Text != tt.want {
				t.Errorf("got %s %q, want %s %q", e.Kind, e.Text, tt.kind, tt.want)
			}
		})
	}
}

func TestNotificationBurstsFold(t *testing.T) {
	people := []Person{{ID: "P1", Kind: "user", Name: "Ann"}, {ID: "P2", Kind: "user", Name: "Bo"}, {ID: "P3", Kind: "user", Name: "Cy"}, {ID: "P4", Kind: "user", Name: "Di"}}
	var les []LogEntry
	id := 0
	next := func() string { id++; return strings.Repeat("0", 5-len(itoa(id))) + itoa(id) }
	for round := 0; round < 37; round++ {
		for _, p := range people {
			for _, ch := range []string{"phone", "sms"} {
				les = append(les, LogEntry{ID: next(), Type: "notify", At: at(0), Users: []Person{p}, Notification: ch})
			}
		}
		les = append(les, LogEntry{ID: next(), Type: "escalate", At: at(0), EscalationLevel: 1})
	}
	inc := Incident{LogEntries: les}
	tl := BuildTimeline(inc)
	d := NewDocument(inc, tl, ComputeFacts(inc, tl), DocumentOptions{})
	var found bool
	for _, r := range d.Condensed {
		if r.Kind == string(KindNotified) {
			if r.Text != "Paged 4 responders by phone and SMS" {
				t.Errorf("burst row %q", r.Text)
			}
			found = true
		}
	}
	if !found {
		t.Fatal("no notification row")
	}
	if len(d.Timeline) != 37*9 {
		t.Errorf("complete timeline has %d rows, want %d", len(d.Timeline), 37*9)
	}
	// The burst and the escalation repeat as a cycle: two rows, each counted 37 times.
	if len(d.Condensed) != 2 || d.Condensed[0].String() != "Paged 4 responders by phone and SMS (37 times, 296 pages)" || d.Condensed[1].Count != 37 {
		t.Errorf("condensed timeline = %+v", d.Condensed)
	}
}

func itoa(n int) string {
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}
