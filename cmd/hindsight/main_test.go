package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/internal/payloads"
	"github.com/hindsight-dev/hindsight/internal/syncbuf"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
)

const (
	webhookSecret = "e2e-subscription-secret"
	pdToken       = "pd-e2e-token"
	ghToken       = "gh-e2e-token"
)

// resolvedFixture is PagerDuty's incident.resolved webhook for incident PCPZE64 (no priority, high urgency,
// so the default policy requires a postmortem).
func resolvedFixture(t *testing.T) []byte {
	t.Helper()
	return payloads.PagerDuty(t, "webhook-v3_incident.resolved_zulip-fixture.json")
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type service struct {
	addr string
	logs *syncbuf.Buffer
	done chan error
}

// startService runs `hindsight serve` through run with env, waits for /readyz and stops it at the end of
// the test, failing it if run returns an error.
func startService(t *testing.T, env map[string]string) *service {
	t.Helper()
	s, _ := startStoppable(t, env)
	return s
}

// deliver posts a signed PagerDuty webhook and wants it accepted.
func (s *service) deliver(t *testing.T, body []byte, webhookID string) {
	t.Helper()
	s.post(t, "/webhooks/pagerduty", body, map[string]string{
		"X-PagerDuty-Signature": "v1=" + hmacHex(webhookSecret, body),
		"X-Webhook-Id":          webhookID,
	})
}

// post sends a webhook and fails the test unless it is answered 202.
func (s *service) post(t *testing.T, path string, body []byte, headers map[string]string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+s.addr+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s answered %d %s", path, resp.StatusCode, b)
	}
}

