package pagerduty

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// reference is PagerDuty's reference object ({id, type, summary, self, html_url}); when an include[]
// expanded it, the full object brings name and email instead of or besides summary.
type reference struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Summary string `json:"summary"`
	Name    string `json:"name"`
	Email   string `json:"email"`
	HTMLURL string `json:"html_url"`
}

func (r *reference) person() postmortem.Person {
	if r == nil {
		return postmortem.Person{}
	}
	name := r.Summary
	if name == "" {
		name = r.Name
	}
	return postmortem.Person{
		ID:    r.ID,
		Kind:  strings.TrimSuffix(r.Type, "_reference"),
		Name:  name,
		Email: r.Email,
		URL:   r.HTMLURL,
	}
}

func (r *reference) name() string {
	if r == nil {
		return ""
	}
	if r.Summary != "" {
		return r.Summary
	}
	return r.Name
}

// text is a JSON scalar read as text whatever its JSON type: "1000" and 1000 both read as "1000", null as
// "". Objects and arrays keep their compact JSON.
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	*t = text(scalarText(b))
	return nil
}

// scalarText renders one JSON value as text without ever failing.
func scalarText(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		if s, ok := plainString(raw); ok {
			return s
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return buf.String()
	}
	return string(raw)
}

// plainString reads a JSON string without escapes, as most are, the way json.Unmarshal would: it reports
// false for anything else (escapes, control characters, invalid UTF-8), which json.Unmarshal must read.
func plainString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	for _, c := range body {
		if c < 0x20 || c == '"' || c == '\\' {
			return "", false
		}
	}
	if !utf8.Valid(body) {
		return "", false
	}
	return string(body), true
}

// number is a JSON integer that may also come as a numeric string; anything else reads as 0.
type number int

func (n *number) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		*n = number(v)
	} else {
		*n = 0
	}
	return nil
}

// wireIncident reads both shapes of an incident: the REST API's (incident_number, assignments) and the V3
// webhooks' (number, assignees).
type wireIncident struct {
	ID             string      `json:"id"`
	Type           string      `json:"type"`
	Summary        string      `json:"summary"`
	Title          string      `json:"title"`
	HTMLURL        string      `json:"html_url"`
	IncidentNumber *number     `json:"incident_number"`
	Number         *number     `json:"number"`
	Status         string      `json:"status"`
	Urgency        string      `json:"urgency"`
	Priority       *reference  `json:"priority"`
	Service        *reference  `json:"service"`
	Teams          []reference `json:"teams"`
	Escalation     *reference  `json:"escalation_policy"`
	CreatedAt      string      `json:"created_at"`
	ResolvedAt     *string     `json:"resolved_at"`
	LastChangeAt   string      `json:"last_status_change_at"`
	Assignments    []struct {
		At       string     `json:"at"`
		Assignee *reference `json:"assignee"`
	} `json:"assignments"`
	Acknowledgements []struct {
		At           string     `json:"at"`
		Acknowledger *reference `json:"acknowledger"`
	} `json:"acknowledgements"`
	LastChangeBy *reference `json:"last_status_change_by"`
	Responders   []struct {
		State       string     `json:"state"`
		User        *reference `json:"user"`
		Requester   *reference `json:"requester"`
		RequestedAt string     `json:"requested_at"`
	} `json:"incidents_responders"`
	CustomFields []struct {
		Name  string          `json:"name"`
		Value json.RawMessage `json:"value"`
	} `json:"custom_fields"`
	Assignees     []reference `json:"assignees"`
	ResolveReason *struct {
		Type     string     `json:"type"`
		Incident *reference `json:"incident"`
	} `json:"resolve_reason"`
	ConferenceBridge *struct {
		ConferenceNumber text `json:"conference_number"`
		ConferenceURL    text `json:"conference_url"`
	} `json:"conference_bridge"`
}

func decodeIncident(raw []byte) (postmortem.Incident, error) {
	var w wireIncident
	if err := json.Unmarshal(raw, &w); err != nil {
		return postmortem.Incident{}, fmt.Errorf("decode incident: %w", err)
	}
	if w.ID == "" {
		return postmortem.Incident{}, fmt.Errorf("decode incident: no \"id\"")
	}
	return w.incident()
}

