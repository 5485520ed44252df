package postmortem

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Draft is a rendered postmortem ready to be proposed for review: the file, where it goes, and the pull
// request that carries it.
type Draft struct {
	IncidentID string
	// Repo is the repository ("owner/name") the postmortem goes to; empty for the configured one.
	Repo string
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
	// Timeline is what the postmortem was written from, for telling reviewers what came after.
	Timeline Timeline
	// ActionItems are the items pre-filled from the incident's notes, with their issues once they have one.
	ActionItems []ActionItem
	// Due is when the postmortem should be merged.
	Due time.Time
}

// ErrFileEdited means people have edited a published postmortem file, which Hindsight then never
// overwrites.
var ErrFileEdited = errors.New("the postmortem file was edited by people")

// backLinkPrefix starts the note Hindsight adds to an incident; the timeline leaves such notes out.
const backLinkPrefix = "Postmortem draft for review: "

// BackLinkNote is the note Hindsight adds to an incident once its postmortem pull request is open.
func BackLinkNote(url string) string { return backLinkPrefix + url }

// IsBackLinkNote reports whether a note is Hindsight's own back-link.
func IsBackLinkNote(content string) bool {
	return strings.HasPrefix(strings.TrimSpace(content), backLinkPrefix)
}

// LastEntryAt is the time of the draft's newest timeline entry; zero when it has none.
func (d Draft) LastEntryAt() time.Time {
	if len(d.Timeline) == 0 {
		return time.Time{}
	}
	return d.Timeline[len(d.Timeline)-1].At
}

// UpdateComment tells the reviewers of a postmortem whose file people have edited what the timeline gained
// since since, when the incident was reopened and resolved again. ok is false when nothing is new.
func (d Draft) UpdateComment(since time.Time) (body string, ok bool) {
	var b strings.Builder
	b.WriteString("The incident was reopened and resolved again. The file was edited here, so Hindsight leaves it as it is; ")
	b.WriteString("these timeline entries are new since the draft was written:\n\n| Time | Event | By |\n|---|---|---|\n")
	n := 0
	for _, e := range d.Timeline {
		if !e.At.After(since) {
			continue
		}
		n++
		fmt.Fprintf(&b, "| %s | %s | %s |\n", FormatTime(e.At), Inline(e.Text), Inline(actorName(e.Actor)))
	}
	return b.String(), n > 0
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
	// Open is false once the pull request is merged or closed.
	Open bool
	// SkippedReviewers are the logins GitHub refused as reviewers, with the reason.
	SkippedReviewers map[string]string
}
