package handlers_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/handlers"
	"github.com/hindsight-dev/hindsight/internal/payloads"
	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

const secret = "test-subscription-secret"

func reference(t *testing.T, name string) []byte {
	t.Helper()
	return payloads.PagerDuty(t, name)
}

func sign(body []byte, s string) string {
	h := hmac.New(sha256.New, []byte(s))
	h.Write(body)
	return "v1=" + hex.EncodeToString(h.Sum(nil))
}

type env struct {
	srv   http.Handler
	redis *queuetest.Redis
	insp  *asynq.Inspector
	store *redisstore.Store
}

func newEnv(t *testing.T, secrets ...string) *env {
	t.Helper()
	r := queuetest.StartRedis(t)
	rdb, err := redisstore.OpenRedis(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	store := redisstore.NewStore(rdb, time.Hour)
	q := queue.New(rdb, store, 3)
	t.Cleanup(func() { _ = q.Close() })
	reg := prometheus.NewRegistry()
	if len(secrets) == 0 {
		secrets = []string{secret}
	}
	srv := handlers.NewServer(slog.New(slog.DiscardHandler), handlers.Config{PagerDutySecrets: secrets}, q,
		func(ctx context.Context) error { return queue.Ping(ctx, rdb) }, reg, reg)
	insp := asynq.NewInspectorFromRedisClient(rdb)
	return &env{srv: srv, redis: r, insp: insp, store: store}
}

func (e *env) post(t *testing.T, body []byte, headers map[string]string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/pagerduty", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func (e *env) pending(t *testing.T) int {
	t.Helper()
	info, err := e.insp.GetQueueInfo("default")
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return 0
		}
		t.Fatal(err)
	}
	return info.Pending + info.Active + info.Completed + info.Retry
}

func TestPagerDutySignedReferenceSamplePasses(t *testing.T) {
	body := reference(t, "webhook-v3_incident.priority_updated_go-pagerduty-test-signed.json")
	sec := string(reference(t, "webhook-v3_incident.priority_updated_go-pagerduty-test-signed.secret.txt"))
	sig := string(reference(t, "webhook-v3_incident.priority_updated_go-pagerduty-test-signed.signature.txt"))
	e := newEnv(t, "another-secret", sec)
	code, out := e.post(t, body, map[string]string{"X-PagerDuty-Signature": sig, "X-Webhook-Id": "w1"})
	if code != http.StatusAccepted {
		t.Fatalf("status %d %s, want 202", code, out)
	}
	events, err := e.store.Events(context.Background(), "PGR0VU2")
	if err != nil || len(events) != 1 || !bytes.Equal(events[0], body) {
		t.Fatalf("stored events = %d (%v), want the body byte for byte", len(events), err)
	}
}

func TestPagerDutyWebhookAnswers(t *testing.T) {
	resolved := reference(t, "webhook-v3_incident.resolved_zulip-fixture.json")
	ping := reference(t, "webhook-v3_pagey.ping_n8n-readme.json")
	good := sign(resolved, secret)
	other := sign(resolved, "rotated-out")
	tests := []struct {
		name    string
		body    []byte
		sig     string
		want    int
		errPart string
	}{
		{"valid", resolved, good, 202, ""},
		{"second of two signatures", resolved, other + "," + good, 202, ""},
		{"second of two with a space", resolved, other + ", " + good, 202, ""},
		{"missing signature", resolved, "", 401, "X-PagerDuty-Signature"},
		{"wrong signature", resolved, other, 401, "X-PagerDuty-Signature"},
		{"signature without v1 prefix", resolved, strings.TrimPrefix(good, "v1="), 401, ""},
		{"body changed after signing", append(bytes.Clone(resolved), ' '), good, 401, ""},
		{"malformed JSON", []byte(`{"event":`), sign([]byte(`{"event":`), secret), 400, "not JSON"},
		{"no event_type", []byte(`{"event":{"id":"X"}}`), sign([]byte(`{"event":{"id":"X"}}`), secret), 400, "event.event_type"},
		{"not an envelope", []byte(`[1,2]`), sign([]byte(`[1,2]`), secret), 400, ""},
		{"ping", ping, sign(ping, secret), 202, ""},
		{"too large", bytes.Repeat([]byte("a"), handlers.MaxBodyBytes+1), "v1=00", 413, "1 MiB"},
	}
	e := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.post(t, tt.body, map[string]string{"X-PagerDuty-Signature": tt.sig, "X-Webhook-Id": tt.name})
			if code != tt.want {
				t.Fatalf("status %d (%s), want %d", code, body, tt.want)
			}
			if tt.want >= 400 {
				var eb struct{ Error string }
				if err := json.Unmarshal([]byte(body), &eb); err != nil || eb.Error == "" || !strings.Contains(eb.Error, tt.errPart) {
					t.Errorf("error body %q, want JSON {\"error\": …} mentioning %q", body, tt.errPart)
				}
			}
		})
	}
}

