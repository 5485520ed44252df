package github_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/internal/syncbuf"
	"github.com/hindsight-dev/hindsight/postmortem"
)

const (
	owner = "acme"
	repo  = "postmortems"
	token = "ghp_fakeTokenThatMustNeverLeak123"
)

func newServer(t *testing.T) *githubtest.Server {
	t.Helper()
	s := githubtest.NewServer(t, owner, repo, token)
	s.AddCollaborators("alice", "bob", "carol")
	s.AddTeams("sre")
	return s
}

func newClient(t *testing.T, s *githubtest.Server, edit func(*github.Options)) (*github.Client, *syncbuf.Buffer) {
	t.Helper()
	logs := &syncbuf.Buffer{}
	opts := github.Options{
		BaseURL:    s.URL(),
		Token:      token,
		Repo:       owner + "/" + repo,
		BaseBranch: "main",
		Logger:     slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if edit != nil {
		edit(&opts)
	}
	c, err := github.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, logs
}

func draft() postmortem.Draft {
	return postmortem.Draft{
		IncidentID:    "PABC123",
		Branch:        "postmortem/PABC123",
		Path:          "postmortems/2024-05-01-1234-database-failover.md",
		Content:       "# Database failover\n\n## Summary\n...\n",
		CommitMessage: "Add postmortem for PABC123",
		Title:         "Postmortem: database failover (#1234)",
		Body:          "Postmortem for PABC123.",
		Labels:        []string{"postmortem", "sev1", "postmortem"},
		Reviewers:     []string{"alice", "bob", "Alice", "hindsight-bot"},
		TeamReviewers: []string{"sre"},
		Assignee:      "carol",
	}
}

// checkPublished asserts the repository holds exactly one postmortem branch and pull request, as draft()
// describes, with nothing duplicated.
func checkPublished(t *testing.T, s *githubtest.Server) githubtest.PullRequest {
	t.Helper()
	d := draft()
	branches := s.Branches()
	if len(branches) != 2 || branches[d.Branch] == "" {
		t.Errorf("branches = %v, want main and %s", branches, d.Branch)
	}
	if n := s.Commits(d.Branch); n != 2 {
		t.Errorf("branch has %d commits, want 2 (base + postmortem)", n)
	}
	if got, ok := s.File(d.Branch, d.Path); !ok || got != d.Content {
		t.Errorf("file on branch = %q, %v; want the draft's content", got, ok)
	}
	if _, ok := s.File(d.Branch, "README.md"); !ok {
		t.Errorf("README.md missing on the branch: the tree lost its base")
	}
	prs := s.PullRequests()
	if len(prs) != 1 {
		t.Fatalf("pull requests = %+v, want exactly one", prs)
	}
	pr := prs[0]
	if pr.Head != d.Branch || pr.Base != "main" || pr.Title != d.Title || pr.Body != d.Body || pr.State != "open" {
		t.Errorf("pull request = %+v", pr)
	}
	if !slices.Equal(pr.Labels, []string{"postmortem", "sev1"}) {
		t.Errorf("labels = %v, want [postmortem sev1]", pr.Labels)
	}
	if !slices.Equal(pr.Assignees, []string{"carol"}) {
		t.Errorf("assignees = %v, want [carol]", pr.Assignees)
	}
	if got := sorted(pr.RequestedReviewers); !slices.Equal(got, []string{"alice", "bob"}) {
		t.Errorf("requested reviewers = %v, want [alice bob]", got)
	}
	if !slices.Equal(pr.RequestedTeams, []string{"sre"}) {
		t.Errorf("requested teams = %v, want [sre]", pr.RequestedTeams)
	}
	if pr.Author != "hindsight-bot" {
		t.Errorf("author = %q", pr.Author)
	}
	if c := s.Comments(pr.Number); len(c) != 0 {
		t.Errorf("comments = %q, want none", c)
	}
	return pr
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func count(reqs []githubtest.Request, method, suffix string, status int) int {
	n := 0
	for _, r := range reqs {
		if r.Method == method && strings.HasSuffix(r.Path, suffix) && (status == 0 || r.Status == status) {
			n++
		}
	}
	return n
}

func TestPublishFresh(t *testing.T) {
	for _, tc := range []struct {
		name         string
		baseBranch   string
		wantRequests int
	}{
		{"base branch set", "main", 8},
		{"default branch looked up", "", 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			c, _ := newClient(t, s, func(o *github.Options) { o.BaseBranch = tc.baseBranch })
			got, err := c.Publish(context.Background(), draft())
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			reqs := s.Requests()
			if len(reqs) != tc.wantRequests {
				t.Errorf("Publish made %d requests, want %d: %+v", len(reqs), tc.wantRequests, reqs)
			}
			pr := checkPublished(t, s)
			want := postmortem.PullRequest{
				Number: pr.Number, URL: s.URL() + owner + "/" + repo + "/pull/1", Branch: draft().Branch,
				Author: "hindsight-bot", Created: true,
			}
			if got.Number != want.Number || got.URL != want.URL || got.Branch != want.Branch ||
				got.Author != want.Author || got.Created != want.Created || got.SkippedReviewers != nil {
				t.Errorf("Publish = %+v, want %+v", got, want)
			}
			if n := count(reqs, http.MethodPost, "/requested_reviewers", 0); n != 1 {
				t.Errorf("%d review requests, want 1 (the author is never requested)", n)
			}

			// The default branch is looked up once per client.
			d := draft()
			d.Branch, d.IncidentID = "postmortem/PDEF456", "PDEF456"
			s.ResetRequests()
			if _, err := c.Publish(context.Background(), d); err != nil {
				t.Fatalf("second Publish: %v", err)
			}
			if n := len(s.Requests()); n != 8 {
				t.Errorf("second draft took %d requests, want 8", n)
			}
		})
	}
}

func TestPublishTwiceFindsThePullRequest(t *testing.T) {
	s := newServer(t)
	c, _ := newClient(t, s, nil)
	first, err := c.Publish(context.Background(), draft())
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	s.ResetRequests()
	again, err := c.Publish(context.Background(), draft())
	if err != nil {
		t.Fatalf("second Publish: %v", err)
	}
	if again.Created || again.Number != first.Number || again.URL != first.URL || again.Author != first.Author {
		t.Errorf("second Publish = %+v, want the same pull request with Created false (first %+v)", again, first)
	}
	if reqs := s.Requests(); len(reqs) != 1 || reqs[0].Method != http.MethodGet || !strings.HasSuffix(reqs[0].Path, "/pulls") {
		t.Errorf("second Publish requests = %+v, want one GET pulls", reqs)
	}
	if q := s.Requests()[0].Query; !strings.Contains(q, "head=acme%3Apostmortem%2FPABC123") || !strings.Contains(q, "state=all") {
		t.Errorf("pull request lookup query = %q, want head=owner:branch and state=all", q)
	}
	checkPublished(t, s)

	found, ok, err := c.FindPullRequest(context.Background(), draft().Branch)
	if err != nil || !ok || found.Number != first.Number || found.Created {
		t.Errorf("FindPullRequest = %+v, %v, %v", found, ok, err)
	}
	_, ok, err = c.FindPullRequest(context.Background(), "postmortem/NOPE")
	if err != nil || ok {
		t.Errorf("FindPullRequest(missing) = %v, %v; want not found", ok, err)
	}
}

// TestPublishAfterCrash fails each step once, either before GitHub applies it or after (the change is made
// but the answer is lost, as in a crash), then publishes again: the result is one branch, one pull request,
// one set of labels, assignee and reviewers.
func TestPublishAfterCrash(t *testing.T) {
	steps := []struct {
		name   string
		method string
		suffix string
	}{
		{"tree", http.MethodPost, "/git/trees"},
		{"commit", http.MethodPost, "/git/commits"},
		{"ref", http.MethodPost, "/git/refs"},
		{"pull request", http.MethodPost, "/pulls"},
		{"issue edit", http.MethodPatch, "/issues/1"},
		{"reviewers", http.MethodPost, "/requested_reviewers"},
	}
	for _, step := range steps {
		for _, after := range []bool{false, true} {
			name := step.name + "/before"
			if after {
				name = step.name + "/after"
			}
			t.Run(name, func(t *testing.T) {
				s := newServer(t)
				var once sync.Once
				s.Inject(func(r *http.Request) (githubtest.Fault, bool) {
					fire := false
					if r.Method == step.method && strings.HasSuffix(r.URL.Path, step.suffix) {
						once.Do(func() { fire = true })
					}
					return githubtest.Fault{Status: http.StatusBadGateway, Body: `{"message":"Server Error"}`, After: after}, fire
				})
				c, _ := newClient(t, s, nil)
				if _, err := c.Publish(context.Background(), draft()); err == nil {
					t.Fatalf("Publish succeeded despite a failed %s", step.name)
				}
				got, err := c.Publish(context.Background(), draft())
				if err != nil {
					t.Fatalf("Publish after the failure: %v", err)
				}
				pr := checkPublished(t, s)
				if got.Number != pr.Number {
					t.Errorf("Publish returned #%d, want #%d", got.Number, pr.Number)
				}
				// A step failed "after" was applied although its answer says otherwise.
				applied := func(method, suffix string) int {
					n := count(s.Requests(), method, suffix, http.StatusCreated)
					if after && method == step.method && suffix == step.suffix {
						n++
					}
					return n
				}
				if n := applied(http.MethodPost, "/requested_reviewers"); n != 1 {
					t.Errorf("reviewers requested %d times, want once", n)
				}
				if n := applied(http.MethodPost, "/pulls"); n != 1 {
					t.Errorf("%d pull requests created, want 1", n)
				}
			})
		}
	}
}

func TestPublishConcurrently(t *testing.T) {
	s := newServer(t)
	c, _ := newClient(t, s, nil)
	var wg sync.WaitGroup
	results := make([]postmortem.PullRequest, 4)
	errs := make([]error, 4)
	for i := range results {
		wg.Go(func() { results[i], errs[i] = c.Publish(context.Background(), draft()) })
	}
	wg.Wait()
	created := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Publish %d: %v", i, err)
		}
		if results[i].Number != 1 {
			t.Errorf("Publish %d returned #%d", i, results[i].Number)
		}
		if results[i].Created {
			created++
		}
	}
	if created != 1 {
		t.Errorf("%d publications say they created the pull request, want 1", created)
	}
	checkPublished(t, s)
}