func hmacHex(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// eventually polls cond until it holds or 20 s pass.
func eventually(t *testing.T, what string, cond func() bool, logs fmt.Stringer) {
	t.Helper()
	eventuallyWithin(t, 20*time.Second, what, cond, logs)
}

// eventuallyWithin is eventually with a wait of its own.
func eventuallyWithin(t *testing.T, wait time.Duration, what string, cond func() bool, logs fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s\nservice log:\n%s", what, logs)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// loadYAML loads the configuration of the YAML text (none when empty) with an empty environment. With
// wantErr it checks the load fails naming wantErr and returns false; otherwise it fails the test on an error.
func loadYAML(t *testing.T, text, wantErr string) (config, bool) {
	t.Helper()
	env := map[string]string{}
	if text != "" {
		env["HINDSIGHT_CONFIG"] = writeConfig(t, text)
	}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("loadConfig = %v, want an error naming %q", err, wantErr)
		}
		return cfg, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return cfg, true
}

func writeConfig(t testing.TB, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hindsight.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// withEventID returns the fixture with another event ID, as a second incident.resolved would have.
func withEventID(t *testing.T, body []byte, id string) []byte {
	t.Helper()
	var v map[string]map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	v["event"]["id"] = id
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEndToEndResolvedIncidentBecomesOnePullRequest(t *testing.T) {
	redis := queuetest.StartRedis(t)
	pd := pagerdutytest.NewServer(t, pdToken)
	incident, entries, notes := pagerdutytest.Synthetic("PCPZE64", 6, 250, time.Date(2021, 6, 4, 12, 0, 0, 0, time.UTC))
	pd.AddIncident(incident)
	pd.AddLogEntries("PCPZE64", entries...)
	pd.AddNotes("PCPZE64", notes...)
	gh := githubtest.NewServer(t, "acme", "postmortems", ghToken)
	gh.SetLogin("hindsight-bot")
	gh.AddCollaborators("ana-gh", "ben-gh", "sre-lead", "hindsight-bot")

	cfg := writeConfig(t, `
github:
  reviewers: [sre-lead, hindsight-bot]
  default_owner: sre-lead
  base_branch: main
people:
  PUSERA1: ana-gh
  PUSERB2: ben-gh
log:
  format: text
`)
	env := fakesEnv(redis.URL, pd, gh, cfg)
	env["HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS"] = "old-subscription-secret, " + webhookSecret
	svc := startService(t, env)

	body := resolvedFixture(t)
	svc.deliver(t, body, "delivery-1")
	backLinked := func() bool {
		for _, n := range pd.Notes("PCPZE64") {
			if strings.Contains(string(n), "Postmortem draft for review") {
				return true
			}
		}
		return false
	}
	eventually(t, "the back-link note", backLinked, svc.logs)

	// A repeated delivery and a second incident.resolved change nothing.
	svc.deliver(t, body, "delivery-1")
	svc.deliver(t, withEventID(t, body, "01SECONDRESOLVEEVENT0000"), "delivery-2")
	time.Sleep(300 * time.Millisecond)
	eventually(t, "the queue to drain", func() bool { return strings.Count(svc.logs.String(), "postmortem pull request") >= 2 }, svc.logs)

	prs := gh.PullRequests()
	if len(prs) != 1 {
		t.Fatalf("%d pull requests, want 1", len(prs))
	}
	pr := prs[0]
	if pr.Head != "postmortem/PCPZE64" || pr.Author != "hindsight-bot" {
		t.Errorf("head %q author %q", pr.Head, pr.Author)
	}
	if !strings.Contains(strings.Join(pr.Labels, ","), "postmortem") {
		t.Errorf("labels = %v", pr.Labels)
	}
	for _, r := range pr.RequestedReviewers {
		if r == "hindsight-bot" {
			t.Error("the token's own login was requested as a reviewer")
		}
	}
	if len(pr.RequestedReviewers) == 0 || len(pr.Assignees) != 1 {
		t.Errorf("reviewers %v assignees %v", pr.RequestedReviewers, pr.Assignees)
	}
	if n := len(gh.Branches()); n != 2 {
		t.Errorf("%d branches, want main and the postmortem branch", n)
	}
	var links int
	for _, n := range pd.Notes("PCPZE64") {
		if strings.Contains(string(n), "Postmortem draft for review") {
			links++
		}
	}
	if links != 1 {
		t.Errorf("%d back-link notes, want 1", links)
	}
	file := "postmortems/2021-06-04-6-checkout-latency-above-slo.md"
	content, ok := gh.File("postmortem/PCPZE64", file)
	if !ok || !strings.Contains(content, "## Five whys") && !strings.Contains(content, "### Five whys") {
		t.Fatalf("postmortem file %q missing or without Five Whys", file)
	}
	for _, want := range []string{"Checkout", "## Timeline", "UTC", "P1"} {
		if !strings.Contains(content, want) {
			t.Errorf("postmortem lacks %q", want)
		}
	}
}

func TestDryRunWritesDraftAndActions(t *testing.T) {
	redis := queuetest.StartRedis(t)
	out := t.TempDir()
	svc := startService(t, map[string]string{
		"HINDSIGHT_REDIS_URL":                 redis.URL,
		"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret,
		"HINDSIGHT_OUTPUT_DIR":                out,
	})
	// Without a PagerDuty token the incident is built from the stored webhook events.
	svc.deliver(t, resolvedFixture(t), "dry-1")
	dir := filepath.Join(out, "PCPZE64")
	eventually(t, "the dry-run report", func() bool {
		_, err := os.Stat(filepath.Join(dir, "actions.json"))
		return err == nil
	}, svc.logs)
	var actions []struct{ Action string }
	b, err := os.ReadFile(filepath.Join(dir, "actions.json"))
	if err != nil || json.Unmarshal(b, &actions) != nil || len(actions) < 5 {
		t.Fatalf("actions.json: %s (%v)", b, err)
	}
	draft, err := os.ReadFile(filepath.Join(dir, "postmortems", "2021-06-04-6-test-incident.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Postmortem: Test Incident", "pig208", "2021-06-04 13:16:53 UTC", "Resolved"} {
		if !strings.Contains(string(draft), want) {
			t.Errorf("draft lacks %q", want)
		}
	}
}

func TestBadConfigurationStopsWithOneLineNamingTheSetting(t *testing.T) {
	good := map[string]string{"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret, "HINDSIGHT_LISTEN_ADDR": "127.0.0.1:0", "HINDSIGHT_OUTPUT_DIR": t.TempDir()}
	unknownKey := writeConfig(t, "github:\n  repo: acme/x\n  reviewrs: [a]\n")
	badPolicy := writeConfig(t, "policy:\n  rules:\n    - priorities: [P1]\n      postmortem: always\n")
	brokenTemplates := t.TempDir()
	if err := os.WriteFile(filepath.Join(brokenTemplates, "full.md.tmpl"), []byte("# {{.Incident.Title}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	brokenTemplateConfig := writeConfig(t, "templates:\n  directory: "+brokenTemplates+"\n")
	badLintRule := writeConfig(t, "lint:\n  rules:\n    blame-languag: off\n")
	tests := []struct {
		name    string
		env     map[string]string
		setting string
		detail  string
	}{
		{"bad PagerDuty URL", map[string]string{"HINDSIGHT_PAGERDUTY_API_URL": "ftp://x"}, "HINDSIGHT_PAGERDUTY_API_URL", "http(s)"},
		{"bad GitHub URL", map[string]string{"HINDSIGHT_GITHUB_API_URL": "::nope"}, "HINDSIGHT_GITHUB_API_URL", ""},
		{"bad repo", map[string]string{"HINDSIGHT_GITHUB_TOKEN": "t", "HINDSIGHT_GITHUB_REPO": "just-a-name"}, "HINDSIGHT_GITHUB_REPO", "owner/name"},
		{"token without repo", map[string]string{"HINDSIGHT_GITHUB_TOKEN": "t"}, "HINDSIGHT_GITHUB_REPO", "required"},
		{"bad Redis URL", map[string]string{"HINDSIGHT_REDIS_URL": "mysql://x"}, "HINDSIGHT_REDIS_URL", "scheme"},
		{"bad listen address", map[string]string{"HINDSIGHT_LISTEN_ADDR": "8080"}, "HINDSIGHT_LISTEN_ADDR", ""},
		{"unreadable config", map[string]string{"HINDSIGHT_CONFIG": "/no/such/hindsight.yaml"}, "HINDSIGHT_CONFIG", "no such file"},
		{"unknown YAML key", map[string]string{"HINDSIGHT_CONFIG": unknownKey}, "HINDSIGHT_CONFIG", "reviewrs"},
		{"bad policy", map[string]string{"HINDSIGHT_CONFIG": badPolicy}, "HINDSIGHT_CONFIG", "postmortem"},
		{"broken template", map[string]string{"HINDSIGHT_CONFIG": brokenTemplateConfig}, "HINDSIGHT_CONFIG", "full.md.tmpl:1"},
		{"unknown lint rule", map[string]string{"HINDSIGHT_CONFIG": badLintRule}, "HINDSIGHT_CONFIG", `lint: rules: unknown rule "blame-languag"`},
		{"bad app id", map[string]string{"HINDSIGHT_GITHUB_APP_ID": "abc"}, "HINDSIGHT_GITHUB_APP_ID", "number"},
		{"missing webhook secrets", map[string]string{"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": ""}, "HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS", "required"},
		{"bad From", map[string]string{"HINDSIGHT_PAGERDUTY_FROM": "not an email"}, "HINDSIGHT_PAGERDUTY_FROM", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range good {
				env[k] = v
			}
			for k, v := range tt.env {
				env[k] = v
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := run(ctx, []string{"hindsight", "serve"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
			if err == nil {
				t.Fatal("run succeeded, want a configuration error")
			}
			msg := oneLine(err.Error())
			if msg != err.Error() || !strings.HasPrefix(msg, tt.setting+":") || !strings.Contains(msg, tt.detail) {
				t.Errorf("error %q, want one line starting %q and mentioning %q", err, tt.setting+":", tt.detail)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"hindsight"},
		{"hindsight", "frobnicate"},
		{"hindsight", "serve", "--role", "both"},
		{"hindsight", "preview"},
		{"hindsight", "preview", "--from", "a.json", "--incident", "PABC"},
		{"hindsight", "preview", "--incident", "../etc"},
	} {
		err := run(context.Background(), args, func(string) string { return "" }, io.Discard, io.Discard)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: error %v, want a usage error (exit 2)", args, err)
		}
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"hindsight", "version"}, func(string) string { return "" }, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "hindsight ") {
		t.Errorf("version: %q %v", out.String(), err)
	}
}

func TestTemplateThatFailsToExecuteStopsTheStart(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "short.md.tmpl"), []byte("# {{.Incident.Title}}\n\n{{.Incident.NoSuchField}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HINDSIGHT_CONFIG": writeConfig(t, "templates:\n  directory: "+dir+"\n")}
	err := run(context.Background(), []string{"hindsight", "preview", "--from", filepath.Join("..", "..", "examples", "incident-export.json")},
		func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "short.md.tmpl:3") || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %v, want one line naming short.md.tmpl:3", err)
	}
}
