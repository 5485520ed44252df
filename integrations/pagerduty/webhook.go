package pagerduty

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// wireEvent is a V3 webhook body: {"event": {id, event_type, resource_type, occurred_at, agent, client,
// data}}.
type wireEvent struct {
	Event *struct {
		ID           string          `json:"id"`
		EventType    string          `json:"event_type"`
		ResourceType string          `json:"resource_type"`
		OccurredAt   string          `json:"occurred_at"`
		Agent        *reference      `json:"agent"`
		Data         json.RawMessage `json:"data"`
	} `json:"event"`
}

// wireEventData is the part of an event's data common to every data type.
type wireEventData struct {
	Type     string     `json:"type"`
	Incident *reference `json:"incident"`
	Content  text       `json:"content"` // incident_note
	Message  text       `json:"message"` // incident_status_update, incident_responder, ping
	User     *reference `json:"user"`    // incident_responder
}

// eventsWithAssignees are the incident events whose point is who the incident is now assigned to.
var eventsWithAssignees = map[string]bool{
	"incident.triggered": true, "incident.reassigned": true, "incident.escalated": true,
	"incident.delegated": true, "incident.reopened": true, "incident.unacknowledged": true,
}

// DecodeEvent decodes one V3 webhook body ({"event": {...}}). Event.Incident always carries the incident's
// ID when the event concerns one; when data.type is "incident" it is the full snapshot of the incident
// (and an incident.resolved snapshot without resolved_at takes occurred_at). Text is the note's content,
// the status update's message, the responder request's message, the new priority's name or the
// conference bridge's URL. It fails on text that is not JSON, a missing "event", a missing event_type or a
// time that is not RFC 3339. It never interprets the signature: verify it on the raw body first.
func DecodeEvent(raw []byte) (postmortem.Event, error) {
	var w wireEvent
	if err := json.Unmarshal(raw, &w); err != nil {
		return postmortem.Event{}, fmt.Errorf("decode webhook event: %w", err)
	}
	if w.Event == nil {
		return postmortem.Event{}, errors.New("decode webhook event: no \"event\" object")
	}
	ev := w.Event
	if ev.EventType == "" {
		return postmortem.Event{}, errors.New("decode webhook event: no \"event_type\"")
	}
	at, err := parseTime(ev.OccurredAt)
	if err != nil {
		return postmortem.Event{}, fmt.Errorf("decode webhook event %s: occurred_at: %w", ev.ID, err)
	}
	out := postmortem.Event{ID: ev.ID, Type: ev.EventType, At: at, Agent: ev.Agent.person()}

	data := bytes.TrimSpace(ev.Data)
	if len(data) == 0 || string(data) == "null" {
		return out, nil
	}
	var d wireEventData
	if err := json.Unmarshal(data, &d); err != nil {
		return postmortem.Event{}, fmt.Errorf("decode webhook event %s: data: %w", ev.ID, err)
	}
	switch d.Type {
	case "incident":
		var wi wireIncident
		if err := json.Unmarshal(data, &wi); err != nil {
			return postmortem.Event{}, fmt.Errorf("decode webhook event %s: incident: %w", ev.ID, err)
		}
		in, err := wi.incident()
		if err != nil {
			return postmortem.Event{}, fmt.Errorf("decode webhook event %s: %w", ev.ID, err)
		}
		if ev.EventType == "incident.resolved" && in.ResolvedAt.IsZero() {
			in.ResolvedAt = at
		}
		out.Incident = in
		switch ev.EventType {
		case "incident.priority_updated":
			out.Text = in.Priority
		case "incident.conference_bridge.updated":
			if wi.ConferenceBridge != nil {
				out.Text = string(wi.ConferenceBridge.ConferenceURL)
				if out.Text == "" {
					out.Text = string(wi.ConferenceBridge.ConferenceNumber)
				}
			}
		}
		if eventsWithAssignees[ev.EventType] {
			out.People = append(out.People, in.Assignees...)
		}
	case "incident_note":
		out.Text = string(d.Content)
	case "incident_status_update", "ping":
		out.Text = string(d.Message)
	case "incident_responder":
		out.Text = string(d.Message)
		if d.User != nil {
			out.People = append(out.People, d.User.person())
		}
	default:
		out.Text = string(d.Message)
	}
	if out.Incident.ID == "" && d.Incident != nil {
		out.Incident.ID = d.Incident.ID
	}
	return out, nil
}

// IncidentFromEvents builds an incident from stored webhook events when the REST API cannot be asked: the
// newest full incident snapshot among them (data.type "incident"), with Events set to the events of that
// incident sorted by time. It reports false when no event carries a snapshot.
func IncidentFromEvents(events []postmortem.Event) (postmortem.Incident, bool) {
	var (
		in     postmortem.Incident
		found  bool
		newest time.Time
	)
	for _, e := range events {
		if !isSnapshot(e.Incident) {
			continue
		}
		if !found || !e.At.Before(newest) {
			in, newest, found = e.Incident, e.At, true
		}
	}
	if !found {
		return postmortem.Incident{}, false
	}
	in.LogEntries, in.Notes = nil, nil
	var mine []postmortem.Event
	for _, e := range events {
		if e.Incident.ID == in.ID {
			mine = append(mine, e)
		}
		if e.Type == "incident.resolved" && e.Incident.ID == in.ID && in.ResolvedAt.IsZero() && strings.EqualFold(in.Status, "resolved") {
			in.ResolvedAt = e.At
		}
	}
	sort.SliceStable(mine, func(i, j int) bool { return mine[i].At.Before(mine[j].At) })
	in.Events = mine
	return in, true
}

// isSnapshot tells a full incident decoded from data.type "incident" from the bare ID other events carry.
func isSnapshot(in postmortem.Incident) bool {
	return in.ID != "" && (in.Status != "" || in.Number != 0 || in.Title != "")
}