func TestPublishWhenCreateRacesAnotherWorker(t *testing.T) {
	s := newServer(t)
	c, _ := newClient(t, s, nil)
	if _, err := c.Publish(context.Background(), draft()); err != nil {
		t.Fatal(err)
	}
	// The lookup misses the pull request (as a concurrent worker's would): creating the ref and the pull
	// request then meet GitHub's "already exists" answers.
	var once sync.Once
	s.Fail(func(r *http.Request) (int, string, bool) {
		fire := false
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/pulls") {
			once.Do(func() { fire = true })
		}
		return http.StatusOK, "[]", fire
	})
	s.ResetRequests()
	got, err := c.Publish(context.Background(), draft())
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if got.Created || got.Number != 1 {
		t.Errorf("Publish = %+v, want the existing #1 with Created false", got)
	}
	reqs := s.Requests()
	if count(reqs, http.MethodPost, "/git/refs", http.StatusUnprocessableEntity) != 1 ||
		count(reqs, http.MethodPost, "/pulls", http.StatusUnprocessableEntity) != 1 {
		t.Errorf("want one 422 on the ref and one on the pull request: %+v", reqs)
	}
	checkPublished(t, s)
}

func TestPublishSkipsReviewersGitHubRefuses(t *testing.T) {
	s := newServer(t)
	c, logs := newClient(t, s, nil)
	d := draft()
	d.Reviewers = []string{"alice", "mallory", "bob"}
	d.TeamReviewers = []string{"sre", "ghosts"}
	got, err := c.Publish(context.Background(), d)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	notCollaborator := "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the acme/postmortems repository."
	want := map[string]string{"mallory": notCollaborator, "acme/ghosts": notCollaborator}
	if len(got.SkippedReviewers) != len(want) || got.SkippedReviewers["mallory"] != want["mallory"] || got.SkippedReviewers["acme/ghosts"] != want["acme/ghosts"] {
		t.Errorf("SkippedReviewers = %q, want %q", got.SkippedReviewers, want)
	}
	pr := s.PullRequests()[0]
	if r := sorted(pr.RequestedReviewers); !slices.Equal(r, []string{"alice", "bob"}) || !slices.Equal(pr.RequestedTeams, []string{"sre"}) {
		t.Errorf("requested = %v %v, want [alice bob] [sre]", r, pr.RequestedTeams)
	}
	comments := s.Comments(pr.Number)
	if len(comments) != 1 || !strings.Contains(comments[0], "`mallory`") || !strings.Contains(comments[0], "`acme/ghosts`") {
		t.Errorf("comments = %q, want one listing mallory and acme/ghosts", comments)
	}
	if !strings.Contains(logs.String(), "mallory") {
		t.Errorf("refused reviewer not logged: %s", logs)
	}

	// A retry asks again (they may have been added since) but does not comment twice.
	again, err := c.Publish(context.Background(), d)
	if err != nil {
		t.Fatalf("second Publish: %v", err)
	}
	if len(again.SkippedReviewers) != 2 {
		t.Errorf("second Publish SkippedReviewers = %q", again.SkippedReviewers)
	}
	if n := len(s.Comments(pr.Number)); n != 1 {
		t.Errorf("%d comments after a retry, want 1", n)
	}
}

