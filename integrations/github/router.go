package github

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// Router publishes each draft to its repository, Draft.Repo or else the configured one, with one Client
// per repository made on first use from the same options (host, credentials, limits). It is safe for
// concurrent use.
type Router struct {
	opts    Options
	mu      sync.Mutex
	clients map[string]*Client
}

// NewRouter checks opts by making the client of the configured repository.
func NewRouter(opts Options) (*Router, error) {
	c, err := New(opts)
	if err != nil {
		return nil, err
	}
	return &Router{opts: opts, clients: map[string]*Client{strings.ToLower(opts.Repo): c}}, nil
}

// Client returns the client of repo ("owner/name"; empty for the configured repository).
func (r *Router) Client(repo string) (*Client, error) {
	if repo == "" {
		repo = r.opts.Repo
	}
	key := strings.ToLower(repo)
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.clients[key]; ok {
		return c, nil
	}
	opts := r.opts
	opts.Repo = repo
	if !strings.EqualFold(repo, r.opts.Repo) {
		// Another repository has its own default branch.
		opts.BaseBranch = ""
	}
	c, err := New(opts)
	if err != nil {
		return nil, fmt.Errorf("route to %s: %w", repo, err)
	}
	r.clients[key] = c
	return c, nil
}

// Publish publishes d to its repository (see Client.Publish).
func (r *Router) Publish(ctx context.Context, d postmortem.Draft) (postmortem.PullRequest, error) {
	c, err := r.Client(d.Repo)
	if err != nil {
		return postmortem.PullRequest{}, err
	}
	return c.Publish(ctx, d)
}

// UpdateFile updates a file in repo (see Client.UpdateFile).
func (r *Router) UpdateFile(ctx context.Context, repo, branch, path, content, message, expected string) error {
	c, err := r.Client(repo)
	if err != nil {
		return err
	}
	return c.UpdateFile(ctx, branch, path, content, message, expected)
}

// CommentOnce comments on a pull request of repo (see Client.CommentOnce).
func (r *Router) CommentOnce(ctx context.Context, repo string, number int, marker, body string) error {
	c, err := r.Client(repo)
	if err != nil {
		return err
	}
	return c.CommentOnce(ctx, number, marker, body)
}

// EnsureIssue finds or creates an issue in repo (see Client.EnsureIssue).
func (r *Router) EnsureIssue(ctx context.Context, repo string, spec postmortem.IssueSpec) (postmortem.Issue, bool, error) {
	c, err := r.Client(repo)
	if err != nil {
		return postmortem.Issue{}, false, err
	}
	return c.EnsureIssue(ctx, spec)
}

// LinkSubIssues links sub-issues in repo (see Client.LinkSubIssues).
func (r *Router) LinkSubIssues(ctx context.Context, repo string, parent postmortem.Issue, children []postmortem.Issue) (bool, error) {
	c, err := r.Client(repo)
	if err != nil {
		return false, err
	}
	return c.LinkSubIssues(ctx, parent, children)
}

// SetTaskList writes a task list in an issue of repo (see Client.SetTaskList).
func (r *Router) SetTaskList(ctx context.Context, repo string, number int, children []postmortem.Issue) error {
	c, err := r.Client(repo)
	if err != nil {
		return err
	}
	return c.SetTaskList(ctx, number, children)
}

// Issue reads an issue of repo (see Client.Issue).
func (r *Router) Issue(ctx context.Context, repo string, number int) (postmortem.Issue, error) {
	c, err := r.Client(repo)
	if err != nil {
		return postmortem.Issue{}, err
	}
	return c.Issue(ctx, number)
}

// AddLabels labels an issue or pull request of repo (see Client.AddLabels).
func (r *Router) AddLabels(ctx context.Context, repo string, number int, labels ...string) error {
	c, err := r.Client(repo)
	if err != nil {
		return err
	}
	return c.AddLabels(ctx, number, labels...)
}

// File reads a file of repo (see Client.File).
func (r *Router) File(ctx context.Context, repo, ref, path string) (string, bool, error) {
	c, err := r.Client(repo)
	if err != nil {
		return "", false, err
	}
	return c.File(ctx, ref, path)
}

// FindPullRequest finds the pull request of a branch in repo (see Client.FindPullRequest).
func (r *Router) FindPullRequest(ctx context.Context, repo, branch string) (postmortem.PullRequest, bool, error) {
	c, err := r.Client(repo)
	if err != nil {
		return postmortem.PullRequest{}, false, err
	}
	return c.FindPullRequest(ctx, branch)
}

// SetStatus sets the commit status of sha in repo (see Client.SetStatus).
func (r *Router) SetStatus(ctx context.Context, repo, sha, state, description, targetURL string) error {
	c, err := r.Client(repo)
	if err != nil {
		return err
	}
	return c.SetStatus(ctx, sha, state, description, targetURL)
}

// UpsertComment keeps one marked comment on a pull request of repo (see Client.UpsertComment).
func (r *Router) UpsertComment(ctx context.Context, repo string, number int, marker, body string) (string, error) {
	c, err := r.Client(repo)
	if err != nil {
		return "", err
	}
	return c.UpsertComment(ctx, number, marker, body)
}

// FileURL is the web address of a file of repo (see Client.FileURL).
func (r *Router) FileURL(ctx context.Context, repo, branch, path string) (string, error) {
	c, err := r.Client(repo)
	if err != nil {
		return "", err
	}
	return c.FileURL(ctx, branch, path)
}
