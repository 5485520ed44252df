package postmortem

import (
	"strconv"
	"strings"
	"time"
)

// FactsConfig says which explicit signals in notes and status updates carry facts that PagerDuty has no
// field for. A note or status update that starts with one of the prefixes (case-insensitively) states the
// fact; nothing else does, so a sentence such as "not mitigated yet" never counts.
type FactsConfig struct {
	// MitigatedPrefixes start a note or status update that reports the impact mitigated; nil for
	// DefaultMitigatedPrefixes.
	MitigatedPrefixes []string `yaml:"mitigated_prefixes"`
	// ImpactStartPrefixes start a note or status update that says when the impact started, followed by a
	// time ("Impact started: 07:30 UTC"); nil for DefaultImpactStartPrefixes.
	ImpactStartPrefixes []string `yaml:"impact_start_prefixes"`
	// MitigatedField and ImpactStartField name incident custom fields holding the time (RFC 3339) of the
	// mitigation and of the impact start; a value there wins over notes. Empty for none.
	MitigatedField   string `yaml:"mitigated_field"`
	ImpactStartField string `yaml:"impact_start_field"`
}

// The default prefixes of explicit facts.
var (
	DefaultMitigatedPrefixes   = []string{"Mitigated:"}
	DefaultImpactStartPrefixes = []string{"Impact started:"}
)

// Sourced is a moment of the incident and where it was read from. The zero value is unknown (TBD).
type Sourced struct {
	At time.Time
	// What the fact was read from: "note", "status update", "log entry", "webhook", or the incident's own
	// field ("acknowledgements", "resolved_at", "created_at").
	From string
	// By is who wrote the note or status update, or did what the log entry records; zero for a field.
	By Person
	// Entry is the time the source itself was written, which a note stating an earlier time differs from.
	Entry time.Time
	// Type is the PagerDuty type of the log entry or event ("trigger_log_entry"); URL its page, if any.
	Type, URL string
}

// Known reports whether the moment is known.
func (s Sourced) Known() bool { return !s.At.IsZero() }

// Facts are the figures of an incident's impact section, each computed from PagerDuty data, with its source.
type Facts struct {
	// ImpactStarted is when the impact began: known only when a note or status update says so with an
	// impact-start prefix. Detected is when PagerDuty was first alerted: the first trigger, else the first
	// alert, else the incident's creation.
	ImpactStarted Sourced
	Detected      Sourced
	// Acknowledged is the first acknowledgement, Mitigated the first explicit mitigation signal, Resolved
	// the last resolution. Unknown when it did not happen or no source records it.
	Acknowledged Sourced
	Mitigated    Sourced
	Resolved     Sourced
	// TimeToDetect runs from ImpactStarted, the others from Detected; zero when either end is unknown.
	TimeToDetect      time.Duration
	TimeToAcknowledge time.Duration
	TimeToMitigate    time.Duration
	TimeToResolve     time.Duration
	Escalations       int
	// Notifications counts the pages sent (every notification on every channel), NotificationsAfterAck
	// those sent after the first acknowledgement, NotificationsFailed those that did not reach the person.
	Notifications         int
	NotificationsAfterAck int
	NotificationsFailed   int
	Reopened              int
	// Priorities is how long the incident spent at each priority, in the order they were first held,
	// from detection to resolution.
	Priorities []PriorityTime
	Responders []Responder
	// FromLog is false when the incident's log entries were not read (an incident known from its webhooks
	// alone): pages and escalations are then unknown, not zero.
	FromLog bool
}

// PriorityTime is how long an incident held a priority. Priority is "unknown" for a stretch whose priority
// PagerDuty does not record.
type PriorityTime struct {
	Priority string
	Duration time.Duration
}

// Responder is a person who took part in the response and what they did, in the order they first appear.
type Responder struct {
	Person
	// Role is the incident role PagerDuty gives them ("Incident Commander"), empty when it gives none.
	Role         string
	Acknowledged bool
	Resolved     bool
	Assigned     bool
	Notes        int
	// StatusUpdates counts the status updates they published to stakeholders.
	StatusUpdates int
	Notified      int
	// Requested is true when someone asked them to join the response; RequestState is PagerDuty's state
	// of the request ("pending", "joined"), empty when it does not say.
	Requested    bool
	RequestState string
	// NotReached counts their notifications that did not reach them (not answered, failed, bounced).
	NotReached int
	// First is when the responder first appears in the timeline, FirstAcknowledged their first
	// acknowledgement, Joined the first thing they did themselves (acknowledge, note, resolve, reply);
	// zero for none.
	First             time.Time
	FirstAcknowledged time.Time
	Joined            time.Time
}

