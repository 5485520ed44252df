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
		{"distribution:\n  internal: [a@example.com]\n  chat:\n    internal: https://hooks.example.com/services/ghp_x\n",
			"line 3: distribution.chat: secret webhook URLs stay in the service's configuration"},
		{"distribution:\n  chat: {customers: https://hooks.example.com/ghp_x}\n", "line 2: distribution.chat: secret webhook URLs"},
		{"distribution:\n  internal: [not-an-address]\n", `distribution.internal[0]: want an email address such as team@example.com, got "not-an-address"`},
		{"routes:\n  - teams: [Payments]\n    distribution: {customers: [x]}\n", "routes[0].distribution.customers[0]: want an email address"},
		{"distribution:\n  internal: [sre@example.com]\n  reply_to: SRE@example.com\n", "distribution.reply_to: SRE@example.com is a distribution list"},
		{"distribution:\n  reply_too: a@example.com\n", "line 2: distribution.reply_too: unknown key (did you mean reply_to?)"},
		{"services:\n  Checkout API:\n    repos: [checkout]\n", `services.Checkout API.repos[0]: want owner/name, got "checkout"`},
		{"changes:\n  window: 30d\n", "changes.window: want at least 1m and at most 168h0m0s, got 720h0m0s"},
		{"changes:\n  windw: 6h\n", "line 2: changes.windw: unknown key (did you mean window?)"},
	} {
		_, err := build(teamconfig.Snapshot{Present: true, File: c.file})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error with %q", c.file, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "ghp_x") {
			t.Errorf("the error shows the secret: %v", err)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("the error is not one line: %q", err)
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

// The file's lists, reply address, services and window replace the service's, one key at a time; the
// service's chat webhooks stay.
func TestTeamFileSetsListsServicesAndWindow(t *testing.T) {
	cfg := defaultConfig()
	cfg.Distribution.Internal, cfg.Distribution.Customers = []string{"eng@example.com"}, []string{"status@example.com"}
	cfg.Distribution.ReplyTo, cfg.Distribution.Chat.Internal = "desk@example.com", "https://hooks.example.com/services/T/B/X"
	cfg.Services = map[string]postmortem.ServiceChanges{"Ledger": {Repos: []string{"acme/ledger"}}}
	build := teamBuild(cfg)

	s, err := build(teamconfig.Snapshot{Present: true, File: `distribution:
  internal: [sre@example.com]
  reply_to: sre-lead@example.com
services:
  PSVC001: {repos: [acme/checkout]}
changes:
  window: 6h
routes:
  - teams: [Payments]
    repos: [acme/payments]
    distribution: {customers: [payments-status@example.com]}
`})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Distribution.Internal, []string{"sre@example.com"}) || !slices.Equal(s.Distribution.Customers, []string{"status@example.com"}) ||
		s.ReplyTo != "sre-lead@example.com" {
		t.Errorf("lists %+v, reply to %q: want the file's internal list and reply address, the service's customer list", s.Distribution, s.ReplyTo)
	}
	inc := postmortem.Incident{ID: "Q1", CreatedAt: time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC), Service: postmortem.Service{ID: "PSVC001", Name: "Ledger"},
		Teams: []postmortem.Team{{Name: "Payments"}}}
	q := s.ChangeScope.Query(inc)
	if !slices.Equal(q.Repos, []string{"acme/checkout", "acme/payments"}) || q.Since != inc.CreatedAt.Add(-6*time.Hour) {
		t.Errorf("changes of %v since %v: want the file's services (not the service's), its route and its 6h window", q.Repos, q.Since)
	}
	d := postmortem.DistributionFor(inc, s.Distribution, s.Policy, s.Routes)
	if !slices.Equal(d.Customers, []string{"status@example.com", "payments-status@example.com"}) {
		t.Errorf("customer list %v: want the file's route's list added", d.Customers)
	}
	if cfg.Distribution.Internal[0] != "eng@example.com" || cfg.Distribution.ReplyTo != "desk@example.com" {
		t.Errorf("the service's configuration changed under the file: %+v", cfg.Distribution)
	}

	// Without a file, the service's own.
	own, err := build(teamconfig.Snapshot{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(own.Distribution.Internal, []string{"eng@example.com"}) || own.ReplyTo != "desk@example.com" ||
		!slices.Equal(own.ChangeScope.Query(postmortem.Incident{CreatedAt: inc.CreatedAt, Service: postmortem.Service{Name: "Ledger"}}).Repos, []string{"acme/ledger"}) {
		t.Errorf("without a file: lists %+v, reply to %q, services %v", own.Distribution, own.ReplyTo, own.ChangeScope.Services)
	}
}

// A pull request that changes the lists, the services or the window says so in its status.
func TestTeamConfigPullRequestNamesListsServicesAndWindow(t *testing.T) {
	e := newTeamEnv(t)
	ctx := context.Background()
	e.gh.PutFile("main", teamconfig.Path, "people:\n  PA: ana\n")
	for _, c := range []struct{ branch, file, want string }{
		{"lists", "people:\n  PA: ana\ndistribution:\n  customers: [status@example.com]\n", "Valid; changes distribution"},
		{"services", "people:\n  PA: ana\nservices:\n  Checkout API: {repos: [acme/checkout]}\nchanges:\n  window: 6h\n", "Valid; changes change window, services"},
		{"same-window", "people:\n  PA: ana\nchanges:\n  window: 24h\n", "Valid; changes nothing Hindsight does"},
	} {
		head := e.gh.PutFile(c.branch, teamconfig.Path, c.file)
		if _, checked, err := e.loader.CheckPullRequest(ctx, head, "main"); err != nil || !checked {
			t.Fatalf("%s: checked %v, %v", c.branch, checked, err)
		}
		if st := e.status(t, head); st.State != "success" || st.Description != c.want {
			t.Errorf("%s: status %+v, want %q", c.branch, st, c.want)
		}
	}
}
