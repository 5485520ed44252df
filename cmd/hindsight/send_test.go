package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/payloads"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
)

// TestSendSampleGivesDraftWithTimeline is the README's "Run it": serve in dry-run mode (no GitHub
// credentials, no PagerDuty token), then send with no FILE: the draft appears with the sample's timeline.
func TestSendSampleGivesDraftWithTimeline(t *testing.T) {
	redis := queuetest.StartRedis(t)
	out := t.TempDir()
	env := map[string]string{
		"HINDSIGHT_REDIS_URL":                 redis.URL,
		"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret + ",older-secret-0123456789",
		"HINDSIGHT_OUTPUT_DIR":                out,
	}
	svc := startService(t, env)
	var stdout strings.Builder
	if err := run(context.Background(), []string{"hindsight", "send"}, func(k string) string { return env[k] }, &stdout, io.Discard); err != nil {
		t.Fatalf("send: %v\n%s", err, stdout.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	wantTypes := []string{"incident.triggered", "incident.acknowledged", "incident.annotated", "incident.status_update_published", "incident.resolved"}
	if len(lines) != len(wantTypes) {
		t.Fatalf("send printed %d lines, want one per delivery:\n%s", len(lines), stdout.String())
	}
	line := regexp.MustCompile(`^(incident\.[a-z_.]+) (Q[A-Z0-9]{13}): 202 Accepted \{.*\}$`)
	var incidentID string
	for i, l := range lines {
		m := line.FindStringSubmatch(l)
		if m == nil || m[1] != wantTypes[i] {
			t.Fatalf("line %d %q, want %s with the incident ID and a 202 answer", i+1, l, wantTypes[i])
		}
		incidentID = m[2]
	}

	dir := filepath.Join(out, incidentID)
	var draft string
	eventually(t, "the sample's draft", func() bool {
		files, _ := filepath.Glob(filepath.Join(dir, "postmortems", "*.md"))
		if len(files) != 1 {
			return false
		}
		b, err := os.ReadFile(files[0])
		draft = string(b)
		return err == nil
	}, svc.logs)
	for _, want := range []string{
		"Checkout API returns 502",
		"P2",
		"Action item: alert when the checkout database",             // the note
		"The connection pool of the checkout database is exhausted", // the status update
	} {
		if !strings.Contains(draft, want) {
			t.Errorf("the draft lacks %q", want)
		}
	}
	items := postmortem.ParseActionItems(draft)
	if len(items) != 1 || !strings.HasPrefix(items[0].Text, "alert when the checkout database") {
		t.Errorf("action items %+v, want the note's", items)
	}
	// The timeline's rows: every entry's time is in the detailed table.
	rows := regexp.MustCompile(`(?m)^\| \d{4}-\d{2}-\d{2} \d{2}:\d{2}`).FindAllString(draft, -1)
	if len(rows) < 5 {
		t.Errorf("the draft's timeline has %d rows, want at least 5 (triggered, acknowledged, note, status update, resolved):\n%s", len(rows), draft)
	}

	// A second send is a second incident: its own draft, nothing mixed into the first.
	stdout.Reset()
	if err := run(context.Background(), []string{"hindsight", "send"}, func(k string) string { return env[k] }, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stdout.String(), incidentID) {
		t.Errorf("the second sample reuses incident %s", incidentID)
	}
}

func TestSendFilesAndAnswers(t *testing.T) {
	var got []*http.Request
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r)
		bodies = append(bodies, string(b))
		if r.Header.Get("X-PagerDuty-Signature") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error": "no signature"}`)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, "{\"status\":\n \"accepted\"}")
	}))
	t.Cleanup(srv.Close)
	signed := payloads.PagerDuty(t, "webhook-v3_incident.priority_updated_go-pagerduty-test-signed.json")
	secret := strings.TrimSpace(string(payloads.PagerDuty(t, "webhook-v3_incident.priority_updated_go-pagerduty-test-signed.secret.txt")))
	signature := strings.TrimSpace(string(payloads.PagerDuty(t, "webhook-v3_incident.priority_updated_go-pagerduty-test-signed.signature.txt")))
	file := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(file, signed, 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout strings.Builder
	err := run(context.Background(), []string{"hindsight", "send", "--to", srv.URL + "/webhooks/pagerduty", "--secret", secret, file, file},
		func(string) string { return "" }, &stdout, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || bodies[0] != string(signed) {
		t.Fatalf("the server got %d requests; first body %q", len(got), bodies[0])
	}
	// The signature is the one go-pagerduty's test holds for this body and secret.
	if s := got[0].Header.Get("X-PagerDuty-Signature"); s != signature {
		t.Errorf("X-PagerDuty-Signature %q, want %q", s, signature)
	}
	if got[0].Header.Get("X-Webhook-Id") == "" || got[0].Header.Get("X-Webhook-Id") == got[1].Header.Get("X-Webhook-Id") {
		t.Error("each delivery needs its own X-Webhook-Id")
	}
	if want := file + ": 202 Accepted {\"status\": \"accepted\"}\n"; stdout.String() != want+want {
		t.Errorf("stdout %q, want one line per delivery %q", stdout.String(), want)
	}
}

func TestSendErrors(t *testing.T) {
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"X-PagerDuty-Signature is missing or matches no configured webhook secret"}`)
	}))
	t.Cleanup(refuse.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		usage bool
		want  string
	}{
		{"no secret anywhere", []string{"--to", refuse.URL}, nil, true, "HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS"},
		{"not a URL", []string{"--to", "localhost:8080", "--secret", "s"}, nil, true, "--to"},
		{"unknown flag", []string{"--from", "x"}, nil, true, "-from"},
		{"missing file", []string{"--to", refuse.URL, "--secret", "s", "nope.json"}, nil, false, "nope.json"},
		{"answer 401", []string{"--to", refuse.URL, "--secret", "s"}, nil, false, "5 of 5 deliveries were not accepted"},
		{"nobody listening", []string{"--to", closed.URL, "--secret", "s"}, nil, false, "incident.triggered"},
		{"bad listen address in the environment", nil, map[string]string{"HINDSIGHT_LISTEN_ADDR": "8080", "HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": "s"}, false, "HINDSIGHT_LISTEN_ADDR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), append([]string{"hindsight", "send"}, tt.args...), func(k string) string { return tt.env[k] }, io.Discard, io.Discard)
			var ue usageError
			switch {
			case err == nil:
				t.Fatal("no error")
			case isUsage(err, &ue) != tt.usage:
				t.Errorf("error %v: usage error %v, want %v", err, !tt.usage, tt.usage)
			case !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n"):
				t.Errorf("error %q, want one line mentioning %q", err, tt.want)
			}
		})
	}
}

func TestLocalWebhookURL(t *testing.T) {
	for addr, want := range map[string]string{
		":8080":          "http://127.0.0.1:8080/webhooks/pagerduty",
		"0.0.0.0:9000":   "http://127.0.0.1:9000/webhooks/pagerduty",
		"[::]:9000":      "http://127.0.0.1:9000/webhooks/pagerduty",
		"10.1.2.3:8080":  "http://10.1.2.3:8080/webhooks/pagerduty",
		"localhost:8081": "http://localhost:8081/webhooks/pagerduty",
		"[::1]:8080":     "http://[::1]:8080/webhooks/pagerduty",
	} {
		if got := localWebhookURL(addr); got != want {
			t.Errorf("%s: got %s, want %s", addr, got, want)
		}
	}
}
