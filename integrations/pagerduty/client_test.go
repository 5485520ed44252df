package pagerduty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/internal/syncbuf"
	"github.com/hindsight-dev/hindsight/postmortem"
)

const testToken = "u+SeCrEtToKeN-0123456789"

// newTestClient returns a client of baseURL with short backoffs and a log captured in the returned buffer.
func newTestClient(t *testing.T, baseURL string, opts Options) (*Client, *syncbuf.Buffer) {
	t.Helper()
	logs := &syncbuf.Buffer{}
	opts.BaseURL = baseURL
	if opts.Token == "" {
		opts.Token = testToken
	}
	opts.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	c.backoffBase = 2 * time.Millisecond
	c.backoffMax = 20 * time.Millisecond
	t.Cleanup(func() {
		if strings.Contains(logs.String(), testToken) {
			t.Errorf("the token appears in the log:\n%s", logs.String())
		}
	})
	return c, logs
}

// synthetic adds a synthetic incident with n log entries to srv.
func synthetic(srv *pagerdutytest.Server, id string, n int) {
	inc, entries, notes := pagerdutytest.Synthetic(id, 4321, n, time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC))
	srv.AddIncident(inc)
	srv.AddLogEntries(id, entries...)
	srv.AddNotes(id, notes...)
}

func logEntryRequests(reqs []pagerdutytest.Request) []pagerdutytest.Request {
	var out []pagerdutytest.Request
	for _, r := range reqs {
		if strings.HasSuffix(r.Path, "/log_entries") {
			out = append(out, r)
		}
	}
	return out
}

func checkSorted(t *testing.T, e *Export) {
	t.Helper()
	var prevAt time.Time
	prevID := ""
	for i, raw := range e.LogEntries {
		var h struct {
			ID        string `json:"id"`
			CreatedAt string `json:"created_at"`
		}
		if err := json.Unmarshal(raw, &h); err != nil {
			t.Fatal(err)
		}
		at := utc(h.CreatedAt)
		if i > 0 && (at.Before(prevAt) || at.Equal(prevAt) && h.ID <= prevID) {
			t.Fatalf("log entry %d (%s %s) out of order after %s %s", i, h.ID, h.CreatedAt, prevID, prevAt)
		}
		prevAt, prevID = at, h.ID
	}
}

func TestFetchExportPaging(t *testing.T) {
	for _, n := range []int{0, 1, 2, 99, 100, 101, 250, 10000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			t.Parallel()
			srv := pagerdutytest.NewServer(t, testToken)
			synthetic(srv, "PSYN001", n)
			c, _ := newTestClient(t, srv.URL(), Options{})
			e, err := c.FetchExport(context.Background(), "PSYN001")
			if err != nil {
				t.Fatal(err)
			}
			if len(e.LogEntries) != n {
				t.Fatalf("%d log entries, want %d", len(e.LogEntries), n)
			}
			checkSorted(t, e)
			pages := max(1, (n+99)/100)
			reqs := srv.Requests()
			if len(reqs) != 3+pages {
				t.Errorf("%d requests, want 3 + %d", len(reqs), pages)
			}
			// The incident first; its log entries, notes and alerts then side by side, in any order.
			paths := map[string]int{}
			for _, r := range reqs[1:] {
				paths[r.Path]++
			}
			if reqs[0].Path != "/incidents/PSYN001" || paths["/incidents/PSYN001/notes"] != 1 || paths["/incidents/PSYN001/alerts"] != 1 {
				t.Errorf("first %s, then %v", reqs[0].Path, paths)
			}
			for i, r := range logEntryRequests(reqs) {
				q := r.Query
				if q.Get("limit") != "100" || q.Get("time_zone") != "UTC" || q.Get("offset") != strconv.Itoa(i*100) {
					t.Errorf("page %d query %v", i, q)
				}
				if r.Header.Get("Authorization") != "Token token="+testToken {
					t.Errorf("page %d without the token header", i)
				}
			}
		})
	}
}

