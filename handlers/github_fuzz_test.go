package handlers_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/handlers"
	"github.com/hindsight-dev/hindsight/queue"
)

// acceptAll is a sink that takes every delivery, so the fuzzer exercises the receiver alone.
type acceptAll struct{}

func (acceptAll) AcceptPagerDuty(context.Context, queue.PagerDutyDelivery) (queue.Outcome, error) {
	return queue.Stored, nil
}

// AcceptGitHub refuses a delivery that breaks the receiver's promises to the jobs; the refusal surfaces
// as a 503, which the fuzz target does not allow.
func (acceptAll) AcceptGitHub(_ context.Context, task queue.GitHubTask) (queue.Outcome, error) {
	switch d := task.(type) {
	case queue.PullRequestEvent:
		if d.DeliveryID == "" || strings.Count(d.Repo, "/") != 1 || d.Number <= 0 || !strings.HasPrefix(d.HeadRef, "postmortem/") || d.HeadSHA == "" {
			return "", errors.New("pull request that is not a postmortem")
		}
	case queue.IssueEvent:
		if d.DeliveryID == "" || strings.Count(d.Repo, "/") != 1 || d.Number <= 0 {
			return "", errors.New("issue without an ID, a repository or a number")
		}
	case queue.CommentCommand:
		if d.DeliveryID == "" || strings.Count(d.Repo, "/") != 1 || d.Number <= 0 ||
			!strings.HasPrefix(strings.TrimSpace(d.Body), "/hindsight") || d.Author == "" {
			return "", errors.New("comment that is not a command")
		}
	default:
		return "", fmt.Errorf("task %T", task)
	}
	return queue.Enqueued, nil
}

// FuzzGitHubWebhook sends validly signed arbitrary bodies under each event: the receiver must answer 202
// or 400, never fail, panic or hand the queue a delivery its job cannot act on. The seeds are GitHub's
// 25 KB payloads, whose minimization takes the default minute: run it with -fuzzminimizetime=2s.
func FuzzGitHubWebhook(f *testing.F) {
	seeds := map[string]string{
		"ping.json":                       "ping",
		"pull_request.opened.json":        "pull_request",
		"pull_request.closed.merged.json": "pull_request",
		"issues.closed.json":              "issues",
		"issue_comment.created.json":      "issue_comment",
	}
	for name, event := range seeds {
		if b, err := os.ReadFile(filepath.Join("testdata", "github", name)); err == nil {
			f.Add(event, b)
		}
	}
	f.Add("pull_request", []byte(`{"action":"closed","number":7,"repository":{"full_name":"a/b"},"pull_request":{"merged":true,"head":{"ref":"postmortem/P1","sha":"abc","repo":{"full_name":"a/b"}}}}`))
	f.Add("issues", []byte(`{"action":"closed","repository":{"full_name":"a/b"},"issue":{"number":3,"state":"closed","body":"<!-- hindsight:action-item P1 k -->"}}`))
	f.Add("issue_comment", []byte(`{"action":"created","repository":{"full_name":"a/b"},"issue":{"number":3},"comment":{"body":"/hindsight remind","user":{"login":"x"}}}`))
	f.Add("issue_comment", []byte(`{"action":"created","comment":{"body":"/hindsight","user":null},"issue":null}`))
	f.Add("pull_request", []byte(`{"pull_request":null}`))
	f.Add("push", []byte(`null`))
	reg := prometheus.NewRegistry()
	srv := handlers.NewServer(slog.New(slog.DiscardHandler), handlers.Config{GitHubSecret: gitHubSecret}, acceptAll{},
		func(context.Context) error { return nil }, reg, reg)
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/github", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", event)
		req.Header.Set("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
		req.Header.Set("X-Hub-Signature-256", signGitHub(body, gitHubSecret))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusAccepted, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("answered %d %s for %s %q", rec.Code, rec.Body, event, body)
		}
	})
}
