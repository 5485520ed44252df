package main

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
	"github.com/hindsight-dev/hindsight/teamconfig"
)

const teamFileText = `# The SRE team's rules
policy:
  rules:
    - priorities: [P1, P2, P3]
      postmortem: required
      template: team
  default: skip
people:
  PTEAM01: dana-k
github:
  reviewers: [sre-lead]
  labels: [postmortem, sre]
templates:
  directory: .github/hindsight-templates
`

const teamTemplate = "# Team postmortem: {{.Incident.Title}}\n\n## Summary\n\nTBD\n"

type teamEnv struct {
	gh     *githubtest.Server
	loader *teamconfig.Loader
	store  *redisstore.Store
}

func newTeamEnv(t *testing.T) *teamEnv {
	t.Helper()
	r := queuetest.StartRedis(t)
	rdb, err := redisstore.OpenRedis(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	gh := githubtest.NewServer(t, "acme", "pm", "gh-token")
	router, err := github.NewRouter(github.Options{BaseURL: gh.URL(), Token: "gh-token", Repo: "acme/pm", MaxWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	cfg := defaultConfig()
	cfg.People = map[string]string{"PSERVICE": "ops-bot"}
	store := redisstore.NewStore(rdb, time.Hour)
	return &teamEnv{gh: gh, store: store, loader: &teamconfig.Loader{Store: store, GitHub: router, Repo: "acme/pm", TTL: time.Hour,
		Build: teamBuild(cfg), Logger: slog.New(slog.DiscardHandler)}}
}

func (e *teamEnv) status(t *testing.T, sha string) githubtest.Status {
	t.Helper()
	var found []githubtest.Status
	for _, s := range e.gh.Statuses(sha) {
		if s.Context == teamconfig.StatusContext {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %s statuses on %s, want 1: %+v", len(found), teamconfig.StatusContext, sha, e.gh.Statuses(sha))
	}
	return found[0]
}

func TestTeamConfigFromTheRepository(t *testing.T) {
	e := newTeamEnv(t)
	ctx := context.Background()
	p1 := postmortem.Incident{ID: "Q1", Priority: "P3", Urgency: "high"}

	// No file: the service's own rules (P3 needs no postmortem by default).
	if s := e.loader.Current(ctx); s.Policy.Decide(p1).Required || s.People["PTEAM01"] != "" {
		t.Fatalf("without a file: policy %+v, people %v", s.Policy, s.People)
	}
	// Read once, then from Redis until its time to live is over.
	e.gh.ResetRequests()
	e.loader.Current(ctx)
	if n := len(e.gh.Requests()); n != 0 {
		t.Errorf("%d GitHub requests for settings still fresh, want 0", n)
	}

	e.gh.PutFile("main", ".github/hindsight-templates/team.md.tmpl", teamTemplate)
	sha := e.gh.PutFile("main", teamconfig.Path, teamFileText)
	res, err := e.loader.Refresh(ctx, sha) // what a push to the default branch does
	if err != nil || !res.Valid {
		t.Fatalf("refresh: %+v, %v", res, err)
	}
	st := e.status(t, sha)
	if st.State != "success" || st.Description != "Valid; changes labels, people, policy, reviewers, templates" {
		t.Errorf("status %+v", st)
	}
	s := e.loader.Current(ctx)
	d := s.Policy.Decide(p1)
	if !d.Required || d.Template != "team" {
		t.Errorf("decision %+v, want the team's rule", d)
	}
	if s.People["PTEAM01"] != "dana-k" || s.People["PSERVICE"] != "ops-bot" {
		t.Errorf("people %v: want the team's over the service's", s.People)
	}
	if c, ok := s.Composer.(*postmortem.Composer); !ok || !c.Renderer.Has("team") || !slices.Contains(s.Lint.People, "@dana-k") {
		t.Errorf("the team's template or people are not in force")
	}

	// An invalid file on the default branch: the last valid one stays in force, and the status says so.
	bad := e.gh.PutFile("main", teamconfig.Path, strings.Replace(teamFileText, "policy:", "polcy:", 1))
	if res, err := e.loader.Refresh(ctx, bad); err != nil || res.Valid {
		t.Fatalf("refresh of an invalid file: %+v, %v", res, err)
	}
	st = e.status(t, bad)
	if st.State != "failure" || !strings.Contains(st.Description, "the last valid configuration is") ||
		!strings.Contains(st.Description, "line 2: polcy: unknown key (did you mean policy?)") {
		t.Errorf("status %+v", st)
	}
	if d := e.loader.Current(ctx).Policy.Decide(p1); !d.Required {
		t.Errorf("the last valid policy is not in force after an invalid push")
	}
	// Once expired, the invalid file is read again and still not put in force.
	if err := e.store.ExpireTeamConfig(ctx, "acme/pm"); err != nil {
		t.Fatal(err)
	}
	if d := e.loader.Current(ctx).Policy.Decide(p1); !d.Required {
		t.Errorf("the last valid policy is not in force once the cache expired")
	}
}

func TestTeamFileRefusesSecretsAndInfrastructure(t *testing.T) {
	build := teamBuild(defaultConfig())
	for _, c := range []struct{ file, want string }{
		{"github:\n  token: ghp_x\n", "line 2: github.token: not allowed in .github/hindsight.yml: secrets and infrastructure stay in the service's configuration"},
		{"redis_url: redis://x\n", "line 1: redis_url: not allowed"},
		{"pagerduty:\n  webhook_secrets: [a]\n", "line 1: pagerduty: not allowed"},
		{"worker:\n  concurrency: 99\n", "line 1: worker: not allowed"},
		{"github:\n  repo: acme/other\n", "line 2: github.repo: not allowed"},
		{"github:\n  reviewerz: [a]\n", "line 2: github.reviewerz: unknown key (did you mean reviewers?)"},
		{"policy:\n  rules:\n    - priorities: [P1]\n      postmortem: maybe\n", "maybe"},
		{"people:\n  PX: \"\"\n", "people.PX: empty GitHub login"},
		{"github:\n  owner_rule: loudest\n", "github.owner_rule"},
		{"policy: {}\n", "policy: give rules or a default"},
		{"policy:\n  default: required\n  rules:\n    - template: missing\n      postmortem: required\n", "missing"},
		{"github:\n  directory: ../escape\n", "github.directory"},
		{"lint:\n  rules: {nope: error}\n", "unknown rule"},
		{"[not a mapping", "did not find expected"},
	} {
		_, err := build(teamconfig.Snapshot{Present: true, File: c.file})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error with %q", c.file, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "ghp_x") {
			t.Errorf("the error shows the secret: %v", err)
		}
	}
}

func TestTeamConfigPullRequestStatus(t *testing.T) {
	e := newTeamEnv(t)
	ctx := context.Background()
	e.gh.PutFile("main", teamconfig.Path, "people:\n  PA: ana\n")
	head := e.gh.PutFile("change-rules", teamconfig.Path, "people:\n  PA: ana\n  PB: ben\ngithub:\n  reviewers: [lead]\n")
	res, checked, err := e.loader.CheckPullRequest(ctx, head, "main")
	if err != nil || !checked || !res.Valid {
		t.Fatalf("check: %+v %v %v", res, checked, err)
	}
	if st := e.status(t, head); st.State != "success" || st.Description != "Valid; changes people, reviewers" {
		t.Errorf("status %+v", st)
	}
	bad := e.gh.PutFile("change-rules", teamconfig.Path, "people:\n  PA: ana\nadmin:\n  token: secret-token-value\n")
	if res, _, err := e.loader.CheckPullRequest(ctx, bad, "main"); err != nil || res.Valid {
		t.Fatalf("check of a file that sets a secret: %+v %v", res, err)
	}
	if st := e.status(t, bad); st.State != "failure" || !strings.Contains(st.Description, "admin: not allowed") || strings.Contains(st.Description, "secret-token-value") {
		t.Errorf("status %+v", st)
	}
	// A pull request that leaves the rules alone gets no status.
	other := e.gh.PutFile("docs", "README.md", "words\n")
	if _, checked, err := e.loader.CheckPullRequest(ctx, other, "main"); err != nil || checked {
		t.Errorf("unrelated change: checked %v, %v", checked, err)
	}
	if n := len(e.gh.Statuses(other)); n != 0 {
		t.Errorf("%d statuses on an unrelated change", n)
	}
}
