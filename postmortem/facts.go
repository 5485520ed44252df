package postmortem

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Facts are the figures of an incident's impact section, computed from its timeline.
type Facts struct {
	// Started is when the incident was opened; Detected when it first triggered (the first trigger log
	// entry, else Started).
	Started  time.Time
	Detected time.Time
	// Acknowledged is the first acknowledgement, Mitigated the first note or status update that says the
	// impact was mitigated, Resolved the last resolution. Zero when it did not happen or is unknown.
	Acknowledged time.Time
	Mitigated    time.Time
	Resolved     time.Time
	// TimeToAcknowledge and TimeToResolve are measured from Detected; zero when unknown.
	TimeToAcknowledge time.Duration
	TimeToMitigate    time.Duration
	TimeToResolve     time.Duration
	Escalations       int
	Notifications     int
	Reopened          int
	Responders        []Responder
}

// Responder is a person who took part in the response and what they did, in the order they first acted.
type Responder struct {
	Person
	Acknowledged bool
	Resolved     bool
	Assigned     bool
	Notes        int
	Notified     int
	// First is when the responder first appears in the timeline, FirstAcknowledged their first
	// acknowledgement (zero for none).
	First             time.Time
	FirstAcknowledged time.Time
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
	if r.Resolved {
		parts = append(parts, "resolved")
	}
	if len(parts) == 0 && r.Notified > 0 {
		parts = append(parts, "was notified")
	}
	return strings.Join(parts, ", ")
}

// mitigationWords mark a note or status update that reports the impact is over before the incident is resolved.
var mitigationWords = []string{"mitigated", "mitigation applied", "impact resolved", "impact ended", "recovered", "rolled back", "workaround applied", "service restored"}

// ComputeFacts derives the impact figures of an incident from it and its timeline.
func ComputeFacts(inc Incident, tl Timeline) Facts {
	f := Facts{Started: inc.CreatedAt, Detected: inc.CreatedAt, Resolved: inc.ResolvedAt}
	responders := map[string]*Responder{}
	var order []string
	responder := func(p Person, at time.Time) *Responder {
		if !p.IsUser() {
			return nil
		}
		key := orDefault(p.ID, p.Name)
		if key == "" {
			return nil
		}
		r, ok := responders[key]
		if !ok {
			r = &Responder{Person: p, First: at}
			responders[key] = r
			order = append(order, key)
		}
		return r
	}
	var firstTrigger, lastResolve time.Time
	for _, e := range tl {
		switch e.Kind {
		case KindTriggered:
			if firstTrigger.IsZero() {
				firstTrigger = e.At
			}
		case KindAcknowledged:
			if f.Acknowledged.IsZero() {
				f.Acknowledged = e.At
			}
			if r := responder(e.Actor, e.At); r != nil {
				if !r.Acknowledged {
					r.FirstAcknowledged = e.At
				}
				r.Acknowledged = true
			}
		case KindResolved:
			lastResolve = e.At
			if r := responder(e.Actor, e.At); r != nil {
				r.Resolved = true
			}
		case KindEscalated:
			f.Escalations++
		case KindReopened:
			f.Reopened++
		case KindNotified:
			f.Notifications++
			for _, u := range e.People {
				if r := responder(u, e.At); r != nil {
					r.Notified++
				}
			}
		case KindAssigned:
			for _, u := range e.People {
				if r := responder(u, e.At); r != nil {
					r.Assigned = true
				}
			}
		case KindNote, KindStatusUpdate:
			if e.Kind == KindNote {
				if r := responder(e.Actor, e.At); r != nil {
					r.Notes++
				}
			}
			if f.Mitigated.IsZero() && mentionsMitigation(e.Text) {
				f.Mitigated = e.At
			}
		}
	}
	if !firstTrigger.IsZero() && (f.Detected.IsZero() || firstTrigger.Before(f.Detected)) {
		f.Detected = firstTrigger
	}
	if f.Started.IsZero() {
		f.Started = f.Detected
	}
	if !lastResolve.IsZero() && (f.Resolved.IsZero() || lastResolve.After(f.Resolved)) {
		f.Resolved = lastResolve
	}
	if !f.Detected.IsZero() {
		f.TimeToAcknowledge = since(f.Detected, f.Acknowledged)
		f.TimeToMitigate = since(f.Detected, f.Mitigated)
		f.TimeToResolve = since(f.Detected, f.Resolved)
	}
	for _, key := range order {
		f.Responders = append(f.Responders, *responders[key])
	}
	return f
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

func mentionsMitigation(text string) bool {
	lower := strings.ToLower(text)
	return slices.ContainsFunc(mitigationWords, func(w string) bool { return strings.Contains(lower, w) })
}

func since(from, to time.Time) time.Duration {
	if to.IsZero() || to.Before(from) {
		return 0
	}
	return to.Sub(from)
}
