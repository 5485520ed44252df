package postmortem

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind classifies a timeline entry in the words responders use.
type Kind string

// The kinds of timeline entries. The key ones are what a reader scans for first.
const (
	KindTriggered      Kind = "triggered"
	KindNotified       Kind = "notified"
	KindAcknowledged   Kind = "acknowledged"
	KindUnacknowledged Kind = "unacknowledged"
	KindAssigned       Kind = "assigned"
	KindEscalated      Kind = "escalated"
	KindResponder      Kind = "responder"
	KindNote           Kind = "note"
	KindStatusUpdate   Kind = "status update"
	KindPriority       Kind = "priority"
	KindUrgency        Kind = "urgency"
	KindConference     Kind = "conference"
	KindSnoozed        Kind = "snoozed"
	KindReopened       Kind = "reopened"
	KindResolved       Kind = "resolved"
	KindMerged         Kind = "merged"
	KindField          Kind = "field"
	KindOther          Kind = "other"
)

// Key reports whether entries of this kind belong in the key-moments table.
func (k Kind) Key() bool {
	switch k {
	case KindTriggered, KindAcknowledged, KindEscalated, KindResponder, KindNote, KindStatusUpdate,
		KindPriority, KindReopened, KindResolved, KindMerged:
		return true
	}
	return false
}

// Source says where a timeline entry came from.
type Source string

// The sources of timeline entries.
const (
	SourceLogEntry Source = "log entry"
	SourceNote     Source = "note"
	SourceWebhook  Source = "webhook"
	// SourceIncident marks an entry taken from the incident's own fields (acknowledgements, assignments,
	// resolved_at) because no log entry or event records it.
	SourceIncident Source = "incident"
)

// Entry is one moment of an incident's timeline. Text is plain text (not yet escaped for Markdown).
type Entry struct {
	At    time.Time
	ID    string
	Kind  Kind
	Actor Person
	// People are the users the entry is about: notified, assigned, added as responders.
	People []Person
	Text   string
	Source Source
	// Type is the original PagerDuty type: the log entry type or the webhook event type.
	Type string
	// URL is the PagerDuty page of the log entry it comes from (or mirrors), empty when there is none.
	URL string
	// Channel is how a notification went out ("phone", "SMS"), Outcome what became of it ("answered",
	// "not answered", "failed"); empty when PagerDuty does not say.
	Channel, Outcome string
	// Priority and PreviousPriority are the new and the previous priority's names of a priority change;
	// Role is the role given by a role assignment. Empty when PagerDuty does not say.
	Priority, PreviousPriority, Role string
	// Detail is the state of a responder request ("pending", "joined"), empty when PagerDuty does not say.
	Detail string
}

// Timeline is an incident's entries from every source, without duplicates, ordered by time then ID.
type Timeline []Entry

// duplicateWindow is how far apart the same moment may be stamped by two sources (a webhook's occurred_at
// and a log entry's created_at differ by up to a few seconds).
const duplicateWindow = 2 * time.Minute

