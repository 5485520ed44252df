package pagerdutytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

const token = "fake-token"

type answer struct {
	status int
	header http.Header
	body   string
}

func call(t *testing.T, s *Server, method, path string, header map[string]string, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token token="+token)
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

type page struct {
	LogEntries []struct {
		ID        string `json:"id"`
		CreatedAt string `json:"created_at"`
	} `json:"log_entries"`
	Limit  int  `json:"limit"`
	Offset int  `json:"offset"`
	More   bool `json:"more"`
	Total  *int `json:"total"`
}

func newFake(t *testing.T, entries int) *Server {
	s := NewServer(t, token)
	inc, logs, notes := Synthetic("PFAKE01", 77, entries, time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC))
	s.AddIncident(inc)
	s.AddLogEntries("PFAKE01", logs...)
	s.AddNotes("PFAKE01", notes...)
	return s
}

func TestServerErrors(t *testing.T) {
	s := newFake(t, 30)
	tests := []struct {
		name       string
		method     string
		path       string
		header     map[string]string
		body       string
		wantStatus int
		wantBody   string
	}{
		{"no token", "GET", "/incidents/PFAKE01", map[string]string{"Authorization": ""}, "", 401, BodyUnauthorized},
		{"wrong token", "GET", "/incidents/PFAKE01", map[string]string{"Authorization": "Token token=nope"}, "", 401, BodyUnauthorized},
		{"unknown incident", "GET", "/incidents/PNONE01", nil, "", 404, BodyNotFound},
		{"unknown incident log", "GET", "/incidents/PNONE01/log_entries", nil, "", 404, BodyNotFound},
		{"past the ceiling", "GET", "/incidents/PFAKE01/log_entries?offset=9901&limit=100", nil, "", 400, BodyOffsetTooLarge},
		{"note without From", "POST", "/incidents/PFAKE01/notes", nil, `{"note":{"content":"x"}}`, 400, BodyMissingFrom},
		{"empty note", "POST", "/incidents/PFAKE01/notes", map[string]string{"From": "a@example.com"}, `{"note":{"content":" "}}`, 400, ""},
		{"no note", "POST", "/incidents/PFAKE01/notes", map[string]string{"From": "a@example.com"}, `{}`, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := call(t, s, tt.method, tt.path, tt.header, tt.body)
			if a.status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", a.status, tt.wantStatus, a.body)
			}
			if tt.wantBody != "" && a.body != tt.wantBody {
				t.Errorf("body %s\nwant %s", a.body, tt.wantBody)
			}
			var e struct {
				Error struct {
					Message string `json:"message"`
					Code    int    `json:"code"`
				} `json:"error"`
			}
			if json.Unmarshal([]byte(a.body), &e) != nil || e.Error.Message == "" || e.Error.Code == 0 {
				t.Errorf("not a PagerDuty error body: %s", a.body)
			}
		})
	}
	t.Run("offset+limit of exactly 10000 is allowed", func(t *testing.T) {
		if a := call(t, s, "GET", "/incidents/PFAKE01/log_entries?offset=9900&limit=100", nil, ""); a.status != 200 {
			t.Errorf("status %d", a.status)
		}
	})
}

func TestServerPaging(t *testing.T) {
	s := newFake(t, 130)
	get := func(query string) page {
		a := call(t, s, "GET", "/incidents/PFAKE01/log_entries"+query, nil, "")
		if a.status != 200 {
			t.Fatalf("%s: %d %s", query, a.status, a.body)
		}
		var p page
		if err := json.Unmarshal([]byte(a.body), &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		query                    string
		n, limit, offset, wTotal int
		more                     bool
	}{
		{"", 25, 25, 0, -1, true},
		{"?limit=500", 100, 100, 0, -1, true},
		{"?limit=100&offset=100", 30, 100, 100, -1, false},
		{"?limit=100&offset=100&total=true", 30, 100, 100, 130, false},
		{"?limit=30&offset=100", 30, 30, 100, -1, false},
		{"?offset=200", 0, 25, 200, -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p := get(tt.query)
			if len(p.LogEntries) != tt.n || p.Limit != tt.limit || p.Offset != tt.offset || p.More != tt.more {
				t.Errorf("got %d entries limit %d offset %d more %v", len(p.LogEntries), p.Limit, p.Offset, p.More)
			}
			if (tt.wTotal < 0) != (p.Total == nil) || (p.Total != nil && *p.Total != tt.wTotal) {
				t.Errorf("total %v, want %d", p.Total, tt.wTotal)
			}
		})
	}
	t.Run("time zone", func(t *testing.T) {
		if p := get("?limit=1"); !strings.HasSuffix(p.LogEntries[0].CreatedAt, "-05:00") {
			t.Errorf("default zone rendered %s, want the account's New York time", p.LogEntries[0].CreatedAt)
		}
		if p := get("?limit=1&time_zone=UTC"); !strings.HasSuffix(p.LogEntries[0].CreatedAt, "Z") {
			t.Errorf("UTC rendered %s", p.LogEntries[0].CreatedAt)
		}
		if a := call(t, s, "GET", "/incidents/PFAKE01/log_entries?time_zone=Mars/Olympus", nil, ""); a.status != 400 {
			t.Errorf("bad zone: %d", a.status)
		}
	})
	t.Run("since and until", func(t *testing.T) {
		// Entries come two to a second every 7 seconds from 12:00:00; [12:00:07, 12:00:21) holds entries 2..5.
		p := get("?limit=100&time_zone=UTC&since=2024-01-15T12:00:07Z&until=2024-01-15T12:00:21Z")
		if len(p.LogEntries) != 4 {
			t.Errorf("%d entries in the window, want 4: %+v", len(p.LogEntries), p.LogEntries)
		}
		for _, e := range p.LogEntries {
			at, _ := time.Parse(time.RFC3339, e.CreatedAt)
			if at.Before(time.Date(2024, 1, 15, 12, 0, 7, 0, time.UTC)) || !at.Before(time.Date(2024, 1, 15, 12, 0, 21, 0, time.UTC)) {
				t.Errorf("entry %s at %s outside the window", e.ID, e.CreatedAt)
			}
		}
	})
	t.Run("by incident number", func(t *testing.T) {
		if a := call(t, s, "GET", "/incidents/77", nil, ""); a.status != 200 || !strings.Contains(a.body, `"PFAKE01"`) {
			t.Errorf("%d %s", a.status, a.body)
		}
	})
}

