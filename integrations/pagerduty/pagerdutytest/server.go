// Package pagerdutytest is a stateful fake of PagerDuty's REST API for the endpoints Hindsight calls:
// GET /incidents/{id}, GET /incidents/{id}/log_entries, GET and POST /incidents/{id}/notes,
// GET /incidents/{id}/alerts, GET /incidents/{id}/related_change_events and GET /users/{id}. It answers
// with PagerDuty's status codes, error bodies, paging fields and rate limit headers, so the real client is
// tested over HTTP.
package pagerdutytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// AccountTimeZone is the fake account's zone: times are rendered in it unless the request names another
// through time_zone, so a client that forgets time_zone=UTC sees offsets other than Z.
const AccountTimeZone = "America/New_York"

// PagerDuty's error bodies. The 404, 429 and paging-ceiling texts are PagerDuty's; the 401, From and empty
// note texts follow PagerDuty's error codes list and reports of real answers, not a captured response.
const (
	BodyUnauthorized   = `{"error":{"message":"Authentication failed","code":2006}}`
	BodyNotFound       = `{"error":{"message":"Not Found","code":2100}}`
	BodyRateLimited    = `{"error":{"message":"Rate Limit Exceeded","code":2020}}`
	BodyOffsetTooLarge = `{"error":{"message":"Arguments Caused Error","code":2002,"errors":["Offset+limit exceeds maximum allowed value of 10000. Please try to refine your search to reduce the returned set of records below this number, like adding a date range."]}}`
	BodyMissingFrom    = `{"error":{"message":"You must specify a user's email address in the \"From\" header to perform this action","code":2016}}`
	BodyInternalError  = `{"error":{"message":"Internal Server Error","code":2000}}`
)

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// Server is the fake. It is safe for concurrent use.
type Server struct {
	srv   *httptest.Server
	token string
	zone  *time.Location
	// latency is the nanoseconds each answer waits, set by SetLatency.
	latency atomic.Int64

	mu         sync.Mutex
	incidents  map[string]json.RawMessage // by id
	listed     map[string]listedIncident  // what GET /incidents filters and sorts on, by id
	numbers    map[string]string          // incident_number → id
	logEntries map[string][]storedEntry   // by incident id
	notes      map[string][]json.RawMessage
	alerts     map[string][]storedEntry // by incident id, oldest first
	// changeEvents are the change events related to each incident, newest first.
	changeEvents map[string][]storedEntry
	users        map[string]json.RawMessage // by user id
	requests     []Request
	rateLimit    int
	resetSecs    int
	failNext     int
	failStatus   int
	failPaths    map[string]int // path → the status it answers, until cleared
	nextNote     int
}

type storedEntry struct {
	raw json.RawMessage
	utc json.RawMessage // raw with created_at in UTC
	at  time.Time
}

// NewServer starts a fake that accepts token, and closes it when the test ends.
func NewServer(tb testing.TB, token string) *Server {
	tb.Helper()
	zone, err := time.LoadLocation(AccountTimeZone)
	if err != nil {
		tb.Fatalf("pagerdutytest: load %s: %v", AccountTimeZone, err)
	}
	s := &Server{
		token:        token,
		zone:         zone,
		incidents:    map[string]json.RawMessage{},
		listed:       map[string]listedIncident{},
		numbers:      map[string]string{},
		logEntries:   map[string][]storedEntry{},
		notes:        map[string][]json.RawMessage{},
		alerts:       map[string][]storedEntry{},
		changeEvents: map[string][]storedEntry{},
		users:        map[string]json.RawMessage{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /incidents", s.listIncidents)
	mux.HandleFunc("GET /incidents/{id}", s.getIncident)
	mux.HandleFunc("GET /incidents/{id}/log_entries", s.listLogEntries)
	mux.HandleFunc("GET /incidents/{id}/notes", s.listNotes)
	mux.HandleFunc("POST /incidents/{id}/notes", s.createNote)
	mux.HandleFunc("GET /incidents/{id}/alerts", s.listAlerts)
	mux.HandleFunc("GET /incidents/{id}/related_change_events", s.listRelatedChangeEvents)
	mux.HandleFunc("GET /users/{id}", s.getUser)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusNotFound, BodyNotFound) })
	s.srv = httptest.NewServer(s.middleware(mux))
	tb.Cleanup(s.Close)
	return s
}

