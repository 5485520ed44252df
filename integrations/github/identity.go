package github

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v60/github"
)

// Self returns the login Hindsight writes as: the token's user (GET /user), or with an App its bot,
// "<slug>[bot]" (GET /app, asked with the App's JWT). It is looked up once.
func (c *Client) Self(ctx context.Context) (string, error) {
	c.mu.Lock()
	self := c.self
	c.mu.Unlock()
	if self != "" {
		return self, nil
	}
	if c.app != nil {
		app, _, err := call(ctx, c, func() (*gh.App, *gh.Response, error) { return c.app.Apps.Get(ctx, "") })
		if err != nil {
			return "", fmt.Errorf("read the GitHub App: %w", describe(err))
		}
		if app.GetSlug() == "" {
			return "", fmt.Errorf("read the GitHub App: GitHub gave no slug")
		}
		self = app.GetSlug() + "[bot]"
	} else {
		user, _, err := call(ctx, c, func() (*gh.User, *gh.Response, error) { return c.gh.Users.Get(ctx, "") })
		if err != nil {
			return "", fmt.Errorf("read the token's user: %w", describe(err))
		}
		if user.GetLogin() == "" {
			return "", fmt.Errorf("read the token's user: GitHub gave no login")
		}
		self = user.GetLogin()
	}
	c.mu.Lock()
	c.self = self
	c.mu.Unlock()
	return self, nil
}

// isSelf reports whether a comment or issue was written by Hindsight's own identity. A marker in text
// anybody else wrote means nothing: a person could post it to silence a reminder or have Hindsight edit
// their comment.
func (c *Client) isSelf(ctx context.Context, user *gh.User) (bool, error) {
	self, err := c.Self(ctx)
	if err != nil {
		return false, err
	}
	return strings.EqualFold(user.GetLogin(), self), nil
}

// Permission returns login's permission on the repository as the collaborator permission API names it:
// "admin", "write" (maintainers included), "read" (triage included) or "none".
func (c *Client) Permission(ctx context.Context, login string) (string, error) {
	level, _, err := call(ctx, c, func() (*gh.RepositoryPermissionLevel, *gh.Response, error) {
		return c.gh.Repositories.GetPermissionLevel(ctx, c.owner, c.repo, login)
	})
	if statusOf(err) == http.StatusNotFound {
		return "none", nil // no such user
	}
	if err != nil {
		return "", fmt.Errorf("read the permission of %s: %w", login, describe(err))
	}
	return level.GetPermission(), nil
}

// OwnIssue reads issue number again: its body and whether it is open. ours is false when Hindsight's own
// identity did not open it, or when it is a pull request; what its webhook said is not trusted.
func (c *Client) OwnIssue(ctx context.Context, number int) (body string, open, ours bool, err error) {
	is, _, err := call(ctx, c, func() (*gh.Issue, *gh.Response, error) {
		return c.gh.Issues.Get(ctx, c.owner, c.repo, number)
	})
	if err != nil {
		return "", false, false, fmt.Errorf("read issue #%d: %w", number, describe(err))
	}
	if is.IsPullRequest() {
		return "", false, false, nil
	}
	mine, err := c.isSelf(ctx, is.GetUser())
	if err != nil {
		return "", false, false, err
	}
	return is.GetBody(), is.GetState() != "closed", mine, nil
}
