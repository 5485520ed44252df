package handlers_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/handlers"
	"github.com/hindsight-dev/hindsight/lifecycle"
	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

const gitHubSecret = "test-github-webhook-secret"

func gitHubExample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "integrations", "github", "testdata", "webhooks", name))
	if err != nil {
		t.Fatalf("github example: %v", err)
	}
	return b
}

// edited returns example name with the fields at the dotted paths set, re-encoded.
func edited(t *testing.T, name string, set map[string]any) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(gitHubExample(t, name), &doc); err != nil {
		t.Fatal(err)
	}
	for path, v := range set {
		keys := strings.Split(path, ".")
		obj := doc
		for _, k := range keys[:len(keys)-1] {
			next, ok := obj[k].(map[string]any)
			if !ok {
				t.Fatalf("%s: %s is not an object", name, path)
			}
			obj = next
		}
		obj[keys[len(keys)-1]] = v
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func signGitHub(body []byte, s string) string {
	h := hmac.New(sha256.New, []byte(s))
	h.Write(body)
	return "sha256=" + hex.EncodeToString(h.Sum(nil))
}

type gitHubEnv struct {
	srv   http.Handler
	redis *queuetest.Redis
	insp  *asynq.Inspector
	reg   *prometheus.Registry
}

func newGitHubEnv(t *testing.T, ghSecret string) *gitHubEnv {
	t.Helper()
	r := queuetest.StartRedis(t)
	rdb, err := redisstore.OpenRedis(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	q := queue.New(rdb, redisstore.NewStore(rdb, time.Hour), 3)
	t.Cleanup(func() { _ = q.Close() })
	reg := prometheus.NewRegistry()
	srv := handlers.NewServer(slog.New(slog.DiscardHandler),
		handlers.Config{PagerDutySecrets: []string{secret}, GitHubSecret: ghSecret}, q,
		func(ctx context.Context) error { return queue.Ping(ctx, rdb) }, reg, reg)
	insp := asynq.NewInspectorFromRedisClient(rdb)
	return &gitHubEnv{srv: srv, redis: r, insp: insp, reg: reg}
}

// post sends body as event with a signature made with the test secret, unless headers say otherwise
// (an empty value removes the header).
func (e *gitHubEnv) post(t *testing.T, event, delivery string, body []byte, headers map[string]string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/github", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/044aadd")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", delivery)
	req.Header.Set("X-GitHub-Hook-ID", "292430182")
	req.Header.Set("X-Hub-Signature-256", signGitHub(body, gitHubSecret))
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// tasks returns every task in the default queue, whatever its state.
func (e *gitHubEnv) tasks(t *testing.T) []*asynq.TaskInfo {
	t.Helper()
	var all []*asynq.TaskInfo
	for _, list := range []func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){
		e.insp.ListPendingTasks, e.insp.ListActiveTasks, e.insp.ListRetryTasks, e.insp.ListCompletedTasks,
	} {
		got, err := list("default")
		if err != nil {
			if errors.Is(err, asynq.ErrQueueNotFound) {
				return nil
			}
			t.Fatal(err)
		}
		all = append(all, got...)
	}
	return all
}

func status(t *testing.T, body string) string {
	t.Helper()
	var s struct{ Status string }
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatalf("answer %q is not JSON: %v", body, err)
	}
	return s.Status
}

