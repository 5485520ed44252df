package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	gh "github.com/google/go-github/v60/github"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// Router publishes each draft to its repository, Draft.Repo or else the configured one, with one Client
// per repository made on first use from the same options (host, credentials, limits). Under GitHub App auth
// a repository other than the configured one is reached through its own installation, which the App's JWT
// looks up once (GET /repos/{owner}/{repo}/installation) and the Router remembers with the client. It is
// safe for concurrent use.
type Router struct {
	opts   Options
	mu     sync.Mutex
	routes map[string]*route // lower-cased "owner/name"
}

// route is the client of one repository, ready once made; a failed attempt is forgotten, so the next call
// tries again.
type route struct {
	ready chan struct{}
	c     *Client
	err   error
}

// NewRouter checks opts by making the client of the configured repository.
func NewRouter(opts Options) (*Router, error) {
	c, err := New(opts)
	if err != nil {
		return nil, err
	}
	ready := make(chan struct{})
	close(ready)
	return &Router{opts: opts, routes: map[string]*route{strings.ToLower(opts.Repo): {ready: ready, c: c}}}, nil
}

// Client returns the client of repo ("owner/name"; empty for the configured repository), looking its App
// installation up without a deadline when it is not known yet.
func (r *Router) Client(repo string) (*Client, error) {
	return r.client(context.Background(), repo)
}

// client returns the client of repo, making it on first use. Concurrent first uses of one repository wait
// for a single lookup.
func (r *Router) client(ctx context.Context, repo string) (*Client, error) {
	if repo == "" {
		repo = r.opts.Repo
	}
	key := strings.ToLower(repo)
	for {
		r.mu.Lock()
		rt, ok := r.routes[key]
		if !ok {
			rt = &route{ready: make(chan struct{})}
			r.routes[key] = rt
		}
		r.mu.Unlock()
		if !ok {
			return r.build(ctx, key, repo, rt)
		}
		if err := wait(ctx, rt.ready); err != nil {
			return nil, fmt.Errorf("route to %s: %w", repo, err)
		}
		// The call that made the route ran out of time: this one tries again with its own.
		if rt.err != nil && ctx.Err() == nil &&
			(errors.Is(rt.err, context.Canceled) || errors.Is(rt.err, context.DeadlineExceeded)) {
			continue
		}
		return rt.c, rt.err
	}
}

// build makes the client of rt, which other calls wait for; a failure is forgotten once they have it.
func (r *Router) build(ctx context.Context, key, repo string, rt *route) (*Client, error) {
	rt.c, rt.err = r.newClient(ctx, repo)
	if rt.err != nil {
		r.mu.Lock()
		delete(r.routes, key)
		r.mu.Unlock()
	}
	close(rt.ready)
	return rt.c, rt.err
}

