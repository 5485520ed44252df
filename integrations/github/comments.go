package github

import (
	"context"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v60/github"
)

// ownComment returns the first comment on issue or pull request number that Hindsight's own account wrote
// and whose body match accepts; nil when there is none. It is how a retried step finds the comment, marked
// with a postmortem marker, that an earlier attempt wrote.
func (c *Client) ownComment(ctx context.Context, number int, match func(body string) bool) (*gh.IssueComment, error) {
	self, err := c.Self(ctx)
	if err != nil {
		return nil, err
	}
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		comments, resp, err := call(ctx, c, func() ([]*gh.IssueComment, *gh.Response, error) {
			return c.gh.Issues.ListComments(ctx, c.owner, c.repo, number, opts)
		})
		if err != nil {
			return nil, fmt.Errorf("list comments of #%d: %w", number, describe(err))
		}
		for _, cm := range comments {
			if match(cm.GetBody()) && strings.EqualFold(cm.GetUser().GetLogin(), self) {
				return cm, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
}

// startsWith matches a body that starts with marker.
func startsWith(marker string) func(string) bool {
	return func(body string) bool { return strings.HasPrefix(body, marker) }
}