func TestPublishDoesNotRequestReviewersWhoReviewed(t *testing.T) {
	s := newServer(t)
	c, _ := newClient(t, s, nil)
	var once sync.Once
	s.Inject(func(r *http.Request) (githubtest.Fault, bool) {
		fire := false
		if strings.HasSuffix(r.URL.Path, "/requested_reviewers") {
			once.Do(func() { fire = true })
		}
		return githubtest.Fault{Status: http.StatusBadGateway}, fire
	})
	if _, err := c.Publish(context.Background(), draft()); err == nil {
		t.Fatal("Publish succeeded despite the failed review request")
	}
	s.AddReview(1, "alice", "APPROVED")
	if _, err := c.Publish(context.Background(), draft()); err != nil {
		t.Fatal(err)
	}
	pr := s.PullRequests()[0]
	if !slices.Equal(pr.RequestedReviewers, []string{"bob"}) {
		t.Errorf("requested reviewers = %v, want [bob]: alice has reviewed", pr.RequestedReviewers)
	}
}

func TestPublishLeavesAMergedPullRequestAlone(t *testing.T) {
	s := newServer(t)
	c, _ := newClient(t, s, nil)
	if _, err := c.Publish(context.Background(), draft()); err != nil {
		t.Fatal(err)
	}
	s.Merge(1)
	s.ResetRequests()
	d := draft()
	d.Labels = append(d.Labels, "late")
	got, err := c.Publish(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if got.Created || got.Number != 1 {
		t.Errorf("Publish = %+v", got)
	}
	if reqs := s.Requests(); len(reqs) != 1 {
		t.Errorf("requests = %+v, want only the lookup", reqs)
	}
}

func TestPublishEmptyRepository(t *testing.T) {
	s := newServer(t)
	s.DeleteBranch("main")
	for _, base := range []string{"main", ""} {
		c, _ := newClient(t, s, func(o *github.Options) { o.BaseBranch = base })
		_, err := c.Publish(context.Background(), draft())
		if !errors.Is(err, github.ErrBaseBranchNotFound) || !errors.Is(err, postmortem.ErrPermanent) {
			t.Errorf("BaseBranch %q: Publish error = %v, want ErrBaseBranchNotFound, permanent", base, err)
		}
		if err != nil && !strings.Contains(err.Error(), "empty repository") {
			t.Errorf("error %q does not explain itself", err)
		}
	}
	if len(s.PullRequests()) != 0 {
		t.Error("a pull request was opened")
	}
}

func TestPublishRejectsIncompleteDraft(t *testing.T) {
	s := newServer(t)
	c, _ := newClient(t, s, nil)
	d := draft()
	d.Path, d.Title = "", ""
	_, err := c.Publish(context.Background(), d)
	if err == nil || !strings.Contains(err.Error(), "path, title") {
		t.Errorf("Publish error = %v, want one naming path and title", err)
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests for an invalid draft", n)
	}
}

func TestPublishWithBadToken(t *testing.T) {
	s := newServer(t)
	const wrong = "ghp_wrongTokenThatMustNeverLeak999"
	c, logs := newClient(t, s, func(o *github.Options) { o.Token = wrong })
	_, err := c.Publish(context.Background(), draft())
	if !errors.Is(err, github.ErrBadCredentials) {
		t.Fatalf("Publish error = %v, want ErrBadCredentials", err)
	}
	for _, secret := range []string{wrong, token} {
		if strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) {
			t.Errorf("a token appears in the error or the logs: %v", err)
		}
	}
	if !strings.Contains(err.Error(), "Bad credentials") || !strings.Contains(err.Error(), "postmortem/PABC123") {
		t.Errorf("error %q should carry GitHub's message and the branch", err)
	}
}

func TestComment(t *testing.T) {
	s := newServer(t)
	c, _ := newClient(t, s, nil)
	if _, err := c.Publish(context.Background(), draft()); err != nil {
		t.Fatal(err)
	}
	if err := c.Comment(context.Background(), 1, "Due tomorrow."); err != nil {
		t.Fatal(err)
	}
	if got := s.Comments(1); !slices.Equal(got, []string{"Due tomorrow."}) {
		t.Errorf("comments = %q", got)
	}
	if err := c.Comment(context.Background(), 99, "x"); err == nil || !strings.Contains(err.Error(), "404 Not Found") {
		t.Errorf("Comment on a missing pull request: %v", err)
	}
}
