package postmortem

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unique"
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
	b := timelineBuilder{
		entries:        make([]Entry, 0, len(inc.Notes)),
		notes:          make(map[string][]int, len(inc.Notes)),
		byType:         map[Kind]*moments{},
		webhookUpdates: map[string]*moments{},
	}
	b.addNotes(inc.Notes)
	// Room for every entry but the notes' mirrors in the log, those from the incident's own fields included:
	// a giant incident's timeline is never copied to grow, nor larger than it needs.
	room := len(b.entries) + len(inc.LogEntries) - b.mirroredNotes(inc.LogEntries) + len(inc.Events) +
		len(inc.Acknowledgements) + len(inc.Assignments) + len(inc.ResponderRequests) + 1
	b.entries = append(make([]Entry, 0, room), b.entries...)
	b.addLogEntries(inc.LogEntries)
	b.addEvents(inc.Events)
	entries := append(b.entries, incidentFieldEntries(inc, b.entries)...)
	slices.SortStableFunc(entries, func(a, b Entry) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return entries
}

// timelineBuilder gathers a timeline's entries source by source, remembering what it needs to drop the
// copies of the next sources without scanning every entry again.
type timelineBuilder struct {
	entries []Entry
	// notes maps a note's text to the indexes of its entries, so that its mirror in the log lends it a link.
	notes map[string][]int
	// byType holds the times of the entries of each kind, to tell a webhook event mirroring one.
	byType map[Kind]*moments
	// statusUpdates are the status update log entries: their message, empty when the entry carries none.
	statusUpdates []statusUpdate
	// webhookUpdates holds the times of the status updates taken from webhook events, by message.
	webhookUpdates map[string]*moments
}

type statusUpdate struct {
	at      time.Time
	message string
}

func (b *timelineBuilder) addNotes(notes []Note) {
	for _, n := range notes {
		if IsBackLinkNote(n.Content) {
			continue
		}
		key := normalizeNote(n.Content)
		b.notes[key] = append(b.notes[key], len(b.entries))
		b.entries = append(b.entries, Entry{At: n.At, ID: n.ID, Kind: KindNote, Actor: n.User, Text: n.Content, Source: SourceNote, Type: "note"})
	}
}

// noteAt returns the index of the note of that text within the duplicate window of at.
func (b *timelineBuilder) noteAt(text string, at time.Time) (int, bool) {
	for _, i := range b.notes[normalizeNote(text)] {
		if d := b.entries[i].At.Sub(at); d <= duplicateWindow && d >= -duplicateWindow {
			return i, true
		}
	}
	return 0, false
}

// mirroredNotes counts the log entries addLogEntries drops as copies of notes.
func (b *timelineBuilder) mirroredNotes(logEntries []LogEntry) int {
	n := 0
	for i := range logEntries {
		if le := &logEntries[i]; le.Type == "annotate" {
			if _, ok := b.noteAt(le.Note, le.At); ok || IsBackLinkNote(le.Note) {
				n++
			}
		}
	}
	return n
}

func (b *timelineBuilder) addLogEntries(logEntries []LogEntry) {
	for i := range logEntries {
		le := &logEntries[i]
		e := logEntryToEntry(*le)
		if e.Kind == KindNote {
			if IsBackLinkNote(le.Note) {
				continue
			}
			if j, ok := b.noteAt(le.Note, le.At); ok {
				if b.entries[j].URL == "" {
					b.entries[j].URL = le.URL
				}
				continue
			}
		}
		if e.Kind == KindStatusUpdate {
			b.statusUpdates = append(b.statusUpdates, statusUpdate{le.At, normalizeNote(le.Note)})
		}
		b.add(e)
	}
}

// add appends an entry and notes the time of its kind.
func (b *timelineBuilder) add(e Entry) {
	m := b.byType[e.Kind]
	if m == nil {
		m = &moments{}
		b.byType[e.Kind] = m
	}
	m.add(e.At)
	b.entries = append(b.entries, e)
}

func (b *timelineBuilder) addEvents(events []Event) {
	seen := make(map[string]bool, len(events))
	for _, ev := range events {
		if seen[ev.ID] {
			continue
		}
		seen[ev.ID] = true
		e := eventToEntry(ev)
		if e.Kind == KindNote {
			if _, ok := b.noteAt(ev.Text, ev.At); ok || IsBackLinkNote(ev.Text) {
				continue
			}
		}
		if e.Kind == KindStatusUpdate {
			if b.knownStatusUpdate(ev) {
				continue
			}
		} else if mirroredByLogEntries(e.Kind) && b.byType[e.Kind].near(ev.At) {
			continue
		}
		b.add(e)
	}
}

// knownStatusUpdate reports whether a status update event is already in the timeline, and otherwise notes
// it as known.
func (b *timelineBuilder) knownStatusUpdate(ev Event) bool {
	// The log entry of the same update has its message, or none: one with another message is another
	// update published within the same minutes.
	msg := normalizeNote(ev.Text)
	if slices.ContainsFunc(b.statusUpdates, func(u statusUpdate) bool {
		return near([]time.Time{u.at}, ev.At) && (u.message == "" || msg == "" || u.message == msg)
	}) {
		return true
	}
	// A status update seen twice as webhook events (a redelivery under a new ID) is one update.
	m := b.webhookUpdates[msg]
	if m.near(ev.At) {
		return true
	}
	if m == nil {
		m = &moments{}
		b.webhookUpdates[msg] = m
	}
	m.add(ev.At)
	return false
}

// moments are times kept sorted, to tell in O(log n) whether one is within the duplicate window of a time.
type moments struct{ times []time.Time }

