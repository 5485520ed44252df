package postmortem

// Draft is a rendered postmortem ready to be proposed for review: the file, where it goes, and the pull
// request that carries it.
type Draft struct {
	IncidentID string
	// Branch is the deterministic branch that carries the postmortem: "postmortem/<incident id>".
	Branch string
	// Path is the file's path in the repository: "postmortems/2024-05-01-1234-database-failover.md".
	Path          string
	Content       string // the postmortem file, Markdown
	CommitMessage string
	Title         string // the pull request's title
	Body          string // the pull request's description
	Labels        []string
	// Reviewers are GitHub logins, TeamReviewers team slugs without the organisation prefix.
	Reviewers     []string
	TeamReviewers []string
	// Assignee is the postmortem's owner, a GitHub login; empty for none.
	Assignee string
}

// PullRequest is the published pull request of a postmortem.
type PullRequest struct {
	Number int
	URL    string
	Branch string
	// Author is the login that opened it: the token's own user, or the App's bot.
	Author string
	// Created is true when this publication opened the pull request, false when it already existed.
	Created bool
	// SkippedReviewers are the logins GitHub refused as reviewers, with the reason.
	SkippedReviewers map[string]string
}