func TestPagerDutyDuplicateDeliveryDoesNothingMore(t *testing.T) {
	body := reference(t, "webhook-v3_incident.resolved_zulip-fixture.json")
	e := newEnv(t)
	h := map[string]string{"X-PagerDuty-Signature": sign(body, secret), "X-Webhook-Id": "delivery-1"}
	for i := 0; i < 3; i++ {
		if code, out := e.post(t, body, h); code != 202 {
			t.Fatalf("delivery %d: %d %s", i, code, out)
		} else if i > 0 && !strings.Contains(out, "duplicate") {
			t.Errorf("delivery %d answered %s, want duplicate", i, out)
		}
	}
	if n := e.pending(t); n != 1 {
		t.Errorf("%d tasks enqueued, want 1", n)
	}
}

func TestPagerDutyStoresEveryIncidentEvent(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{
		"webhook-v3_incident.triggered_zulip-fixture.json",
		"webhook-v3_incident.annotated_zulip-fixture.json",
		"webhook-v3_incident.status_update_published_zulip-fixture.json",
		"webhook-v3_incident.priority_updated_pd-developer-docs.json",
	} {
		body := reference(t, name)
		if code, out := e.post(t, body, map[string]string{"X-PagerDuty-Signature": sign(body, secret)}); code != 202 {
			t.Fatalf("%s: %d %s", name, code, out)
		}
	}
	if n := e.pending(t); n != 0 {
		t.Errorf("%d tasks enqueued for events that are only stored, want 0", n)
	}
	var env struct {
		Event struct {
			Data struct {
				ID       string
				Incident struct{ ID string }
			}
		}
	}
	_ = json.Unmarshal(reference(t, "webhook-v3_incident.status_update_published_zulip-fixture.json"), &env)
	id := env.Event.Data.Incident.ID
	if id == "" {
		id = env.Event.Data.ID
	}
	events, err := e.store.Events(context.Background(), id)
	if err != nil || len(events) == 0 {
		t.Errorf("status update not stored under incident %s: %d, %v", id, len(events), err)
	}
}

func TestPagerDutyAnswers503WhenRedisIsDown(t *testing.T) {
	body := reference(t, "webhook-v3_incident.resolved_zulip-fixture.json")
	e := newEnv(t)
	e.redis.StopForTest(t)
	start := time.Now()
	code, out := e.post(t, body, map[string]string{"X-PagerDuty-Signature": sign(body, secret)})
	if code != http.StatusServiceUnavailable {
		t.Fatalf("status %d %s, want 503", code, out)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("answered after %v, beyond PagerDuty's 5 s", d)
	}
	req := httptest.NewRequest(http.MethodGet, "/readyz", nil)
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("readyz = %d, want 503", rec.Code)
	}
	addr := strings.TrimPrefix(e.redis.URL, "redis://")
	addr, _, _ = strings.Cut(addr, "/")
	_, port, _ := strings.Cut(addr, ":")
	if body := rec.Body.String(); strings.Contains(body, addr) || strings.Contains(body, port) || !strings.Contains(body, `"error"`) {
		t.Errorf("readyz answered %q: want a JSON error without Redis's address %s", body, addr)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	e := newEnv(t)
	// /metrics last: the request histogram has no series before a request has been observed.
	for _, tc := range []struct {
		path string
		want int
	}{{"/healthz", 200}, {"/readyz", 200}, {"/nope", 404}, {"/metrics", 200}} {
		path, want := tc.path, tc.want
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != want {
			t.Errorf("GET %s = %d, want %d", path, rec.Code, want)
		}
		if path == "/metrics" {
			b, _ := io.ReadAll(rec.Body)
			if !strings.Contains(string(b), "hindsight_http_request_duration_seconds") {
				t.Error("metrics lack hindsight_http_request_duration_seconds")
			}
		}
	}
}