// URL is the base URL to give the client.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// AddIncident stores a REST incident object, reachable by its id and its incident_number.
func (s *Server) AddIncident(raw json.RawMessage) {
	var head struct {
		ID     string      `json:"id"`
		Number json.Number `json:"incident_number"`
	}
	if err := json.Unmarshal(raw, &head); err != nil || head.ID == "" {
		panic(fmt.Sprintf("pagerdutytest: AddIncident: not an incident object with an id: %v", err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.incidents[head.ID] = append(json.RawMessage(nil), raw...)
	s.listed[head.ID] = listing(raw)
	if head.Number != "" {
		s.numbers[head.Number.String()] = head.ID
	}
}

// AddLogEntries stores log entries of an incident; their created_at must be RFC 3339.
func (s *Server) AddLogEntries(incidentID string, raws ...json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logEntries[incidentID] = append(s.logEntries[incidentID], storedEntries("AddLogEntries", raws)...)
	// Kept newest first, ties in insertion order: an order a client must not rely on, since PagerDuty
	// documents none.
	es := s.logEntries[incidentID]
	sort.SliceStable(es, func(i, j int) bool { return es[i].at.After(es[j].at) })
}

// AddNotes stores notes of an incident.
func (s *Server) AddNotes(incidentID string, raws ...json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, raw := range raws {
		s.notes[incidentID] = append(s.notes[incidentID], append(json.RawMessage(nil), raw...))
	}
}

// Notes returns an incident's notes, those created through POST included.
func (s *Server) Notes(incidentID string) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]json.RawMessage, len(s.notes[incidentID]))
	for i, n := range s.notes[incidentID] {
		out[i] = append(json.RawMessage(nil), n...)
	}
	return out
}

// Requests returns a copy of every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = Request{
			Method: r.Method,
			Path:   r.Path,
			Query:  cloneValues(r.Query),
			Header: r.Header.Clone(),
			Body:   append([]byte(nil), r.Body...),
		}
	}
	return out
}

// RateLimitNext makes the next n requests answer 429 with ratelimit-limit, ratelimit-remaining and
// ratelimit-reset (resetSeconds) headers and PagerDuty's rate limit body. A negative resetSeconds sends
// the 429 without any rate limit header.
func (s *Server) RateLimitNext(n int, resetSeconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimit, s.resetSecs = n, resetSeconds
}

// FailPath makes every request to path (such as "/incidents/P1/related_change_events") answer status with a
// PagerDuty-shaped error body; status 0 stops it.
func (s *Server) FailPath(path string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failPaths == nil {
		s.failPaths = map[string]int{}
	}
	if status == 0 {
		delete(s.failPaths, path)
		return
	}
	s.failPaths[path] = status
}

// FailNext makes the next n requests answer status with a PagerDuty-shaped error body.
func (s *Server) FailNext(n int, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext, s.failStatus = n, status
}

// SetLatency makes every answer wait d first, as a distant API does (until the client gives up); 0 turns
// it off.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := time.Duration(s.latency.Load()); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
			}
			t.Stop()
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		_ = r.Body.Close()
		r.Body = io.NopCloser(strings.NewReader(string(body)))

		s.mu.Lock()
		s.requests = append(s.requests, Request{
			Method: r.Method, Path: r.URL.Path, Query: cloneValues(r.URL.Query()), Header: r.Header.Clone(), Body: body,
		})
		limited, reset := false, 0
		if s.rateLimit > 0 {
			s.rateLimit--
			limited, reset = true, s.resetSecs
		}
		failStatus := 0
		if !limited && s.failNext > 0 {
			s.failNext--
			failStatus = s.failStatus
		}
		if st := s.failPaths[r.URL.Path]; !limited && failStatus == 0 && st != 0 {
			failStatus = st
		}
		s.mu.Unlock()

		switch {
		case limited:
			if reset >= 0 {
				w.Header().Set("ratelimit-limit", "960")
				w.Header().Set("ratelimit-remaining", "0")
				w.Header().Set("ratelimit-reset", strconv.Itoa(reset))
			}
			writeJSON(w, http.StatusTooManyRequests, BodyRateLimited)
			return
		case failStatus != 0:
			writeJSON(w, failStatus, errorBody(failStatus))
			return
		}
		if r.Header.Get("Authorization") != "Token token="+s.token {
			writeJSON(w, http.StatusUnauthorized, BodyUnauthorized)
			return
		}
		w.Header().Set("ratelimit-limit", "960")
		w.Header().Set("ratelimit-remaining", "959")
		w.Header().Set("ratelimit-reset", "60")
		next.ServeHTTP(w, r)
	})
}

func errorBody(status int) string {
	switch {
	case status == http.StatusNotFound:
		return BodyNotFound
	case status == http.StatusTooManyRequests:
		return BodyRateLimited
	case status == http.StatusUnauthorized:
		return BodyUnauthorized
	case status >= 500:
		return BodyInternalError
	}
	return fmt.Sprintf(`{"error":{"message":%q,"code":2001}}`, http.StatusText(status))
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func writeValue(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, BodyInternalError)
		return
	}
	writeJSON(w, http.StatusOK, string(b))
}

// lookup resolves an id or incident number; the caller holds s.mu.
func (s *Server) lookup(key string) (string, bool) {
	if _, ok := s.incidents[key]; ok {
		return key, true
	}
	id, ok := s.numbers[key]
	return id, ok
}

func (s *Server) getIncident(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	id, ok := s.lookup(r.PathValue("id"))
	raw := s.incidents[id]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, BodyNotFound)
		return
	}
	writeValue(w, map[string]json.RawMessage{"incident": raw})
}