// Did describes what the responder did, in a few words.
func (r Responder) Did() string {
	var parts []string
	if r.Acknowledged {
		parts = append(parts, "acknowledged")
	}
	if r.Assigned {
		parts = append(parts, "was assigned")
	}
	switch {
	case r.Notes == 1:
		parts = append(parts, "added a note")
	case r.Notes > 1:
		parts = append(parts, "added "+strconv.Itoa(r.Notes)+" notes")
	}
	switch {
	case r.StatusUpdates == 1:
		parts = append(parts, "published a status update")
	case r.StatusUpdates > 1:
		parts = append(parts, "published "+strconv.Itoa(r.StatusUpdates)+" status updates")
	}
	if r.Resolved {
		parts = append(parts, "resolved")
	}
	if len(parts) == 0 && r.Requested {
		parts = append(parts, "was asked to join")
		if r.RequestState != "" {
			parts[0] += " (" + r.RequestState + ")"
		}
	}
	if len(parts) == 0 && r.Notified > 0 {
		parts = append(parts, "was notified")
	}
	return strings.Join(parts, ", ")
}

// ComputeFacts derives the impact figures of an incident from it and its timeline, with the default
// prefixes.
func ComputeFacts(inc Incident, tl Timeline) Facts { return FactsConfig{}.Compute(inc, tl) }

// Compute derives the impact figures of an incident from it and its timeline.
func (c FactsConfig) Compute(inc Incident, tl Timeline) Facts {
	b := factsBuilder{
		f:          Facts{FromLog: len(inc.LogEntries) > 0},
		mitigated:  orPrefixes(c.MitigatedPrefixes, DefaultMitigatedPrefixes),
		started:    orPrefixes(c.ImpactStartPrefixes, DefaultImpactStartPrefixes),
		responders: map[string]*Responder{},
	}
	for _, e := range tl {
		b.add(e)
	}
	f := b.f
	c.fromCustomFields(inc, &f)
	detection(inc, &f)
	if f.Detected.Known() {
		f.TimeToAcknowledge = since(f.Detected.At, f.Acknowledged.At)
		f.TimeToMitigate = since(f.Detected.At, f.Mitigated.At)
		f.TimeToResolve = since(f.Detected.At, f.Resolved.At)
		if f.ImpactStarted.Known() {
			f.TimeToDetect = since(f.ImpactStarted.At, f.Detected.At)
		}
	}
	f.Priorities = priorityTimes(inc, tl, f.Detected.At, f.Resolved.At)
	for _, key := range b.order {
		f.Responders = append(f.Responders, *b.responders[key])
	}
	return f
}

// factsBuilder gathers the facts and the responders of a timeline, one entry at a time.
type factsBuilder struct {
	f                  Facts
	mitigated, started []string
	responders         map[string]*Responder
	order              []string
}

// responder is the responder p, created at its first appearance; nil for a person who is not a user.
func (b *factsBuilder) responder(p Person, at time.Time) *Responder {
	if !p.IsUser() {
		return nil
	}
	key := personKey(p)
	if key == "" {
		return nil
	}
	r, ok := b.responders[key]
	if !ok {
		r = &Responder{Person: p, First: at}
		b.responders[key] = r
		b.order = append(b.order, key)
	}
	return r
}

// joined records the first time r took part, if r is a responder.
func joined(r *Responder, at time.Time) {
	if r != nil && r.Joined.IsZero() {
		r.Joined = at
	}
}

// add takes one timeline entry into the facts.
func (b *factsBuilder) add(e Entry) {
	f := &b.f
	switch e.Kind {
	case KindTriggered:
		if !f.Detected.Known() {
			f.Detected = sourced(e, e.At)
		}
	case KindAcknowledged:
		if !f.Acknowledged.Known() {
			f.Acknowledged = sourced(e, e.At)
		}
		if r := b.responder(e.Actor, e.At); r != nil {
			if !r.Acknowledged {
				r.FirstAcknowledged = e.At
			}
			r.Acknowledged = true
			joined(r, e.At)
		}
	case KindResolved:
		f.Resolved = sourced(e, e.At)
		if r := b.responder(e.Actor, e.At); r != nil {
			r.Resolved = true
			joined(r, e.At)
		}
	case KindEscalated:
		f.Escalations++
	case KindReopened:
		f.Reopened++
	case KindNotified:
		b.notified(e)
	case KindAssigned:
		for _, u := range e.People {
			if r := b.responder(u, e.At); r != nil {
				r.Assigned = true
			}
		}
	case KindResponder:
		b.responderChange(e)
	case KindNote, KindStatusUpdate:
		b.note(e)
	}
}