func TestServerInjectedFailures(t *testing.T) {
	s := newFake(t, 3)
	s.RateLimitNext(1, 7)
	a := call(t, s, "GET", "/incidents/PFAKE01", nil, "")
	if a.status != 429 || a.body != BodyRateLimited || a.header.Get("ratelimit-reset") != "7" || a.header.Get("ratelimit-limit") == "" {
		t.Errorf("429: %d %v %s", a.status, a.header, a.body)
	}
	s.RateLimitNext(1, -1)
	a = call(t, s, "GET", "/incidents/PFAKE01", nil, "")
	if a.status != 429 || a.header.Get("ratelimit-reset") != "" {
		t.Errorf("bare 429: %d %v", a.status, a.header)
	}
	s.FailNext(2, 503)
	for range 2 {
		if a := call(t, s, "GET", "/incidents/PFAKE01", nil, ""); a.status != 503 || !strings.Contains(a.body, `"error"`) {
			t.Errorf("503: %d %s", a.status, a.body)
		}
	}
	if a := call(t, s, "GET", "/incidents/PFAKE01", nil, ""); a.status != 200 {
		t.Errorf("after the failures: %d", a.status)
	}
	reqs := s.Requests()
	if len(reqs) != 5 || reqs[0].Header.Get("Authorization") == "" || reqs[0].Path != "/incidents/PFAKE01" {
		t.Errorf("requests %+v", reqs)
	}
}

func TestServerNotes(t *testing.T) {
	s := newFake(t, 20)
	before := len(s.Notes("PFAKE01"))
	a := call(t, s, "POST", "/incidents/77/notes", map[string]string{"From": "bot@example.com"}, `{"note":{"content":"Postmortem PR"}}`)
	if a.status != 200 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	var created struct {
		Note struct {
			ID        string `json:"id"`
			Content   string `json:"content"`
			CreatedAt string `json:"created_at"`
			User      struct {
				ID      string `json:"id"`
				Summary string `json:"summary"`
			} `json:"user"`
		} `json:"note"`
	}
	if err := json.Unmarshal([]byte(a.body), &created); err != nil {
		t.Fatal(err)
	}
	n := created.Note
	if n.ID == "" || n.Content != "Postmortem PR" || n.User.Summary != "bot@example.com" || n.User.ID == "" || n.CreatedAt == "" {
		t.Errorf("note %+v", n)
	}
	if got := s.Notes("PFAKE01"); len(got) != before+1 {
		t.Errorf("%d notes, want %d", len(got), before+1)
	}
	list := call(t, s, "GET", "/incidents/PFAKE01/notes", nil, "")
	if list.status != 200 || !strings.Contains(list.body, "Postmortem PR") {
		t.Errorf("%d %s", list.status, list.body)
	}
}

func TestServerConcurrency(t *testing.T) {
	s := newFake(t, 50)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if i%2 == 0 {
				_ = call(t, s, "POST", "/incidents/PFAKE01/notes", map[string]string{"From": "a@example.com"}, fmt.Sprintf(`{"note":{"content":"n%d"}}`, i))
			} else {
				_ = call(t, s, "GET", "/incidents/PFAKE01/log_entries?limit=100", nil, "")
			}
			_ = s.Requests()
			_ = s.Notes("PFAKE01")
		})
	}
	wg.Wait()
	if len(s.Requests()) != 20 {
		t.Errorf("%d requests", len(s.Requests()))
	}
}

func TestSyntheticIsDeterministic(t *testing.T) {
	start := time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC)
	i1, l1, n1 := Synthetic("PX1", 1, 60, start)
	i2, l2, n2 := Synthetic("PX1", 1, 60, start)
	if string(i1) != string(i2) || len(l1) != 60 || len(n1) == 0 || fmt.Sprint(l1) != fmt.Sprint(l2) || fmt.Sprint(n1) != fmt.Sprint(n2) {
		t.Error("Synthetic is not deterministic")
	}
	types := map[string]int{}
	for _, raw := range l1 {
		var e struct {
			Type         string `json:"type"`
			Notification *struct {
				Type string `json:"type"`
			} `json:"notification"`
		}
		_ = json.Unmarshal(raw, &e)
		types[e.Type]++
		if e.Notification != nil {
			types[e.Notification.Type]++
		}
	}
	for _, want := range []string{"trigger_log_entry", "notify_log_entry", "acknowledge_log_entry", "escalate_log_entry",
		"assign_log_entry", "annotate_log_entry", "resolve_log_entry", "phone_notification", "sms_notification", "email_notification"} {
		if types[want] == 0 {
			t.Errorf("no %s in %v", want, types)
		}
	}
	if types["annotate_log_entry"] != len(n1) {
		t.Errorf("%d annotate entries, %d notes", types["annotate_log_entry"], len(n1))
	}
}
