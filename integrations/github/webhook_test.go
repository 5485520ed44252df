package github_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/integrations/github"
)

func signWebhook(body []byte, secret string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	return "sha256=" + hex.EncodeToString(h.Sum(nil))
}

func TestVerifyWebhook(t *testing.T) {
	// GitHub's documented example.
	const (
		secret = "It's a Secret to Everybody"
		body   = "Hello, World!"
		sig    = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	)
	if err := github.VerifyWebhook([]byte(body), sig, secret); err != nil {
		t.Errorf("documented vector: %v", err)
	}
	sha1Mac := hmac.New(sha1.New, []byte(secret))
	sha1Mac.Write([]byte(body))
	for name, tt := range map[string]struct {
		sig, secret string
		want        error
	}{
		"no secret configured":        {signWebhook([]byte(body), ""), "", github.ErrNoWebhookSecret},
		"missing":                     {"", secret, github.ErrBadSignature},
		"tampered":                    {sig[:len(sig)-1] + "f", secret, github.ErrBadSignature},
		"SHA-1 in the SHA-256 header": {"sha1=" + hex.EncodeToString(sha1Mac.Sum(nil)), secret, github.ErrBadSignature},
		"no prefix":                   {strings.TrimPrefix(sig, "sha256="), secret, github.ErrBadSignature},
		"not hex":                     {"sha256=zz", secret, github.ErrBadSignature},
	} {
		if err := github.VerifyWebhook([]byte(body), tt.sig, tt.secret); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", name, err, tt.want)
		}
	}
}

// Every published example decodes with go-github's types; as published, none is a postmortem's.
func TestWebhookExamplesDecode(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "webhooks", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		event, _, _ := strings.Cut(filepath.Base(f), ".")
		hook, err := github.DecodeWebhook(event, "application/json", body)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		// The merged pull request and the closed issue are Hindsight's; the other pull requests, which may
		// change its configuration, and the push to the default branch are the team configuration's.
		acted := map[string]bool{"pull_request.closed.merged.json": true, "issues.closed.json": true, "pull_request.opened.json": true,
			"pull_request.reopened.json": true, "pull_request.synchronize.json": true, "push.default-branch.json": true}
		if want := acted[filepath.Base(f)]; (hook.Event != nil) != want {
			t.Errorf("%s: decoded %+v, want an event %v", f, hook, want)
		}
	}
}

// FuzzGitHubWebhook feeds arbitrary bodies under each event: a delivery decodes or is refused with an
// error, never a panic, and a decoded event always carries what its job needs. The seeds are GitHub's
// 25 KB payloads, whose minimization takes the default minute: run it with -fuzzminimizetime=2s.
func FuzzGitHubWebhook(f *testing.F) {
	seeds := map[string]string{
		"ping.json":                       "ping",
		"pull_request.opened.json":        "pull_request",
		"pull_request.closed.merged.json": "pull_request",
		"issues.closed.json":              "issues",
		"issue_comment.created.json":      "issue_comment",
		"push.default-branch.json":        "push",
		"push.tag.json":                   "push",
	}
	for name, event := range seeds {
		if b, err := os.ReadFile(filepath.Join("testdata", "webhooks", name)); err == nil {
			f.Add(event, b)
		}
	}
	f.Add("pull_request", []byte(`{"action":"closed","number":7,"repository":{"full_name":"a/b"},"pull_request":{"merged":true,"head":{"ref":"postmortem/P1","sha":"abc","repo":{"full_name":"a/b"}}}}`))
	f.Add("issues", []byte(`{"action":"closed","repository":{"full_name":"a/b"},"issue":{"number":3,"state":"closed","body":"<!-- hindsight:action-item P1 k -->"}}`))
	f.Add("issue_comment", []byte(`{"action":"created","repository":{"full_name":"a/b"},"issue":{"number":3},"comment":{"body":"/hindsight remind","user":{"login":"x"}}}`))
	f.Add("issue_comment", []byte(`{"action":"created","comment":{"body":"/hindsight","user":null},"issue":null}`))
	f.Add("pull_request", []byte(`{"pull_request":null}`))
	f.Add("push", []byte(`null`))
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		if err := github.VerifyWebhook(body, signWebhook(body, "s"), "s"); err != nil {
			t.Fatalf("a signed body does not verify: %v", err)
		}
		if err := github.VerifyWebhook(body, signWebhook(body, ""), ""); err == nil {
			t.Fatal("a body signed with the empty key verifies")
		}
		hook, err := github.DecodeWebhook(event, "application/json", body)
		if err != nil {
			return
		}
		if problem := broken(event, hook); problem != "" {
			t.Fatalf("%s %q decoded to %+v: %s", event, body, hook.Event, problem)
		}
	})
}

// broken says which promise to the jobs a decoded delivery breaks; "" when it keeps them all.
func broken(event string, hook github.Webhook) string {
	switch ev := hook.Event.(type) {
	case nil:
		return ""
	case github.PullRequestEvent:
		if event != "pull_request" || strings.Count(ev.Repo, "/") != 1 || ev.Number <= 0 {
			return "pull request without a repository or a number"
		}
		if !strings.HasPrefix(ev.HeadRef, "postmortem/") && !strings.HasPrefix(ev.HeadRef, "postmortem-customer/") || ev.HeadSHA == "" {
			return "pull request that is not a postmortem"
		}
	case github.ChangePullRequest:
		if event != "pull_request" || strings.Count(ev.Repo, "/") != 1 || ev.Number <= 0 || ev.HeadSHA == "" || ev.BaseRef == "" {
			return "changing pull request without a repository, number, head or base"
		}
	case github.PushEvent:
		if event != "push" || strings.Count(ev.Repo, "/") != 1 || ev.After == "" {
			return "push without a repository or a commit"
		}
	case github.IssueEvent:
		if event != "issues" || strings.Count(ev.Repo, "/") != 1 || ev.Number <= 0 {
			return "issue without a repository or a number"
		}
	case github.CommentCommand:
		if event != "issue_comment" || strings.Count(ev.Repo, "/") != 1 || ev.Number <= 0 {
			return "comment without a repository or a number"
		}
		if !strings.HasPrefix(strings.TrimSpace(ev.Body), "/hindsight") || ev.Author == "" {
			return "comment that is not a command"
		}
	default:
		return "unknown event type"
	}
	return ""
}
