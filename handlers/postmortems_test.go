package handlers

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

func TestPostmortemsPage(t *testing.T) {
	const token = "0123456789abcdef-admin"
	r := queuetest.StartRedis(t)
	rdb, err := redisstore.OpenRedis(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	store := redisstore.NewStore(rdb, time.Hour)
	ctx := context.Background()
	now := time.Now()
	for _, rec := range []redisstore.Record{
		{IncidentID: "PLATE", IncidentTitle: "Late", PullURL: "https://github.example/a/b/pull/1", PullNumber: 1,
			ResolvedAt: now.Add(-72 * time.Hour).Unix(), Due: now.Add(-24 * time.Hour).Unix()},
		{IncidentID: "POLDER", IncidentTitle: "Older", PullURL: "https://github.example/a/b/pull/2", PullNumber: 2,
			ResolvedAt: now.Add(-60 * 24 * time.Hour).Unix(), MergedAt: now.Add(-59 * 24 * time.Hour).Unix()},
	} {
		if err := store.SaveRecord(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	h := NewAdmin(slog.New(slog.DiscardHandler), prometheus.NewRegistry(), Admin{Token: token, Postmortems: store})
	get := func(path string, auth bool) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if auth {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	for _, path := range []string{"/postmortems", "/postmortems.json"} {
		if rec := get(path, false); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s without the token: %d", path, rec.Code)
		}
	}
	page := get("/postmortems", true)
	if page.Code != http.StatusOK || !strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("page: %d %s", page.Code, page.Header().Get("Content-Type"))
	}
	if csp := page.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || page.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("page headers %v", page.Header())
	}
	if body := page.Body.String(); !strings.Contains(body, `data-incident="PLATE" data-state="overdue"`) || !strings.Contains(body, `data-incident="POLDER" data-state="merged"`) {
		t.Errorf("page lacks the postmortems:\n%.3000s", body)
	}

	since := now.Add(-7 * 24 * time.Hour).Format(time.DateOnly)
	js := get("/postmortems.json?since="+since, true)
	var report struct {
		Postmortems []struct {
			IncidentID string `json:"incident_id"`
			State      string `json:"state"`
		} `json:"postmortems"`
	}
	if js.Code != http.StatusOK || json.Unmarshal(js.Body.Bytes(), &report) != nil {
		t.Fatalf("json: %d %s", js.Code, js.Body)
	}
	if len(report.Postmortems) != 1 || report.Postmortems[0].IncidentID != "PLATE" || report.Postmortems[0].State != "overdue" {
		t.Errorf("since %s: %+v, want PLATE alone", since, report.Postmortems)
	}
	if rec := get("/postmortems?since=sometime", true); rec.Code != http.StatusBadRequest ||
		!strings.Contains(rec.Body.String(), `"error":"since \"sometime\": want a date such as 2026-10-01 or an RFC 3339 time"`) {
		t.Errorf("bad since: %d %s", rec.Code, rec.Body)
	}
	if page := get("/postmortems?since="+since, true); !strings.Contains(page.Body.String(), `href="/postmortems.json?since=`+since+`"`) {
		t.Errorf("the page's JSON link lacks its start")
	}

	// Redis gone: 503, with a message a person can act on.
	r.StopForTest(t)
	if rec := get("/postmortems.json", true); rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "cannot read the postmortems from Redis") {
		t.Errorf("Redis down: %d %s", rec.Code, rec.Body)
	}
}

func TestNoPostmortemsPageWithoutASource(t *testing.T) {
	h := NewAdmin(slog.New(slog.DiscardHandler), prometheus.NewRegistry(), Admin{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/postmortems", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("/postmortems without a source: %d, want 404", rec.Code)
	}
}
