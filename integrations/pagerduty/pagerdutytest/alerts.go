package pagerdutytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// AddAlerts stores alerts of an incident; their created_at must be RFC 3339.
func (s *Server) AddAlerts(incidentID string, raws ...json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alerts[incidentID] = append(s.alerts[incidentID], storedEntries("AddAlerts", raws)...)
	as := s.alerts[incidentID]
	sort.SliceStable(as, func(i, j int) bool { return as[i].at.Before(as[j].at) })
}

// AddUser stores a user object (as GET /users/{id} returns it under "user"), reachable by its id.
func (s *Server) AddUser(raw json.RawMessage) {
	var head struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &head); err != nil || head.ID == "" {
		panic(fmt.Sprintf("pagerdutytest: AddUser: not a user object with an id: %v", err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[head.ID] = append(json.RawMessage(nil), raw...)
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	raw, ok := s.users[r.PathValue("id")]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, BodyNotFound)
		return
	}
	writeValue(w, map[string]json.RawMessage{"user": raw})
}

// listAlerts pages through an incident's alerts as PagerDuty does: limit (25 by default, at most 100),
// offset, more, total with total=true, sort_by created_at or resolved_at, ascending unless ":desc".
func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset, ok := pageParams(w, q)
	if !ok {
		return
	}
	desc := false
	if v := q.Get("sort_by"); v != "" {
		field, dir, _ := strings.Cut(v, ":")
		if field != "created_at" && field != "resolved_at" || dir != "" && dir != "asc" && dir != "desc" {
			writeJSON(w, http.StatusBadRequest, argumentError("sort_by must be created_at or resolved_at, optionally followed by :asc or :desc"))
			return
		}
		desc = dir == "desc"
	}
	s.mu.Lock()
	id, ok := s.lookup(r.PathValue("id"))
	all := append([]storedEntry(nil), s.alerts[id]...)
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, BodyNotFound)
		return
	}
	if desc {
		sort.SliceStable(all, func(i, j int) bool { return all[i].at.After(all[j].at) })
	}
	page := []json.RawMessage{}
	for i := offset; i < len(all) && i < offset+limit; i++ {
		page = append(page, all[i].raw)
	}
	writePage(w, q, "alerts", page, limit, offset, len(all))
}
