package postmortem

import (
	"context"
	"errors"
	"time"
)

// The ports: what the lifecycle (package lifecycle) needs of the world, declared once, next to the domain.
// The integrations implement them; every GitHub call names its repository ("owner/name", "" for the
// configured one).

// ErrPermanent is wrapped by the errors no retry can mend (an incident PagerDuty does not know, a base
// branch that does not exist, a draft that does not render): the work is given up at once instead of retried.
// The integrations mark their errors with it where they arise.
var ErrPermanent = errors.New("permanent failure")

// ErrNoteNotWritten is returned by a NoteWriter that cannot write to PagerDuty (no API token): the incident
// stays without its back-link, and a later run with a token adds it.
var ErrNoteNotWritten = errors.New("no PagerDuty token to write notes with")

// IncidentSource reads incidents: it decodes the webhook events stored for an incident, and builds the
// incident from its API (with those events) or, without one, from the events alone.
type IncidentSource interface {
	DecodeEvent(raw []byte) (Event, error)
	// Incident reads incidentID; events are its stored webhook events, oldest first.
	Incident(ctx context.Context, incidentID string, events []Event) (Incident, error)
}

// NoteWriter adds a note to an incident.
type NoteWriter interface {
	AddNote(ctx context.Context, incidentID, content string) (Note, error)
}

// EmailFiller gives an incident's user references their emails.
type EmailFiller interface {
	FillEmails(ctx context.Context, inc *Incident) error
}

// NoEmails is the EmailFiller when no person is known by email: it leaves the incident as it is.
type NoEmails struct{}

// FillEmails does nothing.
func (NoEmails) FillEmails(context.Context, *Incident) error { return nil }

// DraftComposer outlines a draft from an incident, then renders it with its action items linked to the issues
// given by item key. *Composer is the DraftComposer.
type DraftComposer interface {
	Outline(inc Incident, d Decision) Outline
	Render(o Outline, issues map[string]int) (Draft, error)
}

// ReminderScheduler schedules the reminder of an incident's postmortem.
type ReminderScheduler interface {
	ScheduleReminder(ctx context.Context, incidentID string, at time.Time) error
}

// NoReminders is the ReminderScheduler when no reminder is wanted: it schedules nothing.
type NoReminders struct{}

// ScheduleReminder does nothing.
func (NoReminders) ScheduleReminder(context.Context, string, time.Time) error { return nil }

// Mailer sends merged postmortems to their lists, later and once: ScheduleMail must be idempotent for the same
// mailing of the same merged commit.
type Mailer interface {
	ScheduleMail(ctx context.Context, m Mailing) error
}

// NoMail is the Mailer when merged postmortems are not mailed.
type NoMail struct{}

// ScheduleMail does nothing.
func (NoMail) ScheduleMail(context.Context, Mailing) error { return nil }

// Publisher writes a postmortem as a file on its branch with a pull request, and talks on that pull request.
// A dry run is a Publisher too.
type Publisher interface {
	// Publish opens, or finds, the pull request of a draft. It must be idempotent.
	Publish(ctx context.Context, d Draft) (PullRequest, error)
	// UpdateFile commits content on branch if the file there is still the blob expected; it wraps
	// ErrFileEdited otherwise.
	UpdateFile(ctx context.Context, repo, branch, path, content, message, expected string) error
	// BlobSHA names file content as the host does, to recognise the file Hindsight wrote; "" when the
	// publisher keeps no file to compare (a dry run), so that a postmortem is then never updated.
	BlobSHA(content string) string
	// CommentOnce comments on an issue or pull request unless a comment holding marker exists.
	CommentOnce(ctx context.Context, repo string, number int, marker, body string) error
}

