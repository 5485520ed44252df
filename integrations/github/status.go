package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v60/github"
)

// StatusContext names the commit status Hindsight sets on postmortem pull requests.
const StatusContext = "hindsight/postmortem"

// SetStatus sets the hindsight/postmortem commit status of sha: state is "success", "failure", "pending"
// or "error"; description is cut to GitHub's 140 characters.
func (c *Client) SetStatus(ctx context.Context, sha, state, description, targetURL string) error {
	return c.SetNamedStatus(ctx, sha, StatusContext, state, description, targetURL)
}

// SetNamedStatus sets the commit status named statusContext ("hindsight/config") of sha, as SetStatus does.
func (c *Client) SetNamedStatus(ctx context.Context, sha, statusContext, state, description, targetURL string) error {
	if r := []rune(description); len(r) > 140 {
		description = string(r[:139]) + "…"
	}
	status := &gh.RepoStatus{State: gh.String(state), Description: gh.String(description), Context: gh.String(statusContext)}
	if targetURL != "" {
		status.TargetURL = gh.String(targetURL)
	}
	_, _, err := call(ctx, c, func() (*gh.RepoStatus, *gh.Response, error) {
		return c.gh.Repositories.CreateStatus(ctx, c.owner, c.repo, sha, status)
	})
	if err != nil {
		return fmt.Errorf("set status %s of %s: %w", statusContext, sha, describe(err))
	}
	return nil
}

// UpsertComment keeps one comment holding marker on issue or pull request number: it creates it, or edits
// it when its body changed. It returns the comment's URL.
func (c *Client) UpsertComment(ctx context.Context, number int, marker, body string) (string, error) {
	full := c.fitComment(marker + "\n" + body)
	cm, err := c.ownComment(ctx, number, startsWith(marker))
	if err != nil {
		return "", err
	}
	if cm != nil {
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
	created, _, err := call(ctx, c, func() (*gh.IssueComment, *gh.Response, error) {
		return c.gh.Issues.CreateComment(ctx, c.owner, c.repo, number, &gh.IssueComment{Body: gh.String(full)})
	})
	if err != nil {
		return "", fmt.Errorf("comment on #%d: %w", number, describe(err))
	}
	return created.GetHTMLURL(), nil
}