// wait waits for ready to be closed, or ctx to end first.
func wait(ctx context.Context, ready <-chan struct{}) error {
	select {
	case <-ready:
		return nil
	default:
	}
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// newClient makes the client of repo, another repository than the configured one.
func (r *Router) newClient(ctx context.Context, repo string) (*Client, error) {
	opts := r.opts
	opts.Repo = repo
	// Another repository has its own default branch.
	opts.BaseBranch = ""
	if opts.Token == "" {
		id, err := r.installation(ctx, repo)
		if err != nil {
			return nil, err
		}
		opts.InstallationID = id
	}
	c, err := New(opts)
	if err != nil {
		return nil, fmt.Errorf("route to %s: %w", repo, err)
	}
	return c, nil
}

// installation looks up the App installation that holds repo, with the App's JWT. A repository the App is
// not installed on is a permanent failure (postmortem.ErrRejected): no retry installs it.
func (r *Router) installation(ctx context.Context, repo string) (int64, error) {
	owner, name, err := ParseRepo(repo)
	if err != nil {
		return 0, fmt.Errorf("route to %s: repo: %w", repo, err)
	}
	home, err := r.client(ctx, "")
	if err != nil {
		return 0, err
	}
	inst, _, err := call(ctx, home, func() (*gh.Installation, *gh.Response, error) {
		return home.app.Apps.FindRepositoryInstallation(ctx, owner, name)
	})
	switch {
	case statusOf(err) == http.StatusNotFound:
		return 0, fmt.Errorf("route to %s: the GitHub App %d is not installed on %s (GitHub answered 404 Not Found); "+
			"install it there to publish to it: %w", repo, r.opts.AppID, repo, postmortem.ErrRejected)
	case err != nil:
		return 0, fmt.Errorf("route to %s: look up the GitHub App installation: %w", repo, describe(err))
	case inst.GetID() == 0:
		return 0, fmt.Errorf("route to %s: GitHub named no App installation", repo)
	}
	return inst.GetID(), nil
}

// Publish publishes d to its repository (see Client.Publish).
func (r *Router) Publish(ctx context.Context, d postmortem.Draft) (postmortem.PullRequest, error) {
	c, err := r.client(ctx, d.Repo)
	if err != nil {
		return postmortem.PullRequest{}, err
	}
	return c.Publish(ctx, d)
}

// UpdateFile updates a file in repo (see Client.UpdateFile).
func (r *Router) UpdateFile(ctx context.Context, repo, branch, path, content, message, expected string) error {
	c, err := r.client(ctx, repo)
	if err != nil {
		return err
	}
	return c.UpdateFile(ctx, branch, path, content, message, expected)
}

// CommentOnce comments on a pull request of repo (see Client.CommentOnce).
func (r *Router) CommentOnce(ctx context.Context, repo string, number int, marker, body string) error {
	c, err := r.client(ctx, repo)
	if err != nil {
		return err
	}
	return c.CommentOnce(ctx, number, marker, body)
}

// EnsureIssue finds or creates an issue in repo (see Client.EnsureIssue).
func (r *Router) EnsureIssue(ctx context.Context, repo string, spec postmortem.IssueSpec) (postmortem.Issue, bool, error) {
	c, err := r.client(ctx, repo)
	if err != nil {
		return postmortem.Issue{}, false, err
	}
	return c.EnsureIssue(ctx, spec)
}

// LinkSubIssues links sub-issues in repo (see Client.LinkSubIssues).
func (r *Router) LinkSubIssues(ctx context.Context, repo string, parent postmortem.Issue, children []postmortem.Issue) (bool, error) {
	c, err := r.client(ctx, repo)
	if err != nil {
		return false, err
	}
	return c.LinkSubIssues(ctx, parent, children)
}

// SetTaskList writes a task list in an issue of repo (see Client.SetTaskList).
func (r *Router) SetTaskList(ctx context.Context, repo string, number int, children []postmortem.Issue) error {
	c, err := r.client(ctx, repo)
	if err != nil {
		return err
	}
	return c.SetTaskList(ctx, number, children)
}

// Issue reads an issue of repo (see Client.Issue).
func (r *Router) Issue(ctx context.Context, repo string, number int) (postmortem.Issue, error) {
	c, err := r.client(ctx, repo)
	if err != nil {
		return postmortem.Issue{}, err
	}
	return c.Issue(ctx, number)
}

// AddLabels labels an issue or pull request of repo (see Client.AddLabels).
func (r *Router) AddLabels(ctx context.Context, repo string, number int, labels ...string) error {
	c, err := r.client(ctx, repo)
	if err != nil {
		return err
	}
	return c.AddLabels(ctx, number, labels...)
}

// File reads a file of repo (see Client.File).
func (r *Router) File(ctx context.Context, repo, ref, path string) (string, bool, error) {
	c, err := r.client(ctx, repo)
	if err != nil {
		return "", false, err
	}
	return c.File(ctx, ref, path)
}

// FindPullRequest finds the pull request of a branch in repo (see Client.FindPullRequest).
func (r *Router) FindPullRequest(ctx context.Context, repo, branch string) (postmortem.PullRequest, bool, error) {
	c, err := r.client(ctx, repo)
	if err != nil {
		return postmortem.PullRequest{}, false, err
	}
	return c.FindPullRequest(ctx, branch)
}

// SetStatus sets the commit status of sha in repo (see Client.SetStatus).
func (r *Router) SetStatus(ctx context.Context, repo, sha, state, description, targetURL string) error {
	c, err := r.client(ctx, repo)
	if err != nil {
		return err
	}
	return c.SetStatus(ctx, sha, state, description, targetURL)
}

// UpsertComment keeps one marked comment on a pull request of repo (see Client.UpsertComment).
func (r *Router) UpsertComment(ctx context.Context, repo string, number int, marker, body string) (string, error) {
	c, err := r.client(ctx, repo)
	if err != nil {
		return "", err
	}
	return c.UpsertComment(ctx, number, marker, body)
}

// FileURL is the web address of a file of repo (see Client.FileURL).
func (r *Router) FileURL(ctx context.Context, repo, branch, path string) (string, error) {
	c, err := r.client(ctx, repo)
	if err != nil {
		return "", err
	}
	return c.FileURL(ctx, branch, path)
}

// BlobSHA names content as git does (see BlobSHA), to recognise the file Hindsight wrote.
func (r *Router) BlobSHA(content string) string { return BlobSHA(content) }