// IssueTracker keeps action items as issues.
type IssueTracker interface {
	// EnsureIssue finds the issue holding spec.Marker or creates it.
	EnsureIssue(ctx context.Context, repo string, spec IssueSpec) (Issue, bool, error)
	Issue(ctx context.Context, repo string, number int) (Issue, error)
	// OwnIssue reads an issue again; ours is false unless Hindsight's own identity opened it.
	OwnIssue(ctx context.Context, repo string, number int) (body string, open, ours bool, err error)
	// FileURL is the web address of a file on a branch.
	FileURL(ctx context.Context, repo, branch, path string) (string, error)
	// LinkSubIssues reports false when the host has no sub-issues.
	LinkSubIssues(ctx context.Context, repo string, parent Issue, children []Issue) (bool, error)
	SetTaskList(ctx context.Context, repo string, number int, children []Issue) error
}

// Reviews follows a postmortem pull request under review: its file, its checks, its labels and who may
// command it.
type Reviews interface {
	File(ctx context.Context, repo, ref, path string) (string, bool, error)
	FindPullRequest(ctx context.Context, repo, branch string) (PullRequest, bool, error)
	AddLabels(ctx context.Context, repo string, number int, labels ...string) error
	// UpsertComment keeps one comment holding marker, and returns its address.
	UpsertComment(ctx context.Context, repo string, number int, marker, body string) (string, error)
	SetStatus(ctx context.Context, repo, sha, state, description, targetURL string) error
	// ChecksEnabled says whether the credentials of repo may create check runs (only a GitHub App's may);
	// CheckRun reports findings as a check run with annotations on the lines, on a commit SHA or a branch.
	ChecksEnabled(repo string) bool
	CheckRun(ctx context.Context, repo, sha, path string, findings []Finding, fileMissing bool) (string, error)
	// Permission is login's permission on repo: "admin", "write", "read" or "none".
	Permission(ctx context.Context, repo, login string) (string, error)
}

// GitHub is all the lifecycle does on GitHub: publish, keep issues, follow reviews.
type GitHub interface {
	Publisher
	IssueTracker
	Reviews
}

// RuleSet is what postmortems are made and checked by.
type RuleSet struct {
	Policy   Policy
	Composer DraftComposer
	Lint     LintConfig
	// People maps PagerDuty users (ID or lower-cased email) to GitHub logins.
	People map[string]string
	// Routes add reviewers, labels, repositories of changes and lists by service or team (Composer applies
	// them to the draft; the mail takes their lists).
	Routes []Route
	// Distribution is the lists every merged postmortem is mailed to (the deciding policy rule and the
	// matching routes add theirs); ReplyTo gets the replies when the owner has no address.
	Distribution Distribution
	ReplyTo      string
	// ChangeScope says where the changes made before an incident are looked for.
	ChangeScope ChangeScope
}

// Rules gives the rules in force: the service's configuration, with the postmortem repository's own rules
// over it. It never fails: rules that cannot be read leave the last ones in force.
type Rules interface {
	Rules(ctx context.Context) RuleSet
}

// FixedRules are rules that never change: the service's own.
type FixedRules RuleSet

// Rules returns r.
func (r FixedRules) Rules(context.Context) RuleSet { return RuleSet(r) }

// RulesChange is what reading the repository's rules at a commit found: whether they are valid (Err says
// why not) and which parts of the rules in force they change.
type RulesChange struct {
	Valid   bool
	Err     error
	Changes []string
}

// TeamRules keeps the postmortem repository's rules in force and checks changes to them.
type TeamRules interface {
	Rules
	// Refresh reads the rules of the default branch again, at the commit a push made, and reports on it.
	Refresh(ctx context.Context, sha string) (RulesChange, error)
	// CheckPullRequest reports on a pull request's head commit what it would change against base; checked
	// is false when it changes nothing of the rules.
	CheckPullRequest(ctx context.Context, headSHA, base string) (change RulesChange, checked bool, err error)
}

// ChangeReader reads the changes made around an incident from one outside system (GitHub's repositories,
// PagerDuty's change events). It never fails: what it could not read is a ChangeSource with a Problem, so
// that a failure never holds up the postmortem.
type ChangeReader interface {
	ReadChanges(ctx context.Context, q ChangeQuery) Changes
}
