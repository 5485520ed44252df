package main

import (
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
)

// pushTo edits the push example into a push of sha to the default branch "main" of acme/postmortems that
// changed paths.
func pushTo(sha string, paths ...string) func(v map[string]any) {
	return func(v map[string]any) {
		v["ref"], v["after"] = "refs/heads/main", sha
		repo := v["repository"].(map[string]any)
		repo["full_name"], repo["default_branch"] = "acme/postmortems", "main"
		commit := v["commits"].([]any)[0].(map[string]any)
		commit["added"], commit["modified"], commit["removed"] = []string{}, paths, []string{}
	}
}

// TestEndToEndTeamRulesAndCustomerVersion runs the service with the team's rules in the postmortem
// repository: a push puts them in force with a hindsight/config status, the postmortem follows them, an
// invalid push leaves them in force, and the merge opens the customer version.
func TestEndToEndTeamRulesAndCustomerVersion(t *testing.T) {
	redis := queuetest.StartRedis(t)
	pd := pagerdutytest.NewServer(t, pdToken)
	incident, entries, notes := pagerdutytest.Synthetic("PCPZE64", 6, 20, time.Date(2021, 6, 4, 12, 0, 0, 0, time.UTC))
	pd.AddIncident(incident)
	pd.AddLogEntries("PCPZE64", entries...)
	pd.AddNotes("PCPZE64", notes...)
	gh := githubtest.NewServer(t, "acme", "postmortems", ghToken)
	gh.AddCollaborators("ana-gh", "ben-gh", "sre-lead")
	env := fakesEnv(redis.URL, pd, gh, writeConfig(t, "people:\n  PUSERA1: ana-gh\nlog:\n  format: text\n"))
	env["HINDSIGHT_GITHUB_WEBHOOK_SECRET"] = githubSecret
	svc := startService(t, env)

	rules := gh.PutFile("main", postmortem.RulesPath, "github:\n  labels: [postmortem, from-the-repository]\n  reviewers: [sre-lead]\n")
	svc.deliverGitHub(t, "push", "push-1", githubEvent(t, "push.default-branch.json", pushTo(rules, postmortem.RulesPath)))
	eventually(t, "the hindsight/config status", func() bool { return len(gh.Statuses(rules)) == 1 }, svc.logs)
	if st := gh.Statuses(rules)[0]; st.Context != "hindsight/config" || st.State != "success" || st.Description != "Valid; changes labels, reviewers" {
		t.Errorf("status %+v", st)
	}
	bad := gh.PutFile("main", postmortem.RulesPath, "github:\n  token: ghp_fromtherepo\n")
	svc.deliverGitHub(t, "push", "push-2", githubEvent(t, "push.default-branch.json", pushTo(bad, postmortem.RulesPath)))
	eventually(t, "the failure status", func() bool { return len(gh.Statuses(bad)) == 1 }, svc.logs)
	if st := gh.Statuses(bad)[0]; st.State != "failure" || !strings.Contains(st.Description, "github.token: not allowed") {
		t.Errorf("status %+v", st)
	}

	svc.deliver(t, resolvedFixture(t), "resolved-1")
	// The pull request opens first, its labels and reviewers come after.
	eventually(t, "the pull request with its labels and reviewers", func() bool {
		prs := gh.PullRequests()
		return len(prs) == 1 && len(prs[0].Labels) > 0 && len(prs[0].RequestedReviewers) > 0
	}, svc.logs)
	pr := gh.PullRequests()[0]
	if strings.Join(pr.Labels, ",") != "postmortem,from-the-repository" || !strings.Contains(strings.Join(pr.RequestedReviewers, ","), "sre-lead") {
		t.Errorf("labels %v, reviewers %v: want the repository's rules, the last valid ones", pr.Labels, pr.RequestedReviewers)
	}

	gh.Merge(pr.Number)
	mergeCommit := gh.Branches()["main"]
	svc.deliverGitHub(t, "pull_request", "merged-1", githubEvent(t, "pull_request.closed.merged.json", func(v map[string]any) {
		setPull(pr.Number, pr.Head, gh.Branches()[pr.Head], true)(v)
		v["pull_request"].(map[string]any)["merge_commit_sha"] = mergeCommit
	}))
	eventually(t, "the customer version", func() bool { return len(gh.PullRequests()) == 2 }, svc.logs)
	cv := gh.PullRequests()[1]
	if cv.Head != postmortem.CustomerBranchName("PCPZE64") {
		t.Errorf("customer version on %s", cv.Head)
	}
	if _, ok := gh.File(cv.Head, "postmortems/public/2021-06-04-6-checkout-latency-above-slo.md"); !ok {
		t.Errorf("no customer version file on %s", cv.Head)
	}
}
