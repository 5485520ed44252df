package pagerdutytest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxListRange is the longest since/until range GET /incidents accepts ("Maximum range is 6 months").
const maxListRange = 183 * 24 * time.Hour

// listIncidents answers GET /incidents as PagerDuty does: incidents created in [since, until) (by default
// the last month), filtered by statuses[] and service_ids[], sorted by creation, paged by limit (default
// 25, at most 100) and offset with more, and total when total=true. A range over 6 months, a time that is
// not RFC 3339, an unknown status and offset+limit above 10,000 answer 400.
func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset, ok := pageParams(w, q)
	if !ok {
		return
	}
	until, since := time.Now(), time.Now().AddDate(0, -1, 0)
	all := q.Get("date_range") == "all"
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &since}, {"until", &until}} {
		if v := q.Get(p.name); v != "" && !all {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, `{"error":{"message":"Invalid 'since' or 'until' Parameter Values","code":2004}}`)
				return
			}
			*p.dst = t
		}
	}
	if !all && (until.Sub(since) > maxListRange || until.Before(since)) {
		writeJSON(w, http.StatusBadRequest, argumentError("Date range must be 6 months or less and until must not be before since"))
		return
	}
	statuses := q["statuses[]"]
	for _, st := range statuses {
		if st != "triggered" && st != "acknowledged" && st != "resolved" {
			writeJSON(w, http.StatusBadRequest, argumentError("Statuses must be one of triggered, acknowledged, resolved"))
			return
		}
	}
	services := q["service_ids[]"]

	type row struct {
		raw json.RawMessage
		at  time.Time
		id  string
	}
	var rows []row
	s.mu.Lock()
	for id, in := range s.listed {
		if !all && (in.createdAt.Before(since) || !in.createdAt.Before(until)) {
			continue
		}
		if len(statuses) > 0 && !slices.Contains(statuses, in.status) ||
			len(services) > 0 && !slices.Contains(services, in.serviceID) {
			continue
		}
		rows = append(rows, row{s.incidents[id], in.createdAt, id})
	}
	s.mu.Unlock()
	slices.SortFunc(rows, func(a, b row) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	page := []json.RawMessage{}
	for i := offset; i < len(rows) && i < offset+limit; i++ {
		page = append(page, rows[i].raw)
	}
	writePage(w, q, "incidents", page, limit, offset, len(rows))
}

// listedIncident is what GET /incidents filters and sorts an incident on.
type listedIncident struct {
	status, serviceID string
	createdAt         time.Time
}

func listing(raw json.RawMessage) listedIncident {
	var head struct {
		Status    string    `json:"status"`
		CreatedAt time.Time `json:"created_at"`
		Service   struct {
			ID string `json:"id"`
		} `json:"service"`
	}
	_ = json.Unmarshal(raw, &head) // an incident without these fields is listed by no filter on them
	return listedIncident{status: head.Status, serviceID: head.Service.ID, createdAt: head.CreatedAt}
}

// ResolvedIncident returns a REST incident object, resolved an hour after created, of the given priority
// ("" for none), urgency and service, shaped like PagerDuty's own example of GET /incidents/{id}.
func ResolvedIncident(id string, number int, created time.Time, priority, urgency, serviceID string) json.RawMessage {
	created = created.UTC().Truncate(time.Second)
	ref := func(kind, path, id, summary string) map[string]any {
		return map[string]any{"id": id, "type": kind + "_reference", "summary": summary,
			"self": "https://api.pagerduty.com/" + path + "/" + id, "html_url": "https://acme.pagerduty.com/" + path + "/" + id}
	}
	in := map[string]any{
		"id": id, "type": "incident", "summary": "[#" + strconv.Itoa(number) + "] Checkout latency above SLO",
		"self": "https://api.pagerduty.com/incidents/" + id, "html_url": "https://acme.pagerduty.com/incidents/" + id,
		"incident_number": number, "title": "Checkout latency above SLO",
		"created_at": created.Format(time.RFC3339), "updated_at": created.Add(time.Hour).Format(time.RFC3339),
		"last_status_change_at": created.Add(time.Hour).Format(time.RFC3339),
		"resolved_at":           created.Add(time.Hour).Format(time.RFC3339),
		"status":                "resolved", "incident_key": "key-" + id, "urgency": urgency,
		"service":           ref("service", "services", serviceID, "Service "+serviceID),
		"escalation_policy": ref("escalation_policy", "escalation_policies", "PEP0001", "Default"),
		"assignments":       []any{}, "acknowledgements": []any{}, "teams": []any{},
		"alert_counts": map[string]int{"all": 1, "triggered": 0, "resolved": 1},
		"is_mergeable": true, "priority": nil, "resolve_reason": nil,
		"first_trigger_log_entry": ref("trigger_log_entry", "log_entries", "R"+id, "Triggered through the API"),
	}
	if priority != "" {
		in["priority"] = ref("priority", "priorities", "PPRI"+priority, priority)
	}
	b, err := json.Marshal(in)
	if err != nil {
		panic(err) // plain maps always marshal
	}
	return b
}
