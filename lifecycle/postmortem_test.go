package lifecycle_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/lifecycle"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
	"github.com/hindsight-dev/hindsight/templates"
)

const incidentID = "PRETRY1"

type pipeline struct {
	deps   lifecycle.Deps
	h      *lifecycle.Drafter
	router *github.Router
	store  *redisstore.Store
	redis  *queuetest.Redis
	pd     *pagerdutytest.Server
	gh     *githubtest.Server
	api    *githubtest.Server // acme/api, the repository of the incident's service
	ghc    *github.Client
	notes  *flakyNotes
}

// flakyNotes adds the note and then, while failAfter is set, reports a failure, as a worker that dies
// after PagerDuty took the note would.
type flakyNotes struct {
	pd        *pagerduty.Client
	failAfter bool
}

func (f *flakyNotes) AddNote(ctx context.Context, id, content string) (postmortem.Note, error) {
	n, err := f.pd.AddNote(ctx, id, content)
	if err == nil && f.failAfter {
		f.failAfter = false
		return n, errors.New("worker died after adding the note")
	}
	return n, err
}

func newPipeline(t *testing.T) *pipeline {
	t.Helper()
	r := queuetest.StartRedis(t)
	rdb, err := redisstore.OpenRedis(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })

	pd := pagerdutytest.NewServer(t, "pd-token")
	inc, entries, notes := pagerdutytest.Synthetic(incidentID, 42, 120, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	pd.AddIncident(inc)
	pd.AddLogEntries(incidentID, entries...)
	pd.AddNotes(incidentID, notes...)
	pdc, err := pagerduty.New(pagerduty.Options{BaseURL: pd.URL(), Token: "pd-token", From: "bot@example.com", MaxWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	gh := githubtest.NewServer(t, "acme", "pm", "gh-token")
	gh.AddCollaborators("ana", "ben")
	// The service's repository: changes before the trigger (03:04:05), one of them in the last hour.
	trigger := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	api := gh.AddRepository("acme", "api", 0)
	api.AddDeployment(githubtest.Deployment{Ref: "v3.1.0", SHA: "9c1d2e3f4a5b6c7d8e9f", Environment: "production", Creator: "ana", CreatedAt: trigger.Add(-40 * time.Minute),
		Statuses: []githubtest.DeploymentStatus{{State: "success", Creator: "ana", CreatedAt: trigger.Add(-38 * time.Minute)}}})
	api.AddRelease(githubtest.Release{Tag: "v3.1.0", Author: "ben", CreatedAt: trigger.Add(-3 * time.Hour), PublishedAt: trigger.Add(-3 * time.Hour)})
	api.AddClosedPullRequest(githubtest.ClosedPullRequest{Title: "Cache checkout sessions", Head: "cache", Base: "main", Author: "cleo", MergedBy: "ben", MergedAt: trigger.Add(-4 * time.Hour)})
	pd.AddChangeEvents(incidentID, json.RawMessage(`{"id":"01CHG","type":"change_event","summary":"Feature flag checkout_v2 at 50%","timestamp":"2025-01-02T02:50:00Z","source":"flags","links":[{"href":"https://flags.example.com/checkout_v2","text":"flag"}],"correlation_reason":{"reason":"related_service"}}`))
	router, err := github.NewRouter(github.Options{BaseURL: gh.URL(), Token: "gh-token", Repo: "acme/pm", BaseBranch: "main", MaxWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ghc, err := router.Client("")
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := postmortem.NewRenderer(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	fn := &flakyNotes{pd: pdc}
	deps := lifecycle.Deps{
		Store:       redisstore.NewStore(rdb, time.Hour),
		Locker:      redisstore.NewLocker(rdb, time.Minute),
		Source:      pagerduty.Source{Client: pdc},
		Notes:       fn,
		Policy:      postmortem.DefaultPolicy(),
		Composer:    &postmortem.Composer{Renderer: renderer, People: map[string]string{"PUSERA1": "ana", "PUSERB2": "ben"}, Labels: []string{"postmortem"}},
		Publisher:   router,
		DefaultRepo: "acme/pm",
		RemindEvery: 24 * time.Hour,
		Changes:     []postmortem.ChangeReader{pdc, router},
		ChangeScope: postmortem.ChangeScope{Services: map[string]postmortem.ServiceChanges{"Checkout API": {Repos: []string{"acme/api"}}}},
		Repos:       []string{"acme/pm"},
		Logger:      slog.New(slog.DiscardHandler),
	}
	h := lifecycle.New(deps).Drafter
	return &pipeline{deps: deps, h: h, router: router, store: h.Store, redis: r, pd: pd, gh: gh, api: api, ghc: ghc, notes: fn}
}

// lifecycle is a new lifecycle over the pipeline's dependencies, as change makes them.
func (p *pipeline) lifecycle(change func(d *lifecycle.Deps)) *lifecycle.Lifecycle {
	d := p.deps
	if change != nil {
		change(&d)
	}
	return lifecycle.New(d)
}

func (p *pipeline) process(t *testing.T) error {
	t.Helper()
	return p.h.Run(context.Background(), incidentID)
}

// assertExactlyOnce checks one branch, one commit on it, one pull request, one reviewer set and one
// back-link note.
func (p *pipeline) assertExactlyOnce(t *testing.T) {
	t.Helper()
	prs := p.gh.PullRequests()
	if len(prs) != 1 {
		t.Fatalf("%d pull requests, want 1", len(prs))
	}
	if n := len(p.gh.Branches()); n != 2 {
		t.Errorf("%d branches, want main and postmortem/%s", n, incidentID)
	}
	if n := p.gh.Commits("postmortem/" + incidentID); n != 2 {
		t.Errorf("%d commits on the branch, want the base and one", n)
	}
	if got := strings.Join(prs[0].RequestedReviewers, ","); got != "ana,ben" && got != "ben,ana" {
		t.Errorf("reviewers = %q, want ana and ben once each", got)
	}
	if got := strings.Join(prs[0].Labels, ","); got != "postmortem" {
		t.Errorf("labels = %q", got)
	}
	links := 0
	for _, n := range p.pd.Notes(incidentID) {
		if strings.Contains(string(n), postmortem.BackLinkNote("")) {
			links++
		}
	}
	if links != 1 {
		t.Errorf("%d back-link notes, want 1", links)
	}
	reviewRequests := 0
	for _, r := range p.gh.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/requested_reviewers") {
			reviewRequests++
		}
	}
	if reviewRequests != 1 {
		t.Errorf("%d reviewer requests, want 1", reviewRequests)
	}
}

// TestRequestsPerPostmortem counts what one postmortem costs: at most 8 GitHub requests for a pull request
// with labels, an assignee and reviewers, and 5 + ceil(log entries / 100) PagerDuty requests; and for the
// changes section, at most 3 + 5 GitHub requests per repository of the service (here 3 lists, a deployment's
// statuses and a pull request's merger) and one PagerDuty request.
func TestRequestsPerPostmortem(t *testing.T) {
	p := newPipeline(t) // 120 log entries
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	ghRequests, changeRequests, pdRequests := len(p.gh.Requests()), len(p.api.Requests()), len(p.pd.Requests())
	t.Logf("one postmortem: %d GitHub requests, %d more for the changes of acme/api, %d PagerDuty requests", ghRequests, changeRequests, pdRequests)
	if ghRequests > 8 {
		for _, r := range p.gh.Requests() {
			t.Log(r.Method, r.Path)
		}
		t.Errorf("%d GitHub requests, want at most 8", ghRequests)
	}
	if changeRequests != 3+2 {
		for _, r := range p.api.Requests() {
			t.Log(r.Method, r.Path, r.Query)
		}
		t.Errorf("%d GitHub requests for the changes of acme/api, want 5 (deployments, releases, pull requests, one deployment's statuses, one merger)", changeRequests)
	}
	if want := 5 + 2; pdRequests != want {
		t.Errorf("%d PagerDuty requests, want %d (incident, 2 log entry pages, notes, alerts, related change events, back-link note)", pdRequests, want)
	}
	file := p.file(t)
	for _, want := range []string{
		"| 2025-01-01 23:04:05 UTC | 4h | acme/api, pull request: Cache checkout sessions (#\u200d1) | ben | [pull request](",
		"| 2025-01-02 00:04:05 UTC | 3h | acme/api, release: v3.1.0 | ben | [release](",
		"| 2025-01-02 02:24:05 UTC | **last hour**, 40m | acme/api, deployment: v3.1.0 (9c1d2e3) to production: success | ana | [deployment](",
		"| 2025-01-02 02:50:00 UTC | **last hour**, 14m | PagerDuty, change event: Feature flag checkout\\_v2 at 50% (a change on a related service) | flags | [change event](https://flags.example.com/checkout_v2) |",
	} {
		if !strings.Contains(file, want) {
			t.Errorf("the draft lacks %q", want)
		}
	}
	if strings.Contains(file, "cleo") {
		t.Error("the pull request's author is named; the section names who merged it")
	}
}

// TestPipelineChangesThatCannotBeRead shows that changes GitHub and PagerDuty refuse to give never hold up
// the postmortem: it is published and says what could not be read.
func TestPipelineChangesThatCannotBeRead(t *testing.T) {
	p := newPipeline(t)
	p.api.Fail(func(*http.Request) (int, string, bool) {
		return http.StatusForbidden, `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest","status":"403"}`, true
	})
	p.pd.FailPath("/incidents/"+incidentID+"/related_change_events", http.StatusForbidden)
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	p.assertExactlyOnce(t)
	file := p.file(t)
	for _, want := range []string{
		"No change was found in that window.",
		"- acme/api deployments: GitHub answered 403: Resource not accessible by integration",
		"- acme/api pull requests: GitHub answered 403: Resource not accessible by integration",
		"- PagerDuty change events: fetch related change events for " + incidentID + ": PagerDuty answered 403 Forbidden",
	} {
		if !strings.Contains(file, want) {
			t.Errorf("the draft lacks %q", want)
		}
	}
}

func TestPipelineRetryAfterFailureAtEachStep(t *testing.T) {
	steps := []struct {
		name  string
		setup func(p *pipeline)
	}{
		{"no failure", func(*pipeline) {}},
		{"PagerDuty down while fetching", func(p *pipeline) { p.pd.FailNext(8, http.StatusBadGateway) }},
		{"crash after the tree", ghCrashAfter("POST", "/git/trees")},
		{"crash after the commit", ghCrashAfter("POST", "/git/commits")},
		{"crash after the branch", ghCrashAfter("POST", "/git/refs")},
		{"crash after the pull request", ghCrashAfter("POST", "/pulls")},
		{"crash after labels and assignee", ghCrashAfter("PATCH", "/issues/")},
		{"crash after the reviewers", ghCrashAfter("POST", "/requested_reviewers")},
		{"crash after the back-link note", func(p *pipeline) { p.notes.failAfter = true }},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			p := newPipeline(t)
			step.setup(p)
			var err error
			for attempt := 0; attempt < 6; attempt++ {
				if err = p.process(t); err == nil {
					break
				}
			}
			if err != nil {
				t.Fatalf("no attempt succeeded: %v", err)
			}
			p.assertExactlyOnce(t)
			// Another delivery of incident.resolved changes nothing.
			if err := p.process(t); err != nil {
				t.Fatal(err)
			}
			p.assertExactlyOnce(t)
		})
	}
}

// ghCrashAfter makes the first matching GitHub request take effect but answer 502, as if the worker died
// before it learned the answer.
func ghCrashAfter(method, pathPart string) func(p *pipeline) {
	return func(p *pipeline) {
		done := false
		p.gh.Inject(func(r *http.Request) (githubtest.Fault, bool) {
			if done || r.Method != method || !strings.Contains(r.URL.Path, pathPart) {
				return githubtest.Fault{}, false
			}
			done = true
			return githubtest.Fault{Status: http.StatusBadGateway, Body: `{"message":"Server Error"}`, After: true}, true
		})
	}
}

func TestPipelineSkipsIncidentsThePolicyExcludes(t *testing.T) {
	p := newPipeline(t)
	p.h.Policy = postmortem.Policy{Default: "skip"}
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	if n := len(p.gh.PullRequests()); n != 0 {
		t.Errorf("%d pull requests for an incident the policy skips", n)
	}
}

func TestPipelineUnknownIncidentIsNotRetried(t *testing.T) {
	p := newPipeline(t)
	err := p.h.Run(context.Background(), "PNOSUCH")
	if !errors.Is(err, postmortem.ErrPermanent) || !errors.Is(err, pagerduty.ErrNotFound) {
		t.Errorf("error %v, want PagerDuty's not-found marked permanent", err)
	}
}

func TestPipelineLockedIncidentWaits(t *testing.T) {
	p := newPipeline(t)
	lease, err := p.h.Locker.Lock(context.Background(), "postmortem:"+incidentID)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.process(t); !errors.Is(err, redisstore.ErrLocked) {
		t.Fatalf("error %v, want ErrLocked while another worker holds the incident", err)
	}
	lease.Release()
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	p.assertExactlyOnce(t)
}

// reopenAndResolve adds the log entries of a reopening and a second resolution, an hour after the first.
func (p *pipeline) reopenAndResolve(t *testing.T) {
	t.Helper()
	entry := func(id, typ, at, summary string) json.RawMessage {
		return json.RawMessage(fmt.Sprintf(`{"id":%q,"type":%q,"summary":%q,"created_at":%q,"agent":{"id":"PUSERA1","type":"user_reference","summary":"Ana Primary"},"channel":{"type":"web_trigger"}}`, id, typ, summary, at))
	}
	p.pd.AddLogEntries(incidentID,
		entry("RZREOPEN1", "trigger_log_entry", "2025-01-02T06:00:00Z", "Reopened: the error rate climbed again"),
		entry("RZREOPEN2", "resolve_log_entry", "2025-01-02T06:30:00Z", "Resolved by Ana Primary."),
	)
}

func (p *pipeline) file(t *testing.T) string {
	t.Helper()
	prs := p.gh.PullRequests()
	if len(prs) != 1 {
		t.Fatalf("%d pull requests", len(prs))
	}
	for _, path := range []string{"postmortems/2025-01-02-42-checkout-latency-above-slo.md"} {
		if content, ok := p.gh.File(prs[0].Head, path); ok {
			return content
		}
	}
	t.Fatal("postmortem file not found on the branch")
	return ""
}

func TestReopenedIncidentUpdatesTheUntouchedFile(t *testing.T) {
	p := newPipeline(t)
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	before := p.file(t)
	p.reopenAndResolve(t)
	for i := 0; i < 2; i++ { // the second run finds nothing new to commit
		if err := p.process(t); err != nil {
			t.Fatal(err)
		}
	}
	after := p.file(t)
	if after == before || !strings.Contains(after, "2025-01-02 06:30:00 UTC") {
		t.Fatalf("the file was not regenerated with the new resolution")
	}
	if n := p.gh.Commits("postmortem/" + incidentID); n != 3 {
		t.Errorf("%d commits on the branch, want base, first draft and one update", n)
	}
	if n := len(p.gh.PullRequests()); n != 1 {
		t.Errorf("%d pull requests, want the same one", n)
	}
}

func TestReopenedIncidentNeverOverwritesPeoplesEdits(t *testing.T) {
	p := newPipeline(t)
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	original := p.file(t)
	edited := strings.Replace(original, "TBD: two or three sentences", "A bad config push took checkout down;", 1)
	ctx := context.Background()
	branch := "postmortem/" + incidentID
	path := "postmortems/2025-01-02-42-checkout-latency-above-slo.md"
	if err := p.ghc.UpdateFile(ctx, branch, path, edited, "Write the summary", github.BlobSHA(original)); err != nil {
		t.Fatal(err)
	}
	p.reopenAndResolve(t)
	for i := 0; i < 3; i++ { // retries and repeated deliveries comment once
		if err := p.process(t); err != nil {
			t.Fatal(err)
		}
	}
	if got := p.file(t); got != edited {
		t.Fatal("the people's edit was overwritten")
	}
	prs := p.gh.PullRequests()
	var updates []string
	for _, c := range p.gh.Comments(prs[0].Number) {
		if strings.Contains(c, "reopened and resolved again") {
			updates = append(updates, c)
		}
	}
	if len(updates) != 1 {
		t.Fatalf("%d update comments, want 1", len(updates))
	}
	if !strings.Contains(updates[0], "2025-01-02 06:00:00 UTC | Incident triggered") || !strings.Contains(updates[0], "2025-01-02 06:30:00 UTC") {
		t.Errorf("the comment lacks the new entries:\n%s", updates[0])
	}
}

func blob(content string) string { return github.BlobSHA(content) }

// Without a PagerDuty token no back-link can be written: the record stays unlinked, so the first run after a
// token is set adds the note, once.
func TestBackLinkWaitsForATokenToWriteNotes(t *testing.T) {
	p := newPipeline(t)
	noToken := p.lifecycle(func(d *lifecycle.Deps) { d.Notes = pagerduty.EventsOnly{} }).Drafter
	if err := noToken.Run(context.Background(), incidentID); err != nil {
		t.Fatal(err)
	}
	before := len(p.pd.Notes(incidentID))
	if err := noToken.Run(context.Background(), incidentID); err != nil {
		t.Fatal(err)
	}
	if n := len(p.pd.Notes(incidentID)); n != before {
		t.Fatalf("%d notes written without a token", n-before)
	}
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	p.assertExactlyOnce(t)
}
