package github

import (
	"context"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v60/github"
)

// StatusContext names the commit status Hindsight sets on postmortem pull requests.
const StatusContext = "hindsight/postmortem"

// SetStatus sets the hindsight/postmortem commit status of sha: state is "success", "failure", "pending"
// or "error"; description is cut to GitHub's 140 characters.
func (c *Client) SetStatus(ctx context.Context, sha, state, description, targetURL string) error {
	if r := []rune(description); len(r) > 140 {
		description = string(r[:139]) + "…"
	}
	status := &gh.RepoStatus{State: gh.String(state), Description: gh.String(description), Context: gh.String(StatusContext)}
	if targetURL != "" {
		status.TargetURL = gh.String(targetURL)
	}
	_, _, err := call(ctx, c, func() (*gh.RepoStatus, *gh.Response, error) {
		return c.gh.Repositories.CreateStatus(ctx, c.owner, c.repo, sha, status)
	})
	if err != nil {
		return fmt.Errorf("set status of %s: %w", sha, describe(err))
	}
	return nil
}

// UpsertComment keeps one comment holding marker on issue or pull request number: it creates it, or edits
// it when its body changed. It returns the comment's URL.
func (c *Client) UpsertComment(ctx context.Context, number int, marker, body string) (string, error) {
	full := c.fitComment(marker + "\n" + body)
	self, err := c.Self(ctx)
	if err != nil {
		return "", err
	}
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		comments, resp, err := call(ctx, c, func() ([]*gh.IssueComment, *gh.Response, error) {
			return c.gh.Issues.ListComments(ctx, c.owner, c.repo, number, opts)
		})
		if err != nil {
			return "", fmt.Errorf("list comments of #%d: %w", number, describe(err))
		}
		for _, cm := range comments {
			if !strings.HasPrefix(cm.GetBody(), marker) || !strings.EqualFold(cm.GetUser().GetLogin(), self) {
				continue
			}
			if cm.GetBody() == full {
				return cm.GetHTMLURL(), nil
			}
			edited, _, err := call(ctx, c, func() (*gh.IssueComment, *gh.Response, error) {
				return c.gh.Issues.EditComment(ctx, c.owner, c.repo, cm.GetID(), &gh.IssueComment{Body: gh.String(full)})
			})
			if err != nil {
				return "", fmt.Errorf("edit comment on #%d: %w", number, describe(err))
			}
			return edited.GetHTMLURL(), nil
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	created, _, err := call(ctx, c, func() (*gh.IssueComment, *gh.Response, error) {
		return c.gh.Issues.CreateComment(ctx, c.owner, c.repo, number, &gh.IssueComment{Body: gh.String(full)})
	})
	if err != nil {
		return "", fmt.Errorf("comment on #%d: %w", number, describe(err))
	}
	return created.GetHTMLURL(), nil
}
