package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/queue/queuetest"
)

func TestReadyzURL(t *testing.T) {
	for addr, want := range map[string]string{
		":8080":          "http://127.0.0.1:8080/readyz",
		"0.0.0.0:8080":   "http://127.0.0.1:8080/readyz",
		"[::]:8080":      "http://[::1]:8080/readyz",
		"127.0.0.1:9000": "http://127.0.0.1:9000/readyz",
		"[::1]:9000":     "http://[::1]:9000/readyz",
		"10.1.2.3:8080":  "http://10.1.2.3:8080/readyz",
	} {
		got, err := readyzURL(addr)
		if err != nil || got != want {
			t.Errorf("readyzURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	if _, err := readyzURL("8080"); err == nil || !strings.HasPrefix(err.Error(), "HINDSIGHT_LISTEN_ADDR: ") {
		t.Errorf("readyzURL(8080) = %v, want an error naming HINDSIGHT_LISTEN_ADDR", err)
	}
}

func TestHealthcheck(t *testing.T) {
	rds := queuetest.StartRedis(t)
	svc := startService(t, map[string]string{
		"HINDSIGHT_REDIS_URL":                 rds.URL,
		"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret,
		"HINDSIGHT_OUTPUT_DIR":                t.TempDir(),
	})
	healthcheck := func(addr string) (string, error) {
		var out bytes.Buffer
		env := map[string]string{"HINDSIGHT_LISTEN_ADDR": addr}
		err := run(context.Background(), []string{"hindsight", "healthcheck"}, func(k string) string { return env[k] }, &out, io.Discard)
		return out.String(), err
	}
	if out, err := healthcheck(svc.addr); err != nil || !strings.Contains(out, "ready") {
		t.Errorf("healthcheck of a ready service = %q, %v", out, err)
	}

	// A service whose Redis is down answers /readyz with 503: unhealthy.
	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"error":"redis does not answer"}`, http.StatusServiceUnavailable)
	}))
	defer notReady.Close()
	addr := strings.TrimPrefix(notReady.URL, "http://")
	if _, err := healthcheck(addr); err == nil || !strings.Contains(err.Error(), "answered 503") {
		t.Errorf("healthcheck of a service answering 503 = %v, want an error", err)
	}
	// Nothing listening: unhealthy.
	if _, err := healthcheck(freeAddr(t)); err == nil {
		t.Error("healthcheck of a closed port succeeded")
	}
	if _, err := healthcheck("nonsense"); err == nil || !strings.Contains(err.Error(), "HINDSIGHT_LISTEN_ADDR") {
		t.Errorf("healthcheck with a bad address = %v", err)
	}
}
