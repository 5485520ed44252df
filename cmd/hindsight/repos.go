package main

import (
	"path"

	"github.com/hindsight-dev/hindsight/integrations/github"
)

// customerDirectory is where customer-facing versions go: customer_version.directory, else "public"
// under github.directory.
func (c *config) customerDirectory() string {
	if c.CustomerVersion.Directory != "" {
		return path.Clean(c.CustomerVersion.Directory)
	}
	return path.Join(c.GitHub.Directory, "public")
}

// publishRepos are the repositories Hindsight publishes to: the configured one and every route's.
func (c *config) publishRepos() []string {
	repos := []string{c.GitHub.Repo}
	for _, r := range c.Routes {
		if r.Repo != "" {
			repos = append(repos, r.Repo)
		}
	}
	return repos
}

// checkLimits refuses caps that are not positive, and comments larger than GitHub takes.
func (c *config) checkLimits() error {
	for name, v := range map[string]int{"log_entries": c.Limits.LogEntries, "action_items": c.Limits.ActionItems, "comment_characters": c.Limits.CommentCharacters} {
		if v < 1 {
			return bad("HINDSIGHT_CONFIG", "limits.%s: want a positive number, got %d", name, v)
		}
	}
	if c.Limits.CommentCharacters < 1000 || c.Limits.CommentCharacters > github.MaxBody {
		return bad("HINDSIGHT_CONFIG", "limits.comment_characters: want 1000 to %d (GitHub's limit), got %d", github.MaxBody, c.Limits.CommentCharacters)
	}
	return nil
}