func (m *moments) add(t time.Time) {
	n := len(m.times)
	if n == 0 || !t.Before(m.times[n-1]) {
		m.times = append(m.times, t) // the usual case: entries come in order
		return
	}
	i, _ := slices.BinarySearchFunc(m.times, t, time.Time.Compare)
	m.times = slices.Insert(m.times, i, t)
}

// near reports whether some time is within the duplicate window of t; a nil m holds none.
func (m *moments) near(t time.Time) bool {
	if m == nil {
		return false
	}
	i, _ := slices.BinarySearchFunc(m.times, t.Add(-duplicateWindow), time.Time.Compare)
	return i < len(m.times) && !m.times[i].After(t.Add(duplicateWindow))
}

// incidentFieldEntries are the moments the incident's own fields record and no log entry or event does:
// an acknowledgement, an assignment, the resolution.
func incidentFieldEntries(inc Incident, have []Entry) []Entry {
	// Only the entries of the kinds the incident's fields record are looked through.
	byKind := map[Kind][]int{}
	for i := range have {
		switch k := have[i].Kind; k {
		case KindAcknowledged, KindAssigned, KindResponder, KindResolved:
			byKind[k] = append(byKind[k], i)
		}
	}
	recorded := func(k Kind, match func(e *Entry) bool) bool {
		return slices.ContainsFunc(byKind[k], func(i int) bool { return match(&have[i]) })
	}
	var out []Entry
	for i, a := range inc.Acknowledgements {
		if a.At.IsZero() || recorded(KindAcknowledged, func(e *Entry) bool {
			return samePerson(e.Actor, a.Person) || e.Actor == (Person{}) && near([]time.Time{e.At}, a.At)
		}) {
			continue
		}
		out = append(out, Entry{At: a.At, ID: "incident-acknowledgement-" + strconv.Itoa(i+1), Kind: KindAcknowledged,
			Actor: a.Person, Text: "Acknowledged (from the incident's acknowledgements)", Source: SourceIncident, Type: "acknowledgements"})
	}
	for i, a := range inc.Assignments {
		if a.At.IsZero() || recorded(KindAssigned, func(e *Entry) bool { return includesPerson(e.People, a.Person) }) {
			continue
		}
		out = append(out, Entry{At: a.At, ID: "incident-assignment-" + strconv.Itoa(i+1), Kind: KindAssigned, People: []Person{a.Person},
			Text: "Assigned to " + orDefault(names([]Person{a.Person}), "a responder") + " (from the incident's assignments)", Source: SourceIncident, Type: "assignments"})
	}
	for i, r := range inc.ResponderRequests {
		if r.At.IsZero() || recorded(KindResponder, func(e *Entry) bool { return includesPerson(e.People, r.Person) }) {
			continue
		}
		out = append(out, responderRequestEntry(i, r))
	}
	if !inc.ResolvedAt.IsZero() && len(byKind[KindResolved]) == 0 {
		e := Entry{At: inc.ResolvedAt, ID: "incident-resolved", Kind: KindResolved, Text: "Resolved (from the incident's resolved_at)", Source: SourceIncident, Type: "resolved_at"}
		if inc.Status == "resolved" {
			// The last status change of a resolved incident is its resolution.
			e.Actor = inc.LastStatusChangeBy
		}
		out = append(out, e)
	}
	return out
}

// names1 reports whether people includes p.
func includesPerson(people []Person, p Person) bool {
	return slices.ContainsFunc(people, func(q Person) bool { return samePerson(p, q) })
}

// responderRequestEntry is the entry of the incident's i-th responder request.
func responderRequestEntry(i int, r ResponderRequest) Entry {
	text := "Responder " + orDefault(names([]Person{r.Person}), "a responder") + " requested" + prefixed(" by ", names([]Person{r.Requester}))
	text += prefixed(" (", r.State) + map[bool]string{true: ")", false: ""}[r.State != ""] + " (from the incident's responders)"
	return Entry{At: r.At, ID: "incident-responder-" + strconv.Itoa(i+1), Kind: KindResponder, Actor: r.Requester,
		People: []Person{r.Person}, Text: text, Source: SourceIncident, Type: "incidents_responders", Detail: r.State}
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
	// A giant incident's entries repeat the same few texts ("Notified Ana by phone: answered"): each is
	// kept once.
	e.Type, e.Text = shared(e.Type), shared(e.Text)
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

// labelledEvents are the webhook events worded as a fixed label and the event's own text.
var labelledEvents = map[string]struct {
	kind  Kind
	label string
}{
	"incident.conference_bridge.updated": {KindConference, "Conference bridge set"},
	"incident.task.created":              {KindOther, "Task created"},
	"incident.task.updated":              {KindOther, "Task updated"},
	"incident.task.completed":            {KindOther, "Task completed"},
	"incident.workflow.started":          {KindOther, "Incident workflow started"},
	"incident.workflow.completed":        {KindOther, "Incident workflow completed"},
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
	case "incident.service_updated":
		e.Kind, e.Text = KindOther, "Moved to service "+orDefault(ev.Text, ev.Incident.Service.Name)
	case "incident.incident_type.changed":
		e.Kind, e.Text = KindField, "Incident type changed"+prefixed(" to ", ev.Text)
	case "incident.custom_field_values.updated":
		e.Kind, e.Text = KindField, "Custom fields updated"
	case "incident.role.assigned":
		e.Kind, e.Text, e.Role = KindResponder, "Role assigned"+prefixed(": ", ev.Text)+prefixed(" to ", people), ev.Text
	default:
		if l, ok := labelledEvents[ev.Type]; ok {
			e.Kind, e.Text = l.kind, l.label+prefixed(": ", ev.Text)
			break
		}
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

// shared returns the one copy of s the process keeps while anything uses it.
func shared(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
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