func (w *wireIncident) incident() (postmortem.Incident, error) {
	in := postmortem.Incident{
		ID:               w.ID,
		Title:            w.Title,
		URL:              w.HTMLURL,
		Status:           w.Status,
		Urgency:          w.Urgency,
		Priority:         w.Priority.name(),
		EscalationPolicy: w.Escalation.name(),
	}
	if in.Title == "" {
		in.Title = w.Summary
	}
	switch {
	case w.IncidentNumber != nil:
		in.Number = int(*w.IncidentNumber)
	case w.Number != nil:
		in.Number = int(*w.Number)
	}
	if w.Service != nil {
		in.Service = postmortem.Service{ID: w.Service.ID, Name: w.Service.name(), URL: w.Service.HTMLURL}
	}
	for _, t := range w.Teams {
		in.Teams = append(in.Teams, postmortem.Team{ID: t.ID, Name: t.name()})
	}
	var err error
	if in.CreatedAt, err = parseTime(w.CreatedAt); err != nil {
		return postmortem.Incident{}, fmt.Errorf("decode incident %s: created_at: %w", w.ID, err)
	}
	if w.ResolvedAt != nil {
		if in.ResolvedAt, err = parseTime(*w.ResolvedAt); err != nil {
			return postmortem.Incident{}, fmt.Errorf("decode incident %s: resolved_at: %w", w.ID, err)
		}
	}
	if in.ResolvedAt.IsZero() && w.Status == "resolved" && w.LastChangeAt != "" {
		// Older answers have no resolved_at; the last status change of a resolved incident is its resolution.
		if in.ResolvedAt, err = parseTime(w.LastChangeAt); err != nil {
			return postmortem.Incident{}, fmt.Errorf("decode incident %s: last_status_change_at: %w", w.ID, err)
		}
	}
	seen := map[string]bool{}
	add := func(r *reference) {
		if r == nil || (r.ID != "" && seen[r.ID]) {
			return
		}
		seen[r.ID] = true
		in.Assignees = append(in.Assignees, r.person())
	}
	for _, a := range w.Assignments {
		add(a.Assignee)
		if a.Assignee == nil {
			continue
		}
		at, err := parseTime(a.At)
		if err != nil {
			return postmortem.Incident{}, fmt.Errorf("decode incident %s: assignments: at: %w", w.ID, err)
		}
		in.Assignments = append(in.Assignments, postmortem.Assignment{At: at, Person: a.Assignee.person()})
	}
	for _, a := range w.Acknowledgements {
		if a.Acknowledger == nil {
			continue
		}
		at, err := parseTime(a.At)
		if err != nil {
			return postmortem.Incident{}, fmt.Errorf("decode incident %s: acknowledgements: at: %w", w.ID, err)
		}
		in.Acknowledgements = append(in.Acknowledgements, postmortem.Assignment{At: at, Person: a.Acknowledger.person()})
	}
	in.LastStatusChangeBy = w.LastChangeBy.person()
	for _, r := range w.Responders {
		if r.User == nil {
			continue
		}
		at, err := parseTime(r.RequestedAt)
		if err != nil {
			return postmortem.Incident{}, fmt.Errorf("decode incident %s: incidents_responders: requested_at: %w", w.ID, err)
		}
		in.ResponderRequests = append(in.ResponderRequests, postmortem.ResponderRequest{At: at, Person: r.User.person(), Requester: r.Requester.person(), State: r.State})
	}
	for _, cf := range w.CustomFields {
		if v := scalarText(cf.Value); cf.Name != "" && v != "" {
			if in.CustomFields == nil {
				in.CustomFields = map[string]string{}
			}
			in.CustomFields[cf.Name] = v
		}
	}
	for i := range w.Assignees {
		add(&w.Assignees[i])
	}
	if rr := w.ResolveReason; rr != nil && rr.Type == "merge_resolve_reason" && rr.Incident != nil {
		in.MergedInto = rr.Incident.ID
	}
	return in, nil
}

// parseTime reads an RFC 3339 time in any zone and returns it in UTC; "" reads as the zero time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}