func TestGitHubDocumentedSignatureVector(t *testing.T) {
	// GitHub's documented example: the signature passes, so the answer is about the body ("Hello, World!"
	// is not JSON), not about the signature.
	const (
		vecSecret = "It's a Secret to Everybody"
		vecBody   = "Hello, World!"
		vecSig    = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	)
	if got := signGitHub([]byte(vecBody), vecSecret); got != vecSig {
		t.Fatalf("test signer gives %s, want %s", got, vecSig)
	}
	e := newGitHubEnv(t, vecSecret)
	code, out := e.post(t, "ping", "vector-1", []byte(vecBody), map[string]string{"X-Hub-Signature-256": vecSig})
	if code != http.StatusBadRequest || !strings.Contains(out, "not JSON") {
		t.Errorf("documented vector: %d %s, want 400 about JSON (the signature passes)", code, out)
	}
	tampered := vecSig[:len(vecSig)-1] + "f"
	if code, out := e.post(t, "ping", "vector-2", []byte(vecBody), map[string]string{"X-Hub-Signature-256": tampered}); code != http.StatusUnauthorized {
		t.Errorf("tampered vector: %d %s, want 401", code, out)
	}
}

func TestGitHubWebhookAnswers(t *testing.T) {
	ping := gitHubExample(t, "ping.json")
	merged := gitHubExample(t, "pull_request.closed.merged.json")
	tests := []struct {
		name     string
		event    string
		delivery string
		body     []byte
		headers  map[string]string
		want     int
		errPart  string
	}{
		{"ping", "ping", "d-ping", ping, nil, 202, ""},
		{"merged postmortem", "pull_request", "d-merged", merged, nil, 202, ""},
		{"missing signature", "ping", "d1", ping, map[string]string{"X-Hub-Signature-256": ""}, 401, "X-Hub-Signature-256"},
		{"wrong secret", "ping", "d2", ping, map[string]string{"X-Hub-Signature-256": signGitHub(ping, "other")}, 401, "X-Hub-Signature-256"},
		{"sha1 signature only", "ping", "d3", ping, map[string]string{"X-Hub-Signature-256": "", "X-Hub-Signature": "sha1=0123"}, 401, ""},
		{"no sha256= prefix", "ping", "d4", ping, map[string]string{"X-Hub-Signature-256": strings.TrimPrefix(signGitHub(ping, gitHubSecret), "sha256=")}, 401, ""},
		{"not hex", "ping", "d5", ping, map[string]string{"X-Hub-Signature-256": "sha256=zz"}, 401, ""},
		{"body changed after signing", "ping", "d6", append(bytes.Clone(ping), ' '), map[string]string{"X-Hub-Signature-256": signGitHub(ping, gitHubSecret)}, 401, ""},
		{"malformed JSON", "pull_request", "d7", []byte(`{"action":`), nil, 400, "not JSON"},
		{"JSON but not an object", "ping", "d8", []byte(`[1,2]`), nil, 400, "JSON"},
		{"JSON null", "ping", "d9", []byte(`null`), nil, 400, "JSON object"},
		{"missing X-GitHub-Event", "", "d10", ping, nil, 400, "X-GitHub-Event"},
		{"missing X-GitHub-Delivery", "ping", "", ping, nil, 400, "X-GitHub-Delivery"},
		{"absurd X-GitHub-Delivery", "ping", strings.Repeat("x", 200), ping, nil, 400, "X-GitHub-Delivery"},
		{"postmortem PR without head sha", "pull_request", "d11", edited(t, "pull_request.closed.merged.json", map[string]any{"pull_request.head.sha": ""}), nil, 400, "head.sha"},
		{"postmortem PR without repository", "pull_request", "d12", edited(t, "pull_request.closed.merged.json", map[string]any{"repository": nil, "pull_request.head.repo": map[string]any{"full_name": ""}}), nil, 400, "repository.full_name"},
		{"wrong field type", "pull_request", "d13", edited(t, "pull_request.closed.merged.json", map[string]any{"pull_request.merged": "yes"}), nil, 400, "pull_request"},
		{"too large", "ping", "d14", bytes.Repeat([]byte("a"), handlers.MaxBodyBytes+1), map[string]string{"X-Hub-Signature-256": "sha256=00"}, 413, "1 MiB"},
	}
	e := newGitHubEnv(t, gitHubSecret)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.post(t, tt.event, tt.delivery, tt.body, tt.headers)
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
	if n := len(e.tasks(t)); n != 1 {
		t.Errorf("%d tasks enqueued, want 1 (the merged postmortem)", n)
	}
}