// BuildTimeline merges an incident's log entries, notes and stored webhook events. Notes also appear as
// annotate log entries and most webhook events mirror a log entry: those copies are dropped, keeping the
// richer source. Nothing of an unknown type is dropped.
func BuildTimeline(inc Incident) Timeline {
	entries := make([]Entry, 0, len(inc.LogEntries)+len(inc.Notes)+len(inc.Events)+len(inc.Acknowledgements)+1)
	// notes maps a note's text to the indexes of its entries, so that its mirror in the log lends it a link.
	notes := make(map[string][]int, len(inc.Notes))
	for _, n := range inc.Notes {
		if IsBackLinkNote(n.Content) {
			continue
		}
		key := normalizeNote(n.Content)
		notes[key] = append(notes[key], len(entries))
		entries = append(entries, Entry{At: n.At, ID: n.ID, Kind: KindNote, Actor: n.User, Text: n.Content, Source: SourceNote, Type: "note"})
	}
	noteAt := func(text string, at time.Time) (int, bool) {
		for _, i := range notes[normalizeNote(text)] {
			if d := entries[i].At.Sub(at); d <= duplicateWindow && d >= -duplicateWindow {
				return i, true
			}
		}
		return 0, false
	}
	byType := map[Kind][]time.Time{}
	// statusUpdates are the status update log entries: their message, empty when the entry carries none.
	type statusUpdate struct {
		at      time.Time
		message string
	}
	var statusUpdates []statusUpdate
	for _, le := range inc.LogEntries {
		e := logEntryToEntry(le)
		if e.Kind == KindNote {
			if IsBackLinkNote(le.Note) {
				continue
			}
			if i, ok := noteAt(le.Note, le.At); ok {
				if entries[i].URL == "" {
					entries[i].URL = le.URL
				}
				continue
			}
		}
		if e.Kind == KindStatusUpdate {
			statusUpdates = append(statusUpdates, statusUpdate{le.At, normalizeNote(le.Note)})
		}
		byType[e.Kind] = append(byType[e.Kind], le.At)
		entries = append(entries, e)
	}
	seenEvents := make(map[string]bool, len(inc.Events))
	for _, ev := range inc.Events {
		if seenEvents[ev.ID] {
			continue
		}
		seenEvents[ev.ID] = true
		e := eventToEntry(ev)
		if e.Kind == KindNote {
			if _, ok := noteAt(ev.Text, ev.At); ok || IsBackLinkNote(ev.Text) {
				continue
			}
		}
		if e.Kind == KindStatusUpdate {
			// The log entry of the same update has its message, or none: one with another message is another
			// update published within the same minutes.
			msg := normalizeNote(ev.Text)
			if slices.ContainsFunc(statusUpdates, func(u statusUpdate) bool {
				return near([]time.Time{u.at}, ev.At) && (u.message == "" || msg == "" || u.message == msg)
			}) {
				continue
			}
			// A status update seen twice as webhook events (a redelivery under a new ID) is one update.
			if slices.ContainsFunc(entries, func(o Entry) bool {
				return o.Kind == KindStatusUpdate && o.Source == SourceWebhook && normalizeNote(o.Text) == msg && near([]time.Time{o.At}, e.At)
			}) {
				continue
			}
		} else if mirroredByLogEntries(e.Kind) && near(byType[e.Kind], ev.At) {
			continue
		}
		byType[e.Kind] = append(byType[e.Kind], ev.At)
		entries = append(entries, e)
	}
	entries = append(entries, incidentFieldEntries(inc, entries)...)
	slices.SortStableFunc(entries, func(a, b Entry) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return entries
}

// incidentFieldEntries are the moments the incident's own fields record and no log entry or event does:
// an acknowledgement, an assignment, the resolution.
func incidentFieldEntries(inc Incident, have []Entry) []Entry {
	recorded := func(k Kind, p Person, at time.Time) bool {
		return slices.ContainsFunc(have, func(e Entry) bool {
			if e.Kind != k {
				return false
			}
			if k == KindResolved {
				return true
			}
			if k == KindAssigned {
				return slices.ContainsFunc(e.People, func(q Person) bool { return samePerson(p, q) })
			}
			return samePerson(e.Actor, p) || e.Actor == (Person{}) && near([]time.Time{e.At}, at)
		})
	}
	var out []Entry
	for i, a := range inc.Acknowledgements {
		if a.At.IsZero() || recorded(KindAcknowledged, a.Person, a.At) {
			continue
		}
		out = append(out, Entry{At: a.At, ID: "incident-acknowledgement-" + strconv.Itoa(i+1), Kind: KindAcknowledged,
			Actor: a.Person, Text: "Acknowledged (from the incident's acknowledgements)", Source: SourceIncident, Type: "acknowledgements"})
	}
	for i, a := range inc.Assignments {
		if a.At.IsZero() || recorded(KindAssigned, a.Person, a.At) {
			continue
		}
		out = append(out, Entry{At: a.At, ID: "incident-assignment-" + strconv.Itoa(i+1), Kind: KindAssigned, People: []Person{a.Person},
			Text: "Assigned to " + orDefault(names([]Person{a.Person}), "a responder") + " (from the incident's assignments)", Source: SourceIncident, Type: "assignments"})
	}
	for i, r := range inc.ResponderRequests {
		if r.At.IsZero() || slices.ContainsFunc(have, func(e Entry) bool {
			return e.Kind == KindResponder && slices.ContainsFunc(e.People, func(q Person) bool { return samePerson(q, r.Person) })
		}) {
			continue
		}
		text := "Responder " + orDefault(names([]Person{r.Person}), "a responder") + " requested" + prefixed(" by ", names([]Person{r.Requester}))
		text += prefixed(" (", r.State) + map[bool]string{true: ")", false: ""}[r.State != ""] + " (from the incident's responders)"
		out = append(out, Entry{At: r.At, ID: "incident-responder-" + strconv.Itoa(i+1), Kind: KindResponder, Actor: r.Requester,
			People: []Person{r.Person}, Text: text, Source: SourceIncident, Type: "incidents_responders", Detail: r.State})
	}
	if !inc.ResolvedAt.IsZero() && !recorded(KindResolved, Person{}, inc.ResolvedAt) {
		e := Entry{At: inc.ResolvedAt, ID: "incident-resolved", Kind: KindResolved, Text: "Resolved (from the incident's resolved_at)", Source: SourceIncident, Type: "resolved_at"}
		if inc.Status == "resolved" {
			// The last status change of a resolved incident is its resolution.
			e.Actor = inc.LastStatusChangeBy
		}
		out = append(out, e)
	}
	return out
}

// samePerson reports whether two references name the same person: by ID when both have one, else by name.
func samePerson(a, b Person) bool {
	if a.ID != "" && b.ID != "" {
		return a.ID == b.ID
	}
	return a.Name != "" && a.Name == b.Name
}

// mirroredByLogEntries reports whether PagerDuty writes a log entry for events of this kind, so that a
// webhook event of the kind duplicates one.
func mirroredByLogEntries(k Kind) bool {
	switch k {
	case KindTriggered, KindAcknowledged, KindUnacknowledged, KindAssigned, KindEscalated, KindNote,
		KindResolved, KindPriority, KindUrgency, KindResponder, KindField:
		return true
	}
	return false
}

func near(times []time.Time, t time.Time) bool {
	for _, u := range times {
		if d := u.Sub(t); d <= duplicateWindow && d >= -duplicateWindow {
			return true
		}
	}
	return false
}

func normalizeNote(s string) string { return strings.Join(strings.Fields(s), " ") }

func logEntryToEntry(le LogEntry) Entry {
	e := Entry{At: le.At, ID: le.ID, Actor: le.Agent, People: le.Users, Source: SourceLogEntry, Type: le.Type + "_log_entry", URL: le.URL}
	if fixed, ok := fixedLogEntries[le.Type]; ok {
		e.Kind, e.Text = fixed.kind, fixed.text
	} else if !pagingEntry(le, &e) && !changeEntry(le, &e) {
		e.Kind = KindOther
		e.Text = orDefault(le.Summary, strings.ReplaceAll(le.Type, "_", " "))
	}
	// PagerDuty's own summary says more than a bare "changed" when the entry carries no details.
	if e.Text == "" || (e.Kind == KindPriority && le.Priority == "" || e.Kind == KindUrgency || e.Kind == KindField) && len(le.Details) == 0 && le.Summary != "" {
		e.Text = le.Summary
	}
	return e
}

// fixedLogEntries are the log entry types whose words never change.
var fixedLogEntries = map[string]struct {
	kind Kind
	text string
}{
	"exhaust_escalation_path": {KindEscalated, "Escalation policy exhausted: every level was notified without an acknowledgement"},
	"repeat_escalation_path":  {KindEscalated, "Escalation policy repeated from the first level"},
	"reach_ack_limit":         {KindOther, "Acknowledgement limit reached; further acknowledgements are not timed out"},
	"reach_trigger_limit":     {KindOther, "Trigger limit reached; further alerts are grouped without new notifications"},
}

// pagingEntry words the log entries of paging people: trigger, acknowledgement, notification, assignment,
// escalation, resolution. It reports false for another type.
func pagingEntry(le LogEntry, e *Entry) bool {
	users := names(le.Users)
	via := channelWords(le.Channel)
	switch le.Type {
	case "trigger":
		e.Kind = KindTriggered
		e.Text = "Incident triggered" + prefixed(" ", via)
		if d := le.Details["description"]; d != "" {
			e.Text += ": " + d
		}
	case "acknowledge":
		e.Kind = KindAcknowledged
		e.Text = "Acknowledged" + prefixed(" ", via)
	case "unacknowledge":
		e.Kind = KindUnacknowledged
		e.Text = "Acknowledgement timed out; the incident is unacknowledged again"
		if le.Channel != "timeout" {
			e.Text = "Unacknowledged by hand"
		}
	case "notify":
		e.Kind = KindNotified
		e.Channel, e.Outcome = notificationWords(le.Notification), notificationOutcome(le.Notification, le.NotificationStatus)
		e.Text = "Notified " + orDefault(users, "a responder") + prefixed(" by ", e.Channel) + prefixed(": ", e.Outcome)
	case "assign":
		e.Kind = KindAssigned
		e.Text = "Assigned to " + orDefault(users, "a responder")
		if le.EscalationLevel > 0 {
			e.Text += fmt.Sprintf(" (escalation level %d)", le.EscalationLevel)
		}
	case "delegate":
		e.Kind = KindAssigned
		e.Text = "Reassigned to " + orDefault(users, "another escalation policy")
	case "escalate":
		e.Kind = KindEscalated
		e.Text = "Escalated"
		if le.EscalationLevel > 0 {
			e.Text += fmt.Sprintf(" to level %d", le.EscalationLevel)
		}
		if users != "" {
			e.Text += " (" + users + ")"
		}
		e.Text += prefixed(" ", escalationReason(le.Channel))
	case "resolve":
		e.Kind = KindResolved
		e.Text = "Resolved" + prefixed(" ", via)
	default:
		return false
	}
	return true
}

// changeEntry words the log entries of changes to the incident: notes, status updates, snoozes, urgency,
// priority and field changes, responder requests. It reports false for another type.
func changeEntry(le LogEntry, e *Entry) bool {
	users := names(le.Users)
	switch le.Type {
	case "annotate":
		e.Kind = KindNote
		e.Text = le.Note
	case "snooze":
		e.Kind = KindSnoozed
		e.Text = "Snoozed"
		if until := le.Details["changed_actions"]; until != "" {
			e.Text += " (" + until + ")"
		}
	case "urgency_change":
		e.Kind = KindUrgency
		e.Text = "Urgency changed" + detailSuffix(le)
	case "priority_change":
		e.Kind = KindPriority
		e.Priority, e.PreviousPriority = le.Priority, le.OldPriority
		switch {
		case le.Priority != "" && le.OldPriority != "":
			e.Text = "Priority changed from " + le.OldPriority + " to " + le.Priority
		case le.Priority != "":
			e.Text = "Priority set to " + le.Priority
		default:
			e.Text = "Priority changed" + detailSuffix(le)
		}
	case "field_value_change", "custom_field_value_change":
		e.Kind = KindField
		e.Text = "Field changed" + detailSuffix(le)
	case "status_update":
		e.Kind = KindStatusUpdate
		e.Text = orDefault(le.Note, le.Summary)
	case "responder_request":
		e.Kind = KindResponder
		e.Text = "Responders requested"
		if users != "" {
			e.Text += ": " + users
		}
	default:
		return false
	}
	return true
}

func eventToEntry(ev Event) Entry {
	e := Entry{At: ev.At, ID: ev.ID, Actor: ev.Agent, People: ev.People, Source: SourceWebhook, Type: ev.Type}
	people := names(ev.People)
	switch ev.Type {
	case "incident.triggered":
		e.Kind, e.Text = KindTriggered, "Incident triggered"
	case "incident.acknowledged":
		e.Kind, e.Text = KindAcknowledged, "Acknowledged"
	case "incident.unacknowledged":
		e.Kind, e.Text = KindUnacknowledged, "Unacknowledged; the acknowledgement timed out or was undone"
	case "incident.annotated":
		e.Kind, e.Text = KindNote, ev.Text
	case "incident.status_update_published":
		e.Kind, e.Text = KindStatusUpdate, ev.Text
	case "incident.priority_updated":
		e.Kind, e.Text, e.Priority = KindPriority, "Priority set to "+orDefault(ev.Text, "none"), ev.Text
	case "incident.responder.added":
		e.Kind, e.Text = KindResponder, "Responder "+orDefault(people, "requested")+" added"
	case "incident.responder.replied":
		e.Kind, e.Text = KindResponder, "Responder "+orDefault(people, "")+" replied"+prefixed(": ", ev.Text)
	case "incident.reassigned":
		e.Kind, e.Text = KindAssigned, "Reassigned to "+orDefault(people, "another responder")
	case "incident.delegated":
		e.Kind, e.Text = KindAssigned, "Delegated to "+orDefault(people, "another escalation policy")
	case "incident.escalated":
		e.Kind, e.Text = KindEscalated, "Escalated to "+orDefault(people, "the next level")
	case "incident.reopened":
		e.Kind, e.Text = KindReopened, "Reopened"
	case "incident.resolved":
		e.Kind, e.Text = KindResolved, "Resolved"
	case "incident.conference_bridge.updated":
		e.Kind, e.Text = KindConference, "Conference bridge set"+prefixed(": ", ev.Text)
	case "incident.service_updated":
		e.Kind, e.Text = KindOther, "Moved to service "+orDefault(ev.Text, ev.Incident.Service.Name)
	case "incident.incident_type.changed":
		e.Kind, e.Text = KindField, "Incident type changed"+prefixed(" to ", ev.Text)
	case "incident.custom_field_values.updated":
		e.Kind, e.Text = KindField, "Custom fields updated"
	case "incident.role.assigned":
		e.Kind, e.Text, e.Role = KindResponder, "Role assigned"+prefixed(": ", ev.Text)+prefixed(" to ", people), ev.Text
	case "incident.task.created":
		e.Kind, e.Text = KindOther, "Task created"+prefixed(": ", ev.Text)
	case "incident.task.updated":
		e.Kind, e.Text = KindOther, "Task updated"+prefixed(": ", ev.Text)
	case "incident.task.completed":
		e.Kind, e.Text = KindOther, "Task completed"+prefixed(": ", ev.Text)
	case "incident.workflow.started":
		e.Kind, e.Text = KindOther, "Incident workflow started"+prefixed(": ", ev.Text)
	case "incident.workflow.completed":
		e.Kind, e.Text = KindOther, "Incident workflow completed"+prefixed(": ", ev.Text)
	default:
		e.Kind = KindOther
		if action, ok := strings.CutPrefix(ev.Type, "incident.action_invocation."); ok {
			e.Text = "Automation action " + action + prefixed(": ", ev.Text)
			break
		}
		e.Text = strings.ReplaceAll(strings.TrimPrefix(ev.Type, "incident."), "_", " ")
		e.Text = strings.ReplaceAll(e.Text, ".", " ")
		if ev.Text != "" {
			e.Text += ": " + ev.Text
		}
	}
	return e
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

func names(people []Person) string {
	out := make([]string, 0, len(people))
	for _, p := range people {
		if n := orDefault(p.Name, p.ID); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}

func detailSuffix(le LogEntry) string {
	if len(le.Details) == 0 {
		return ""
	}
	keys := make([]string, 0, len(le.Details))
	for k := range le.Details {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+le.Details[k])
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

func channelWords(channel string) string {
	switch channel {
	case "":
		return ""
	case "api":
		return "through the API"
	case "web_trigger", "website":
		return "from the web app"
	case "email":
		return "by email"
	case "phone":
		return "by phone"
	case "sms":
		return "by SMS"
	case "mobile":
		return "from the mobile app"
	case "auto":
		return "automatically"
	case "timeout":
		return "after a timeout"
	case "integration":
		return "by an integration"
	case "slack":
		return "from Slack"
	}
	return "via " + strings.ReplaceAll(channel, "_", " ")
}

// escalationReason says why an escalation happened, from the channel PagerDuty records for it.
func escalationReason(channel string) string {
	switch channel {
	case "":
		return ""
	case "timeout":
		return "after the acknowledgement timeout ran out"
	case "web_trigger", "website", "api", "mobile", "slack", "email", "phone", "sms":
		return "by hand " + channelWords(channel)
	case "auto":
		return "by the escalation policy"
	case "reassign", "reassignment", "delegate":
		return "by a reassignment"
	}
	return channelWords(channel)
}

// notificationOutcome says what became of a notification as PagerDuty reports it, in a reader's words:
// "answered" (a phone call that succeeded), "delivered", "not answered", "failed", "bounced", ...; "" when
// PagerDuty does not say.
func notificationOutcome(kind, status string) string {
	switch strings.ToLower(status) {
	case "":
		return ""
	case "success", "sent", "delivered", "answered", "acknowledged":
		if kind == "phone" || kind == "phone_notification" {
			return "answered"
		}
		return "delivered"
	case "no_answer", "not_answered", "unanswered", "no-answer":
		return "not answered"
	case "busy":
		return "line busy"
	case "failed", "failure", "error":
		return "failed"
	case "bounced", "bounce":
		return "bounced"
	case "voicemail", "left_voicemail":
		return "went to voicemail"
	case "blocked", "opted_out", "unsubscribed":
		return "blocked by the recipient"
	}
	return strings.ReplaceAll(strings.ToLower(status), "_", " ")
}

func notificationWords(kind string) string {
	switch kind {
	case "":
		return ""
	case "sms_notification", "sms":
		return "SMS"
	case "phone_notification", "phone":
		return "phone"
	case "email_notification", "email":
		return "email"
	case "push_notification":
		return "push notification"
	}
	return strings.ReplaceAll(strings.TrimSuffix(kind, "_notification"), "_", " ")
}
