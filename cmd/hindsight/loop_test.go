package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
)

const githubSecret = "e2e-github-secret"

// githubEvent loads one of GitHub's webhook examples and sets the fields the test needs.
func githubEvent(t *testing.T, file string, edit func(v map[string]any)) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "integrations", "github", "testdata", "webhooks", file))
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	edit(v)
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// deliverGitHub posts a signed GitHub webhook and wants it accepted.
func (s *service) deliverGitHub(t *testing.T, event, delivery string, body []byte) {
	t.Helper()
	s.post(t, "/webhooks/github", body, map[string]string{
		"X-GitHub-Event":      event,
		"X-GitHub-Delivery":   delivery,
		"X-Hub-Signature-256": "sha256=" + hmacHex(githubSecret, body),
	})
}

func setPull(number int, ref, sha string, merged bool) func(v map[string]any) {
	return func(v map[string]any) {
		v["number"] = number
		v["repository"].(map[string]any)["full_name"] = "acme/postmortems"
		pr := v["pull_request"].(map[string]any)
		pr["number"] = number
		pr["merged"] = merged
		if merged {
			// As a rebase merge leaves it: the merged commit is the head (the fixture's own is unknown here).
			pr["merge_commit_sha"] = sha
		}
		head := pr["head"].(map[string]any)
		head["ref"], head["sha"] = ref, sha
		head["repo"].(map[string]any)["full_name"] = "acme/postmortems"
		if base, ok := pr["base"].(map[string]any); ok {
			if repo, ok := base["repo"].(map[string]any); ok {
				repo["full_name"] = "acme/postmortems"
			}
		}
	}
}

// TestEndToEndTheLoopClosesFromGitHub follows a postmortem past its pull request: the check on a push,
// and the action items of the merged text becoming tracked issues.
func TestEndToEndTheLoopClosesFromGitHub(t *testing.T) {
	redis := queuetest.StartRedis(t)
	pd := pagerdutytest.NewServer(t, pdToken)
	incident, entries, notes := pagerdutytest.Synthetic("PCPZE64", 6, 40, time.Date(2021, 6, 4, 12, 0, 0, 0, time.UTC))
	pd.AddIncident(incident)
	pd.AddLogEntries("PCPZE64", entries...)
	pd.AddNotes("PCPZE64", notes...)
	pd.AddNotes("PCPZE64", json.RawMessage(`{"id":"NACTION","user":{"id":"PUSERA1","type":"user_reference","summary":"Ana Primary"},"content":"Action item: alert on checkout latency per shard","created_at":"2021-06-04T12:05:00Z"}`))
	gh := githubtest.NewServer(t, "acme", "postmortems", ghToken)
	gh.AddCollaborators("ana-gh", "ben-gh")
	env := fakesEnv(redis.URL, pd, gh, writeConfig(t, "people:\n  PUSERA1: ana-gh\n  PUSERB2: ben-gh\nlog:\n  format: text\n"))
	env["HINDSIGHT_GITHUB_WEBHOOK_SECRET"] = githubSecret
	svc := startService(t, env)
	svc.deliver(t, resolvedFixture(t), "resolved-1")
	eventually(t, "the pull request", func() bool { return len(gh.PullRequests()) == 1 }, svc.logs)
	eventually(t, "the tracking issue", func() bool {
		for _, is := range gh.Issues() {
			if strings.Contains(is.Body, "hindsight:tracking") {
				return len(gh.SubIssues(is.Number)) == 1
			}
		}
		return false
	}, svc.logs)
	pr := gh.PullRequests()[0]
	head := gh.Branches()[pr.Head]

	// A push: the check reports through the commit status.
	svc.deliverGitHub(t, "pull_request", "gh-1", githubEvent(t, "pull_request.synchronize.json", setPull(pr.Number, pr.Head, head, false)))
	eventually(t, "the commit status", func() bool { return len(gh.Statuses(head)) == 1 }, svc.logs)
	if st := gh.Statuses(head)[0]; st.Context != "hindsight/postmortem" || st.State != "failure" {
		t.Errorf("status %+v: a fresh draft has placeholders", st)
	}

	// The merge: the action items people added become issues, under the same tracking issue.
	path := "postmortems/2021-06-04-6-checkout-latency-above-slo.md"
	content, _ := gh.File(pr.Head, path)
	edited := strings.Replace(content, "## Lessons learned", "- [ ] Shard-level load test (@ben-gh)\n\n## Lessons learned", 1)
	c := newGitHubClient(t, gh)
	if err := c.UpdateFile(t.Context(), pr.Head, path, edited, "Add an action item", blobSHA(content)); err != nil {
		t.Fatal(err)
	}
	gh.Merge(pr.Number)
	merged := gh.Branches()[pr.Head]
	svc.deliverGitHub(t, "pull_request", "gh-2", githubEvent(t, "pull_request.closed.merged.json", setPull(pr.Number, pr.Head, merged, true)))
	svc.deliverGitHub(t, "pull_request", "gh-2", githubEvent(t, "pull_request.closed.merged.json", setPull(pr.Number, pr.Head, merged, true)))
	eventually(t, "two action item issues", func() bool {
		n := 0
		for _, is := range gh.Issues() {
			if strings.Contains(is.Body, "hindsight:action-item") {
				n++
			}
		}
		return n == 2
	}, svc.logs)
	eventually(t, "both under the tracking issue", func() bool {
		for _, is := range gh.Issues() {
			if strings.Contains(is.Body, "hindsight:tracking") {
				return len(gh.SubIssues(is.Number)) == 2
			}
		}
		return false
	}, svc.logs)
	resp, err := http.Get("http://" + svc.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	metrics, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(metrics), `hindsight_action_items{state="open"} 2`) {
		t.Errorf("metrics lack the two open action items")
	}
}