func TestGitHubWithoutSecretAnswers401(t *testing.T) {
	e := newGitHubEnv(t, "")
	ping := gitHubExample(t, "ping.json")
	code, out := e.post(t, "ping", "d1", ping, map[string]string{"X-Hub-Signature-256": signGitHub(ping, "")})
	if code != http.StatusUnauthorized || !strings.Contains(out, "HINDSIGHT_GITHUB_WEBHOOK_SECRET") {
		t.Errorf("no secret configured: %d %s, want 401 naming HINDSIGHT_GITHUB_WEBHOOK_SECRET", code, out)
	}
}

func TestGitHubEventsBecomeTasks(t *testing.T) {
	const branch = "postmortem/PGR0VU2"
	command := "/hindsight remind"
	tests := []struct {
		name  string
		event string
		body  []byte
		want  lifecycle.GitHubEvent // nil: ignored, nothing enqueued
		typ   string
	}{
		{"ping", "ping", gitHubExample(t, "ping.json"), nil, ""},
		{"published PR examples are not postmortems: opened", "pull_request", gitHubExample(t, "pull_request.opened.json"), nil, ""},
		{"published PR examples are not postmortems: synchronize", "pull_request", gitHubExample(t, "pull_request.synchronize.json"), nil, ""},
		{"published PR examples are not postmortems: closed", "pull_request", gitHubExample(t, "pull_request.closed.json"), nil, ""},
		{"published PR examples are not postmortems: reopened", "pull_request", gitHubExample(t, "pull_request.reopened.json"), nil, ""},
		{"postmortem PR opened", "pull_request", edited(t, "pull_request.opened.json", map[string]any{"pull_request.head.ref": branch}),
			lifecycle.PullRequestEvent{Action: "opened", Repo: "Codertocat/Hello-World", Number: 2, HeadRef: branch,
				HeadSHA: "ec26c3e57ca3a959ca5aad62de7213c562f8c821"}, queue.TypePullRequest},
		{"postmortem PR synchronize", "pull_request", edited(t, "pull_request.synchronize.json", map[string]any{"pull_request.head.ref": branch}),
			lifecycle.PullRequestEvent{Action: "synchronize", Repo: "Codertocat/Hello-World", Number: 2, HeadRef: branch,
				HeadSHA: "ec26c3e57ca3a959ca5aad62de7213c562f8c821"}, queue.TypePullRequest},
		{"postmortem PR reopened", "pull_request", edited(t, "pull_request.reopened.json", map[string]any{"pull_request.head.ref": branch}),
			lifecycle.PullRequestEvent{Action: "reopened", Repo: "Codertocat/Hello-World", Number: 2, HeadRef: branch,
				HeadSHA: "ec26c3e57ca3a959ca5aad62de7213c562f8c821"}, queue.TypePullRequest},
		{"postmortem PR closed unmerged", "pull_request", edited(t, "pull_request.closed.json", map[string]any{"pull_request.head.ref": branch}),
			lifecycle.PullRequestEvent{Action: "closed", Repo: "Codertocat/Hello-World", Number: 2, HeadRef: branch,
				HeadSHA: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", ClosedAt: time.Date(2019, 5, 15, 15, 21, 18, 0, time.UTC)}, queue.TypePullRequest},
		{"postmortem PR merged", "pull_request", gitHubExample(t, "pull_request.closed.merged.json"),
			lifecycle.PullRequestEvent{Action: "closed", Repo: "Codertocat/Hello-World", Number: 2, HeadRef: branch,
				HeadSHA: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", Merged: true, ClosedAt: time.Date(2019, 5, 15, 15, 21, 18, 0, time.UTC)}, queue.TypePullRequest},
		{"postmortem PR labeled", "pull_request", edited(t, "pull_request.opened.json", map[string]any{"action": "labeled", "pull_request.head.ref": branch}), nil, ""},
		{"postmortem branch from a fork", "pull_request", edited(t, "pull_request.opened.json", map[string]any{"pull_request.head.ref": branch,
			"pull_request.head.repo": map[string]any{"full_name": "mallory/Hello-World"}}), nil, ""},
		{"action item closed", "issues", gitHubExample(t, "issues.closed.json"),
			lifecycle.IssueEvent{Action: "closed", Repo: "Codertocat/Hello-World", Number: 1},
			queue.TypeActionItem},
		{"action item reopened", "issues", edited(t, "issues.reopened.json", map[string]any{"issue.body": "<!-- hindsight:action-item PGR0VU2 k -->"}),
			lifecycle.IssueEvent{Action: "reopened", Repo: "Codertocat/Hello-World", Number: 1}, queue.TypeActionItem},
		{"published reopened issue is not an action item", "issues", gitHubExample(t, "issues.reopened.json"), nil, ""},
		{"issue with null body", "issues", edited(t, "issues.closed.json", map[string]any{"issue.body": nil}), nil, ""},
		{"action item edited", "issues", edited(t, "issues.closed.json", map[string]any{"action": "edited"}), nil, ""},
		{"published comment is not a command", "issue_comment", gitHubExample(t, "issue_comment.created.json"), nil, ""},
		{"command on an issue", "issue_comment", edited(t, "issue_comment.created.json", map[string]any{"comment.body": command}),
			lifecycle.CommentCommand{Repo: "Codertocat/Hello-World", Number: 1,
				Body: command, Author: "Codertocat", Association: "OWNER", AuthorType: "User"}, queue.TypeCommand},
		{"command on a pull request", "issue_comment", edited(t, "issue_comment.created.json", map[string]any{"comment.body": "/hindsight\n",
			"issue.pull_request": map[string]any{"url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/1"}}),
			lifecycle.CommentCommand{Repo: "Codertocat/Hello-World", Number: 1,
				Body: "/hindsight\n", Author: "Codertocat", Association: "OWNER", AuthorType: "User"}, queue.TypeCommand},
		{"not quite a command", "issue_comment", edited(t, "issue_comment.created.json", map[string]any{"comment.body": "/hindsightful"}), nil, ""},
		{"command mentioned mid-comment", "issue_comment", edited(t, "issue_comment.created.json", map[string]any{"comment.body": "try /hindsight remind"}), nil, ""},
		{"command edited", "issue_comment", edited(t, "issue_comment.created.json", map[string]any{"action": "edited", "comment.body": command}), nil, ""},
		{"other event", "push", []byte(`{"ref":"refs/heads/postmortem/PGR0VU2"}`), nil, ""},
	}
	e := newGitHubEnv(t, gitHubSecret)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(e.tasks(t))
			delivery := "72d3162e-cc78-11e3-81ab-4c9367dc0958-" + string(rune('a'+i))
			code, out := e.post(t, tt.event, delivery, tt.body, nil)
			if code != http.StatusAccepted {
				t.Fatalf("status %d %s, want 202", code, out)
			}
			tasks := e.tasks(t)
			if tt.want == nil {
				if got := status(t, out); got != "ignored" || len(tasks) != before {
					t.Errorf("answered %q and enqueued %d, want ignored and nothing", got, len(tasks)-before)
				}
				return
			}
			if got := status(t, out); got != "enqueued" {
				t.Errorf("answered %q, want enqueued", got)
			}
			var task *asynq.TaskInfo
			for _, ti := range tasks {
				if ti.ID == "github-delivery:"+delivery {
					task = ti
				}
			}
			if task == nil {
				t.Fatalf("no task github-delivery:%s among %d", delivery, len(tasks))
			}
			if task.Type != tt.typ {
				t.Errorf("task type %s, want %s", task.Type, tt.typ)
			}
			got, gotDelivery := decodeTask(t, task.Type, task.Payload)
			if got != tt.want || gotDelivery != delivery {
				t.Errorf("task payload\n got %+v of delivery %s\nwant %+v of delivery %s", got, gotDelivery, tt.want, delivery)
			}
		})
	}
}

// decodeTask decodes the payload of a GitHub task of type typ, returning it without its delivery ID and the ID.
func decodeTask(t *testing.T, typ string, payload []byte) (lifecycle.GitHubEvent, string) {
	t.Helper()
	decode := func(v any) {
		if err := json.Unmarshal(payload, v); err != nil {
			t.Fatal(err)
		}
	}
	switch typ {
	case queue.TypePullRequest:
		var p lifecycle.PullRequestEvent
		decode(&p)
		id := p.DeliveryID
		p.DeliveryID = ""
		return p, id
	case queue.TypeActionItem:
		var p lifecycle.IssueEvent
		decode(&p)
		id := p.DeliveryID
		p.DeliveryID = ""
		return p, id
	case queue.TypeCommand:
		var p lifecycle.CommentCommand
		decode(&p)
		id := p.DeliveryID
		p.DeliveryID = ""
		return p, id
	}
	t.Fatalf("task type %s is not a GitHub task", typ)
	return nil, ""
}

func TestGitHubRedeliveryIsDuplicate(t *testing.T) {
	e := newGitHubEnv(t, gitHubSecret)
	body := gitHubExample(t, "pull_request.closed.merged.json")
	for i, want := range []string{"enqueued", "duplicate", "duplicate"} {
		code, out := e.post(t, "pull_request", "72d3162e-cc78-11e3-81ab-4c9367dc0958", body, nil)
		if code != http.StatusAccepted || status(t, out) != want {
			t.Fatalf("delivery %d: %d %s, want 202 %s", i, code, out, want)
		}
	}
	if n := len(e.tasks(t)); n != 1 {
		t.Errorf("%d tasks enqueued, want 1", n)
	}
	// A new delivery of the same event is a new task: only the delivery ID deduplicates.
	if code, out := e.post(t, "pull_request", "another-delivery", body, nil); code != 202 || status(t, out) != "enqueued" {
		t.Errorf("new delivery: %d %s, want 202 enqueued", code, out)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	for _, line := range []string{
		`hindsight_webhook_deliveries_total{outcome="duplicate",source="github"} 2`,
		`hindsight_webhook_deliveries_total{outcome="enqueued",source="github"} 2`,
	} {
		if !strings.Contains(string(b), line) {
			t.Errorf("metrics lack %s", line)
		}
	}
}

func TestGitHubFormEncodedPayload(t *testing.T) {
	e := newGitHubEnv(t, gitHubSecret)
	body := []byte("payload=" + url.QueryEscape(string(gitHubExample(t, "pull_request.closed.merged.json"))))
	code, out := e.post(t, "pull_request", "form-1", body, map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if code != http.StatusAccepted || status(t, out) != "enqueued" {
		t.Fatalf("form-encoded delivery: %d %s, want 202 enqueued", code, out)
	}
}

func TestGitHubAnswers503WhenRedisIsDown(t *testing.T) {
	e := newGitHubEnv(t, gitHubSecret)
	e.redis.StopForTest(t)
	body := gitHubExample(t, "pull_request.closed.merged.json")
	start := time.Now()
	code, out := e.post(t, "pull_request", "down-1", body, nil)
	if code != http.StatusServiceUnavailable || !strings.Contains(out, `"error"`) {
		t.Fatalf("status %d %s, want 503 with an error body", code, out)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("answered after %v, well inside GitHub's 10 s was wanted", d)
	}
	// An ignored event needs no Redis.
	if code, out := e.post(t, "ping", "down-2", gitHubExample(t, "ping.json"), nil); code != http.StatusAccepted {
		t.Errorf("ping with Redis down: %d %s, want 202", code, out)
	}
}