func (s *Server) listLogEntries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset, ok := pageParams(w, q)
	if !ok {
		return
	}
	zone := s.zone
	if v := q.Get("time_zone"); v != "" {
		loc, err := time.LoadLocation(v)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, argumentError("Time zone is not a valid time zone"))
			return
		}
		zone = loc
	}
	var since, until time.Time
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &since}, {"until", &until}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, `{"error":{"message":"Invalid 'since' or 'until' Parameter Values","code":2004}}`)
				return
			}
			*p.dst = t
		}
	}

	s.mu.Lock()
	id, ok := s.lookup(r.PathValue("id"))
	// Kept newest first: the window [since, until) is one run of them, found by binary search.
	all := s.logEntries[id]
	from, to := 0, len(all)
	if !until.IsZero() {
		from = sort.Search(len(all), func(i int) bool { return all[i].at.Before(until) })
	}
	if !since.IsZero() {
		to = sort.Search(len(all), func(i int) bool { return all[i].at.Before(since) })
	}
	matched := all[from:max(from, to)]
	// The page's entries are copied while locked: AddLogEntries sorts the stored ones in place.
	inPage := append([]storedEntry(nil), matched[min(offset, len(matched)):min(offset+limit, len(matched))]...)
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, BodyNotFound)
		return
	}

	page := []json.RawMessage{}
	for _, e := range inPage {
		if zone == time.UTC {
			page = append(page, e.utc)
			continue
		}
		raw, err := withTime(e.raw, "created_at", e.at.In(zone))
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, BodyInternalError)
			return
		}
		page = append(page, raw)
	}
	writePage(w, q, "log_entries", page, limit, offset, len(matched))
}

func (s *Server) listNotes(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	id, ok := s.lookup(r.PathValue("id"))
	notes := append([]json.RawMessage(nil), s.notes[id]...)
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, BodyNotFound)
		return
	}
	out := make([]json.RawMessage, 0, len(notes))
	for _, n := range notes {
		rendered, err := renderTimesIn(n, s.zone)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, BodyInternalError)
			return
		}
		out = append(out, rendered)
	}
	writeValue(w, map[string]any{"notes": out})
}

func (s *Server) createNote(w http.ResponseWriter, r *http.Request) {
	from := strings.TrimSpace(r.Header.Get("From"))
	if from == "" {
		writeJSON(w, http.StatusBadRequest, BodyMissingFrom)
		return
	}
	if !strings.Contains(from, "@") {
		writeJSON(w, http.StatusBadRequest, `{"error":{"message":"Malformed \"From\" header","code":1028}}`)
		return
	}
	var req struct {
		Note *struct {
			Content string `json:"content"`
		} `json:"note"`
	}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &req); err != nil || req.Note == nil {
		writeJSON(w, http.StatusBadRequest, `{"error":{"message":"Invalid Input Provided","code":2001,"errors":["Note is required."]}}`)
		return
	}
	if strings.TrimSpace(req.Note.Content) == "" {
		writeJSON(w, http.StatusBadRequest, `{"error":{"message":"Invalid Input Provided","code":2001,"errors":["Content cannot be empty."]}}`)
		return
	}

	s.mu.Lock()
	id, ok := s.lookup(r.PathValue("id"))
	if !ok {
		s.mu.Unlock()
		writeJSON(w, http.StatusNotFound, BodyNotFound)
		return
	}
	s.nextNote++
	now := time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	noteID := fmt.Sprintf("PN%05d", s.nextNote)
	userID := "PU" + strings.ToUpper(strconv.FormatUint(uint64(hash(from)), 36))
	note := map[string]any{
		"id": noteID,
		"user": map[string]any{
			"id":       userID,
			"type":     "user_reference",
			"summary":  from,
			"self":     "https://api.pagerduty.com/users/" + userID,
			"html_url": "https://subdomain.pagerduty.com/users/" + userID,
		},
		"channel":    map[string]any{"summary": "The PagerDuty website or APIs"},
		"content":    req.Note.Content,
		"created_at": now,
		"updated_at": now,
	}
	raw, _ := json.Marshal(note)
	s.notes[id] = append(s.notes[id], raw)
	s.mu.Unlock()

	rendered, err := renderTimesIn(raw, s.zone)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, BodyInternalError)
		return
	}
	writeValue(w, map[string]json.RawMessage{"note": rendered})
}

func argumentError(detail string) string {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": "Invalid Input Provided", "code": 2001, "errors": []string{detail},
	}})
	return string(b)
}

// withTime replaces field of a JSON object by t in RFC 3339.
func withTime(raw json.RawMessage, field string, t time.Time) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	v, _ := json.Marshal(t.Format(time.RFC3339))
	m[field] = v
	return json.Marshal(m)
}

// renderTimesIn rewrites a note's created_at and updated_at in zone.
func renderTimesIn(raw json.RawMessage, zone *time.Location) (json.RawMessage, error) {
	raw, err := renderTimeIn(raw, "created_at", zone)
	if err != nil {
		return nil, err
	}
	return renderTimeIn(raw, "updated_at", zone)
}

// renderTimeIn rewrites field, when it is an RFC 3339 time, in zone.
func renderTimeIn(raw json.RawMessage, field string, zone *time.Location) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	var s string
	if json.Unmarshal(m[field], &s) != nil {
		return raw, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return raw, nil
	}
	return withTime(raw, field, t.In(zone))
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func hash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