// notified counts a notification, and whether it reached its people.
func (b *factsBuilder) notified(e Entry) {
	f := &b.f
	f.Notifications++
	if f.Acknowledged.Known() && e.At.After(f.Acknowledged.At) {
		f.NotificationsAfterAck++
	}
	missed := e.Outcome != "" && e.Outcome != "answered" && e.Outcome != "delivered"
	if missed {
		f.NotificationsFailed++
	}
	for _, u := range e.People {
		if r := b.responder(u, e.At); r != nil {
			r.Notified++
			if missed {
				r.NotReached++
			}
		}
	}
}

// responderChange records a role given to people, or a request for them to respond and its state.
func (b *factsBuilder) responderChange(e Entry) {
	for _, u := range e.People {
		r := b.responder(u, e.At)
		if r == nil {
			continue
		}
		if e.Role != "" {
			r.Role = e.Role
		} else {
			r.Requested = true
			if e.Detail != "" {
				r.RequestState = e.Detail
			}
		}
	}
	if e.Type == "incident.responder.replied" {
		joined(b.responder(e.Actor, e.At), e.At)
	}
}

// note counts a note or status update for its author, and reads the facts stated by its prefix.
func (b *factsBuilder) note(e Entry) {
	f := &b.f
	if r := b.responder(e.Actor, e.At); r != nil {
		if e.Kind == KindNote {
			r.Notes++
		} else {
			r.StatusUpdates++
		}
		joined(r, e.At)
	}
	if rest, ok := cutPrefix(e.Text, b.mitigated); ok && !f.Mitigated.Known() && !negated(rest) {
		at, ok := statedTime(rest, e.At)
		if !ok {
			at = e.At
		}
		f.Mitigated = sourced(e, at)
	}
	if rest, ok := cutPrefix(e.Text, b.started); ok && !f.ImpactStarted.Known() {
		if at, ok := statedTime(rest, e.At); ok {
			f.ImpactStarted = sourced(e, at)
		}
	}
}

// fromCustomFields takes the mitigation and impact start from the incident's custom fields configured for
// them, over what notes said.
func (c FactsConfig) fromCustomFields(inc Incident, f *Facts) {
	for _, field := range []struct {
		name string
		dst  *Sourced
	}{{c.MitigatedField, &f.Mitigated}, {c.ImpactStartField, &f.ImpactStarted}} {
		if v := strings.TrimSpace(inc.CustomFields[field.name]); field.name != "" && v != "" {
			if at, err := time.Parse(time.RFC3339, v); err == nil {
				*field.dst = Sourced{At: at.UTC(), From: "custom field " + field.name}
			}
		}
	}
}

// detection settles when the incident was detected: its creation when that came before its first
// recorded trigger, else its first alert or its creation when no trigger was recorded.
func detection(inc Incident, f *Facts) {
	if f.Detected.Known() && !inc.CreatedAt.IsZero() && inc.CreatedAt.Before(f.Detected.At) {
		f.Detected = Sourced{At: inc.CreatedAt, From: "created_at", Entry: inc.CreatedAt}
	}
	if !f.Detected.Known() {
		switch {
		case len(inc.Alerts) > 0 && !inc.Alerts[0].At.IsZero():
			f.Detected = Sourced{At: inc.Alerts[0].At, From: "alert", Entry: inc.Alerts[0].At}
		case !inc.CreatedAt.IsZero():
			f.Detected = Sourced{At: inc.CreatedAt, From: "created_at", Entry: inc.CreatedAt}
		}
	}
}

// sourced is the moment an entry records, with the entry as its source.
func sourced(e Entry, at time.Time) Sourced {
	return Sourced{At: at, From: sourceWords(e), By: e.Actor, Entry: e.At, Type: e.Type, URL: e.URL}
}

// sourceWords names where an entry was read from, for "from Ravi's note at 07:51:40".
func sourceWords(e Entry) string {
	switch {
	case e.Kind == KindNote:
		return "note"
	case e.Kind == KindStatusUpdate:
		return "status update"
	case e.Source == SourceIncident:
		return e.Type
	case e.Source == SourceWebhook:
		return "webhook"
	}
	return "log entry"
}