func TestFetchExportBeyondTheOffsetCeiling(t *testing.T) {
	t.Parallel()
	const n = 12000
	srv := pagerdutytest.NewServer(t, testToken)
	synthetic(srv, "PBIG001", n)
	c, _ := newTestClient(t, srv.URL(), Options{})
	e, err := c.FetchExport(context.Background(), "PBIG001")
	if err != nil {
		t.Fatal(err)
	}
	if len(e.LogEntries) != n {
		t.Fatalf("%d log entries, want %d", len(e.LogEntries), n)
	}
	seen := map[string]bool{}
	for _, raw := range e.LogEntries {
		var h struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(raw, &h)
		if seen[h.ID] {
			t.Fatalf("duplicate %s", h.ID)
		}
		seen[h.ID] = true
	}
	checkSorted(t, e)
	reqs := logEntryRequests(srv.Requests())
	for _, r := range reqs {
		off, _ := strconv.Atoi(r.Query.Get("offset"))
		lim, _ := strconv.Atoi(r.Query.Get("limit"))
		if off+lim > 10000 {
			t.Fatalf("request past the ceiling: %v", r.Query)
		}
	}
	t.Logf("%d log entry requests for %d entries", len(reqs), n)
	if len(reqs) > 3*n/100 {
		t.Errorf("%d log entry requests: the windows are too wasteful", len(reqs))
	}
	in, err := e.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if len(in.LogEntries) != n || in.LogEntries[0].Type != "trigger" || in.LogEntries[n-1].Type != "resolve" {
		t.Errorf("decoded %d entries, first %q, last %q", len(in.LogEntries), in.LogEntries[0].Type, in.LogEntries[n-1].Type)
	}
}

func TestIncidentMapsSynthetic(t *testing.T) {
	srv := pagerdutytest.NewServer(t, testToken)
	synthetic(srv, "PSYN002", 40)
	c, _ := newTestClient(t, srv.URL(), Options{})
	// By number: PagerDuty accepts it in the URL, and the rest of the fetch uses the incident's ID.
	in, err := c.Incident(context.Background(), "4321")
	if err != nil {
		t.Fatal(err)
	}
	if in.ID != "PSYN002" || in.Number != 4321 || in.Priority != "P1" || in.Status != "resolved" || in.ResolvedAt.IsZero() {
		t.Errorf("incident %+v", in)
	}
	if len(in.LogEntries) != 40 || len(in.Notes) == 0 {
		t.Fatalf("%d log entries, %d notes", len(in.LogEntries), len(in.Notes))
	}
	kinds := map[string]bool{}
	levels := map[int]bool{}
	for _, le := range in.LogEntries {
		if le.At.Location() != time.UTC {
			t.Errorf("entry %s at %v, not UTC", le.ID, le.At)
		}
		switch le.Type {
		case "notify":
			kinds[le.Notification] = true
			if len(le.Users) != 1 {
				t.Errorf("notify %s users %v", le.ID, le.Users)
			}
		case "escalate", "assign":
			levels[le.EscalationLevel] = true
		case "annotate":
			if le.Note == "" {
				t.Errorf("annotate %s without note", le.ID)
			}
		case "trigger":
			if le.Details["p99_ms"] != "2150" || le.Details["firing"] != "true" {
				t.Errorf("trigger details %v", le.Details)
			}
		}
	}
	for _, k := range []string{"phone", "sms", "email"} {
		if !kinds[k] {
			t.Errorf("no %s notification among %v", k, kinds)
		}
	}
	if !levels[1] || !levels[2] {
		t.Errorf("escalation levels %v", levels)
	}
	for _, n := range in.Notes {
		if n.At.Location() != time.UTC || n.At.IsZero() {
			t.Errorf("note %s at %v", n.ID, n.At)
		}
	}
	for _, r := range srv.Requests()[1:] {
		if !strings.HasPrefix(r.Path, "/incidents/PSYN002/") {
			t.Errorf("request to %s, want the incident's ID", r.Path)
		}
	}
}

