package pagerduty

import (
	"context"
	"errors"
	"fmt"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// Source is the incident source and note writer of the postmortem pipeline (postmortem.IncidentSource,
// postmortem.NoteWriter) with an API token: the incident as PagerDuty holds it, with the webhook events
// stored for it. An incident PagerDuty does not know (404, 410) or lets the token not see (403) is a
// permanent failure: its errors wrap postmortem.ErrPermanent.
type Source struct{ Client *Client }

// DecodeEvent decodes a stored webhook event (see DecodeEvent).
func (Source) DecodeEvent(raw []byte) (postmortem.Event, error) { return DecodeEvent(raw) }

// Incident reads the incident with its log entries, notes and alerts, and gives it events.
func (s Source) Incident(ctx context.Context, incidentID string, events []postmortem.Event) (postmortem.Incident, error) {
	inc, err := s.Client.Incident(ctx, incidentID)
	if err != nil {
		return postmortem.Incident{}, permanent(err)
	}
	inc.Events = events
	return inc, nil
}

// AddNote adds a note to the incident.
func (s Source) AddNote(ctx context.Context, incidentID, content string) (postmortem.Note, error) {
	n, err := s.Client.AddNote(ctx, incidentID, content)
	return n, permanent(err)
}

// permanent marks PagerDuty's not-found and no-access answers as permanent failures.
func permanent(err error) error {
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrForbidden) {
		return fmt.Errorf("%w: %w", err, postmortem.ErrPermanent)
	}
	return err
}

// EventsOnly is the incident source without an API token: each incident is built from its stored webhook
// events alone, and no note is written to it.
type EventsOnly struct{}

// DecodeEvent decodes a stored webhook event (see DecodeEvent).
func (EventsOnly) DecodeEvent(raw []byte) (postmortem.Event, error) { return DecodeEvent(raw) }

// Incident builds the incident from events; it fails for good when none describes it.
func (EventsOnly) Incident(_ context.Context, incidentID string, events []postmortem.Event) (postmortem.Incident, error) {
	inc, ok := IncidentFromEvents(events)
	if !ok {
		return postmortem.Incident{}, fmt.Errorf("incident %s: no stored event describes it and no PagerDuty token is set: %w", incidentID, postmortem.ErrPermanent)
	}
	return inc, nil
}

// AddNote writes nothing: without a token Hindsight cannot write to PagerDuty. It returns
// postmortem.ErrNoteNotWritten.
func (EventsOnly) AddNote(context.Context, string, string) (postmortem.Note, error) {
	return postmortem.Note{}, postmortem.ErrNoteNotWritten
}
