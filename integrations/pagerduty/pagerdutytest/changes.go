package pagerdutytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"
)

// AddChangeEvents stores change events related to an incident, as GET /incidents/{id}/related_change_events
// lists them (each with its correlation_reason); their timestamp must be RFC 3339.
func (s *Server) AddChangeEvents(incidentID string, raws ...json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, raw := range raws {
		var head struct {
			Timestamp string `json:"timestamp"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			panic(fmt.Sprintf("pagerdutytest: AddChangeEvents: %v", err))
		}
		at, err := time.Parse(time.RFC3339Nano, head.Timestamp)
		if err != nil {
			panic(fmt.Sprintf("pagerdutytest: AddChangeEvents: timestamp: %v", err))
		}
		s.changeEvents[incidentID] = append(s.changeEvents[incidentID], storedEntry{raw: append(json.RawMessage(nil), raw...), at: at})
	}
	// Newest first, as PagerDuty's own example lists them.
	es := s.changeEvents[incidentID]
	sort.SliceStable(es, func(i, j int) bool { return es[i].at.After(es[j].at) })
}

// listRelatedChangeEvents pages through an incident's related change events: limit (25 by default, at most
// 100), offset, more; 404 for an unknown incident.
func (s *Server) listRelatedChangeEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset, ok := pageParams(w, q)
	if !ok {
		return
	}
	s.mu.Lock()
	id, ok := s.lookup(r.PathValue("id"))
	all := append([]storedEntry(nil), s.changeEvents[id]...)
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, BodyNotFound)
		return
	}
	page := []json.RawMessage{}
	for i := offset; i < len(all) && i < offset+limit; i++ {
		page = append(page, all[i].raw)
	}
	writePage(w, q, "change_events", page, limit, offset, len(all))
}
