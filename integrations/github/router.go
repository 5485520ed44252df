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
