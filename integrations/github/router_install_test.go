package github_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/postmortem"
)

// appOptions authenticate as installation 34 of an App with a fresh key.
func appOptions(t *testing.T, s *githubtest.Server) github.Options {
	t.Helper()
	pemKey := githubtest.AppPrivateKey(t)
	return github.Options{BaseURL: s.URL(), AppID: 12, InstallationID: 34, PrivateKeyPEM: pemKey,
		Repo: owner + "/" + repo, BaseBranch: "main"}
}

// requestsTo is how many requests of s were method path, in any case.
func requestsTo(s *githubtest.Server, method, path string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == method && strings.EqualFold(r.Path, path) {
			n++
		}
	}
	return n
}

func TestRouterPublishesThroughEachRepositorysInstallation(t *testing.T) {
	s := newServer(t)
	s.SetInstallation(34)
	other := s.AddRepository("globex", "postmortems", 56)
	other.AddCollaborators("alice", "bob", "carol")
	other.AddTeams("sre")
	opts := appOptions(t, s)
	r, err := github.NewRouter(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// A call that ends before the lookup does leaves nothing behind for the next.
	gone, cancel := context.WithCancel(ctx)
	cancel()
	early := draft()
	early.Repo = "globex/postmortems"
	if _, err := r.Publish(gone, early); !errors.Is(err, context.Canceled) {
		t.Fatalf("publish with a cancelled context: %v", err)
	}

	// Several drafts for the other organisation's repository at once: one lookup of its installation.
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := draft()
			d.Repo = "Globex/Postmortems"
			d.IncidentID = fmt.Sprintf("PGLOBEX%d", i)
			d.Branch = "postmortem/" + d.IncidentID
			_, errs[i] = r.Publish(ctx, d)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if prs := other.PullRequests(); len(prs) != 3 {
		t.Errorf("%d pull requests in globex/postmortems, want 3", len(prs))
	}
	if n := requestsTo(other, "GET", "/repos/globex/postmortems/installation"); n != 1 {
		t.Errorf("installation of globex/postmortems looked up %d times, want once", n)
	}
	if n := requestsTo(s, "POST", "/app/installations/56/access_tokens"); n == 0 {
		t.Error("no token of installation 56 was asked for")
	}

	// The configured repository keeps the configured installation, without a lookup.
	if _, err := r.Publish(ctx, draft()); err != nil {
		t.Fatal(err)
	}
	if prs := s.PullRequests(); len(prs) != 1 {
		t.Errorf("%d pull requests in the configured repository, want 1", len(prs))
	}
	if n := requestsTo(s, "GET", "/repos/acme/postmortems/installation"); n != 0 {
		t.Errorf("the configured repository's installation was looked up %d times", n)
	}

	// The fake holds each installation to its repositories: the configured installation cannot publish
	// to the other organisation.
	wrong := opts
	wrong.Repo, wrong.BaseBranch = "globex/postmortems", ""
	c, err := github.New(wrong)
	if err != nil {
		t.Fatal(err)
	}
	d := draft()
	d.Repo = "globex/postmortems"
	if _, err := c.Publish(ctx, d); err == nil || !strings.Contains(err.Error(), "404 Not Found") {
		t.Errorf("publish with another installation's token: %v, want 404 Not Found", err)
	}
	if prs := other.PullRequests(); len(prs) != 3 {
		t.Errorf("%d pull requests in globex/postmortems after the wrong installation, want 3", len(prs))
	}
}

func TestRouterRefusesARepositoryWithoutTheApp(t *testing.T) {
	s := newServer(t)
	s.SetInstallation(34)
	stray := s.AddRepository("initech", "postmortems", 0)
	r, err := github.NewRouter(appOptions(t, s))
	if err != nil {
		t.Fatal(err)
	}
	d := draft()
	d.Repo = "initech/postmortems"
	for range 2 {
		_, err = r.Publish(context.Background(), d)
		if !errors.Is(err, postmortem.ErrRejected) {
			t.Fatalf("error %v, want postmortem.ErrRejected", err)
		}
		if msg := err.Error(); !strings.Contains(msg, "initech/postmortems") || !strings.Contains(msg, "not installed") ||
			!strings.Contains(msg, "install it there") {
			t.Errorf("error %q does not say the App must be installed on initech/postmortems", msg)
		}
	}
	// A failed lookup is not remembered: once installed, the repository is reached.
	if n := requestsTo(stray, "GET", "/repos/initech/postmortems/installation"); n != 2 {
		t.Errorf("%d lookups, want 2", n)
	}
	if len(stray.PullRequests()) != 0 {
		t.Error("a pull request was opened where the App is not installed")
	}
}

func TestRouterWithATokenNeedsNoInstallation(t *testing.T) {
	s := newServer(t)
	other := s.AddRepository("globex", "postmortems", 56)
	r, err := github.NewRouter(github.Options{BaseURL: s.URL(), Token: token, Repo: owner + "/" + repo, BaseBranch: "main"})
	if err != nil {
		t.Fatal(err)
	}
	d := draft()
	d.Repo = "globex/postmortems"
	d.Reviewers, d.TeamReviewers, d.Assignee = nil, nil, ""
	if _, err := r.Publish(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if len(other.PullRequests()) != 1 || requestsTo(other, "GET", "/repos/globex/postmortems/installation") != 0 {
		t.Errorf("pull requests %+v, requests %+v", other.PullRequests(), other.Requests())
	}
}