func TestErrors(t *testing.T) {
	srv := pagerdutytest.NewServer(t, testToken)
	synthetic(srv, "PSYN003", 3)
	ctx := context.Background()

	t.Run("not found", func(t *testing.T) {
		c, _ := newTestClient(t, srv.URL(), Options{})
		_, err := c.Incident(ctx, "PNOPE01")
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Code != 2100 {
			t.Errorf("err = %#v", err)
		}
		if want := "fetch incident for PNOPE01: PagerDuty answered 404 Not Found: Not Found (code 2100)"; err.Error() != want {
			t.Errorf("err = %q\nwant %q", err, want)
		}
	})
	t.Run("wrong token", func(t *testing.T) {
		c, _ := newTestClient(t, srv.URL(), Options{Token: "wrong-" + testToken})
		_, err := c.FetchExport(ctx, "PSYN003")
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized || apiErr.Code != 2006 {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("token in %q", err)
		}
	})
	t.Run("bad request is not retried", func(t *testing.T) {
		before := len(srv.Requests())
		srv.FailNext(1, http.StatusBadRequest)
		c, _ := newTestClient(t, srv.URL(), Options{})
		_, err := c.FetchExport(ctx, "PSYN003")
		if err == nil || !strings.Contains(err.Error(), "fetch incident for PSYN003: PagerDuty answered 400") {
			t.Fatalf("err = %v", err)
		}
		if got := len(srv.Requests()) - before; got != 1 {
			t.Errorf("%d requests, want 1", got)
		}
	})
}

func TestRetries(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		arrange   func(*pagerdutytest.Server)
		maxWait   time.Duration
		wantErr   string
		wantIs    error
		extra     int           // requests beyond the 3 of a normal fetch
		minTime   time.Duration // the wait the fetch must have honoured
		fastFails bool
	}{
		{name: "429 with ratelimit-reset", arrange: func(s *pagerdutytest.Server) { s.RateLimitNext(2, 1) }, extra: 2, minTime: 2 * time.Second},
		{name: "429 with reset 0", arrange: func(s *pagerdutytest.Server) { s.RateLimitNext(1, 0) }, extra: 1},
		{name: "429 without headers", arrange: func(s *pagerdutytest.Server) { s.RateLimitNext(3, -1) }, extra: 3},
		{name: "503 then success", arrange: func(s *pagerdutytest.Server) { s.FailNext(2, http.StatusServiceUnavailable) }, extra: 2},
		{name: "500 forever", arrange: func(s *pagerdutytest.Server) { s.FailNext(1000, http.StatusInternalServerError) },
			wantErr: "fetch incident for PSYN004: giving up after 6 attempts: PagerDuty answered 500 Internal Server Error: Internal Server Error (code 2000)"},
		{name: "429 forever", arrange: func(s *pagerdutytest.Server) { s.RateLimitNext(1000, 0) },
			wantErr: "giving up after 6 attempts", wantIs: ErrRateLimited},
		{name: "reset beyond MaxWait", arrange: func(s *pagerdutytest.Server) { s.RateLimitNext(1, 120) }, maxWait: time.Second,
			wantErr: "retrying needs a wait of 2m0s, longer than the longest allowed (MaxWait 1s)", wantIs: ErrRateLimited, fastFails: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := pagerdutytest.NewServer(t, testToken)
			synthetic(srv, "PSYN004", 5)
			tt.arrange(srv)
			c, _ := newTestClient(t, srv.URL(), Options{MaxWait: tt.maxWait})
			start := time.Now()
			e, err := c.FetchExport(ctx, "PSYN004")
			elapsed := time.Since(start)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
					t.Errorf("err = %v, want errors.Is %v", err, tt.wantIs)
				}
				if strings.Contains(err.Error(), testToken) {
					t.Errorf("token in %q", err)
				}
				if tt.fastFails && elapsed > 500*time.Millisecond {
					t.Errorf("took %s to give up", elapsed)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(e.LogEntries) != 5 {
				t.Errorf("%d entries", len(e.LogEntries))
			}
			if got := len(srv.Requests()); got != 4+tt.extra {
				t.Errorf("%d requests, want %d", got, 4+tt.extra)
			}
			if elapsed < tt.minTime {
				t.Errorf("took %s, want at least %s of waiting", elapsed, tt.minTime)
			}
		})
	}
}