// priorityTimes adds up the time spent at each priority between from and to (both known).
func priorityTimes(inc Incident, tl Timeline, from, to time.Time) []PriorityTime {
	if from.IsZero() || to.IsZero() || !to.After(from) {
		return nil
	}
	var out []PriorityTime
	add := func(p string, d time.Duration) {
		if d <= 0 {
			return
		}
		p = orDefault(p, "none")
		for i := range out {
			if out[i].Priority == p {
				out[i].Duration += d
				return
			}
		}
		out = append(out, PriorityTime{Priority: p, Duration: d})
	}
	current, at, changed := "", from, false
	for _, e := range tl {
		if e.Kind != KindPriority || e.Priority == "" {
			continue
		}
		if !changed {
			current = orDefault(e.PreviousPriority, "unknown")
			changed = true
		}
		t := clamp(e.At, from, to)
		add(current, t.Sub(at))
		current, at = e.Priority, t
	}
	if !changed {
		if inc.Priority == "" {
			return nil
		}
		current = inc.Priority
	}
	add(current, to.Sub(at))
	return out
}

// clamp returns t within [lo, hi].
func clamp(t, lo, hi time.Time) time.Time {
	if t.Before(lo) {
		return lo
	}
	if t.After(hi) {
		return hi
	}
	return t
}

func orPrefixes(configured, defaults []string) []string {
	if configured == nil {
		return defaults
	}
	return configured
}

// cutPrefix returns the text after the first prefix it starts with, case-insensitively, ignoring leading
// white space and Markdown emphasis.
func cutPrefix(text string, prefixes []string) (string, bool) {
	t := strings.TrimLeft(text, " \t\r\n*_>")
	for _, p := range prefixes {
		p = strings.TrimSpace(p)
		if p != "" && len(t) >= len(p) && strings.EqualFold(t[:len(p)], p) {
			return strings.TrimSpace(t[len(p):]), true
		}
	}
	return "", false
}

// negated reports whether the text after a prefix takes it back: "Mitigated: not yet".
func negated(rest string) bool {
	first, _, _ := strings.Cut(strings.ToLower(rest), " ")
	first = strings.Trim(first, ".,;:!")
	switch first {
	case "not", "no", "none", "never", "nope", "n/a":
		return true
	}
	return false
}

// statedTime reads a time at the start of text: RFC 3339, "2006-01-02 15:04[:05]" or a clock time
// "15:04[:05]", optionally followed by "UTC" or "Z", all in UTC. A clock time is on the day of written,
// or the day before when that would be after written.
func statedTime(text string, written time.Time) (time.Time, bool) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return time.Time{}, false
	}
	clean := func(s string) string { return strings.TrimRight(s, ".,;:)") }
	first := clean(fields[0])
	if t, err := time.Parse(time.RFC3339, first); err == nil {
		return t.UTC(), true
	}
	if len(fields) > 1 {
		for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04"} {
			if t, err := time.Parse(layout, first+" "+strings.TrimSuffix(clean(fields[1]), "Z")); err == nil {
				return t, true
			}
		}
	}
	for _, layout := range []string{"15:04:05", "15:04"} {
		t, err := time.Parse(layout, strings.TrimSuffix(first, "Z"))
		if err != nil {
			continue
		}
		w := written.UTC()
		at := time.Date(w.Year(), w.Month(), w.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
		if at.After(w) {
			at = at.AddDate(0, 0, -1)
		}
		return at, true
	}
	return time.Time{}, false
}

// Owner is the responder with the most direct knowledge of the incident: the one who resolved it, else the
// one who acknowledged first. ok is false when no user did either.
func (f Facts) Owner() (Person, bool) {
	if p, ok := f.Resolver(); ok {
		return p, true
	}
	return f.FirstAcknowledger()
}

// Resolver is the user who resolved the incident; ok is false when no user did.
func (f Facts) Resolver() (Person, bool) {
	for _, r := range f.Responders {
		if r.Resolved {
			return r.Person, true
		}
	}
	return Person{}, false
}

// FirstAcknowledger is the user who acknowledged first; ok is false when no user did.
func (f Facts) FirstAcknowledger() (Person, bool) {
	var first *Responder
	for i, r := range f.Responders {
		if r.Acknowledged && (first == nil || r.FirstAcknowledged.Before(first.FirstAcknowledged)) {
			first = &f.Responders[i]
		}
	}
	if first == nil {
		return Person{}, false
	}
	return first.Person, true
}

func since(from, to time.Time) time.Duration {
	if to.IsZero() || to.Before(from) {
		return 0
	}
	return to.Sub(from)
}