func TestContextDeadline(t *testing.T) {
	t.Run("429 wait past the deadline fails at once", func(t *testing.T) {
		srv := pagerdutytest.NewServer(t, testToken)
		synthetic(srv, "PSYN005", 1)
		srv.RateLimitNext(1, 30)
		c, _ := newTestClient(t, srv.URL(), Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.FetchExport(ctx, "PSYN005")
		if err == nil || !strings.Contains(err.Error(), "waiting 30s before retrying would pass the context deadline") || !errors.Is(err, ErrRateLimited) {
			t.Fatalf("err = %v", err)
		}
		if time.Since(start) > time.Second {
			t.Errorf("took %s", time.Since(start))
		}
	})
	t.Run("a hanging server is abandoned at the deadline", func(t *testing.T) {
		release := make(chan struct{})
		hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		t.Cleanup(hang.Close)
		t.Cleanup(func() { close(release) })
		c, _ := newTestClient(t, hang.URL, Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.FetchExport(ctx, "PSYN005")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want DeadlineExceeded", err)
		}
		if time.Since(start) > time.Second {
			t.Errorf("took %s", time.Since(start))
		}
	})
	t.Run("canceled before the first request", func(t *testing.T) {
		srv := pagerdutytest.NewServer(t, testToken)
		c, _ := newTestClient(t, srv.URL(), Options{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := c.FetchExport(ctx, "PSYN005"); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("%d requests", n)
		}
	})
}

// A server that echoes the Authorization header back in errors, and a network failure: neither the
// errors nor the log may show the token.
func TestTokenNeverInErrorsOrLogs(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		status := http.StatusBadGateway
		if r.Method == http.MethodPost {
			status = http.StatusForbidden
		}
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"error":{"message":"bad credentials %s","code":2010,"errors":[%q]}}`,
			r.Header.Get("Authorization"), r.Header.Get("Authorization"))
	}))
	t.Cleanup(echo.Close)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("<html>upstream said " + r.Header.Get("Authorization") + "</html>"))
	}))
	t.Cleanup(plain.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	for _, tt := range []struct{ name, url string }{{"echoing JSON", echo.URL}, {"echoing HTML", plain.URL}, {"connection refused", closedURL}} {
		t.Run(tt.name, func(t *testing.T) {
			c, logs := newTestClient(t, tt.url, Options{From: "bot@example.com"})
			_, err1 := c.FetchExport(context.Background(), "PABC123")
			_, err2 := c.AddNote(context.Background(), "PABC123", "hello")
			for _, err := range []error{err1, err2} {
				if err == nil {
					t.Fatal("no error")
				}
				if strings.Contains(err.Error(), testToken) {
					t.Errorf("token in error %q", err)
				}
			}
			if strings.Contains(logs.String(), testToken) {
				t.Errorf("token in log %s", logs.String())
			}
			if tt.name == "echoing JSON" && !strings.Contains(err1.Error(), "[REDACTED]") {
				t.Errorf("err = %q, want the redaction visible", err1)
			}
		})
	}
}

func TestAddNote(t *testing.T) {
	srv := pagerdutytest.NewServer(t, testToken)
	synthetic(srv, "PSYN006", 2)
	before := len(srv.Notes("PSYN006"))
	c, _ := newTestClient(t, srv.URL()+"/", Options{From: "hindsight@example.com"}) // trailing slash tolerated
	note, err := c.AddNote(context.Background(), "PSYN006", "Postmortem: https://github.com/acme/postmortems/pull/7")
	if err != nil {
		t.Fatal(err)
	}
	if note.ID == "" || note.Content != "Postmortem: https://github.com/acme/postmortems/pull/7" || note.User.Name != "hindsight@example.com" ||
		note.User.Kind != "user" || note.At.IsZero() || note.At.Location() != time.UTC {
		t.Errorf("note %+v", note)
	}
	reqs := srv.Requests()
	last := reqs[len(reqs)-1]
	if last.Method != http.MethodPost || last.Path != "/incidents/PSYN006/notes" || last.Header.Get("From") != "hindsight@example.com" {
		t.Errorf("request %s %s From=%q", last.Method, last.Path, last.Header.Get("From"))
	}
	if !json.Valid(last.Body) || !strings.Contains(string(last.Body), `"note":{"content":`) {
		t.Errorf("body %s", last.Body)
	}
	notes := srv.Notes("PSYN006")
	if len(notes) != before+1 {
		t.Errorf("%d notes, want %d", len(notes), before+1)
	}

	t.Run("5xx is not retried", func(t *testing.T) {
		n := len(srv.Requests())
		srv.FailNext(1, http.StatusBadGateway)
		if _, err := c.AddNote(context.Background(), "PSYN006", "x"); err == nil || !strings.Contains(err.Error(), "add note for PSYN006: PagerDuty answered 502") {
			t.Fatalf("err = %v", err)
		}
		if got := len(srv.Requests()) - n; got != 1 {
			t.Errorf("%d requests, want 1", got)
		}
	})
	t.Run("429 is retried", func(t *testing.T) {
		srv.RateLimitNext(1, 0)
		if _, err := c.AddNote(context.Background(), "PSYN006", "y"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("checks before any request", func(t *testing.T) {
		noFrom, _ := newTestClient(t, srv.URL(), Options{})
		n := len(srv.Requests())
		for _, tc := range []struct {
			c       *Client
			content string
			want    string
		}{
			{noFrom, "x", "Options.From is empty"},
			{c, "  \n", "note content is empty"},
		} {
			if _, err := tc.c.AddNote(context.Background(), "PSYN006", tc.content); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		}
		if got := len(srv.Requests()) - n; got != 0 {
			t.Errorf("%d requests", got)
		}
	})
}

func TestInvalidIncidentIDs(t *testing.T) {
	srv := pagerdutytest.NewServer(t, testToken)
	c, _ := newTestClient(t, srv.URL(), Options{From: "bot@example.com"})
	ctx := context.Background()
	for _, id := range []string{"", "pabc123", "PABC/../X", "PABC?x=1", "PABC 1", "PÄBC", "PABC%2F", "PABC\n", "P-1"} {
		t.Run(strconv.Quote(id), func(t *testing.T) {
			if postmortem.ValidIncidentID(id) {
				t.Fatal("accepted")
			}
			if _, err := c.FetchExport(ctx, id); err == nil || !strings.Contains(err.Error(), "invalid incident ID") {
				t.Errorf("FetchExport: %v", err)
			}
			if _, err := c.Incident(ctx, id); err == nil {
				t.Error("Incident accepted it")
			}
			if _, err := c.AddNote(ctx, id, "x"); err == nil || !strings.Contains(err.Error(), "invalid incident ID") {
				t.Errorf("AddNote: %v", err)
			}
		})
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests made for invalid IDs", n)
	}
	for _, id := range []string{"PABC123", "Q3B15VLMF3ASBD", "1234"} {
		if !postmortem.ValidIncidentID(id) {
			t.Errorf("%q rejected", id)
		}
	}
}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"empty token", Options{BaseURL: "https://api.pagerduty.com"}, "Options.Token"},
		{"blank token", Options{BaseURL: "https://api.pagerduty.com", Token: "  "}, "Options.Token"},
		{"empty URL", Options{Token: "t"}, "Options.BaseURL"},
		{"relative URL", Options{Token: "t", BaseURL: "api.pagerduty.com"}, "Options.BaseURL"},
		{"other scheme", Options{Token: "t", BaseURL: "ftp://api.pagerduty.com"}, "Options.BaseURL"},
		{"no host", Options{Token: "t", BaseURL: "https://"}, "Options.BaseURL"},
		{"query", Options{Token: "t", BaseURL: "https://api.pagerduty.com?x=1"}, "Options.BaseURL"},
		{"negative wait", Options{Token: "t", BaseURL: "https://api.pagerduty.com", MaxWait: -time.Second}, "Options.MaxWait"},
		{"From not an email", Options{Token: "t", BaseURL: "https://api.pagerduty.com", From: "hindsight"}, "Options.From"},
		{"good", Options{Token: "t", BaseURL: "https://api.pagerduty.com/"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.opts)
			if tt.want == "" {
				if err != nil || c == nil {
					t.Fatalf("New: %v", err)
				}
				if c.baseURL != "https://api.pagerduty.com" || c.maxWait != defaultMaxWait {
					t.Errorf("base %q, max wait %s", c.baseURL, c.maxWait)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to name %s", err, tt.want)
			}
		})
	}
}

func TestConcurrentFetches(t *testing.T) {
	srv := pagerdutytest.NewServer(t, testToken)
	c, _ := newTestClient(t, srv.URL(), Options{From: "bot@example.com"})
	ids := []string{"PCON001", "PCON002", "PCON003", "PCON004"}
	for i, id := range ids {
		synthetic(srv, id, 50*(i+1))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(ids))
	for i, id := range ids {
		wg.Go(func() {
			in, err := c.Incident(context.Background(), id)
			if err == nil && len(in.LogEntries) != 50*(i+1) {
				err = fmt.Errorf("%s: %d entries", id, len(in.LogEntries))
			}
			errs <- err
		})
		wg.Go(func() {
			_, err := c.AddNote(context.Background(), id, "concurrent")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
