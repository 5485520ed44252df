package lifecycle

import (
	"context"
	"log/slog"
	"time"
)

// The GitHub events the jobs act on, each reduced to what its job needs. They are the payloads of the
// queue's GitHub tasks: their JSON keys are those of the single payload earlier versions wrote for every
// event, so that a task such a version left in Redis still decodes; the keys a payload does not know are
// skipped.
type (
	// PullRequestEvent is a postmortem pull request opened, reopened, pushed to or closed.
	PullRequestEvent struct {
		DeliveryID string // X-GitHub-Delivery, unchanged on redelivery
		Action     string // "opened", "reopened", "synchronize" or "closed"
		Repo       string // "owner/name"
		Number     int
		// HeadRef and HeadSHA are the head branch and commit; Merged whether a closed one was merged.
		HeadRef string
		HeadSHA string
		Merged  bool
		// ClosedAt is when a closed one was closed (or merged); zero when the event did not say.
		ClosedAt time.Time `json:",omitzero"`
	}
	// IssueEvent is an action item issue closed or reopened. The job reads the issue again from GitHub, so
	// the event carries no copy of it.
	IssueEvent struct {
		DeliveryID string
		Action     string // "closed" or "reopened"
		Repo       string
		Number     int
	}
	// CommentCommand is a "/hindsight …" comment on an issue or pull request.
	CommentCommand struct {
		DeliveryID string
		Repo       string
		Number     int
		Body       string `json:"CommentBody"`
		Author     string `json:"CommentAuthor"` // login
		// Association is the author's author_association with the repository ("OWNER", "MEMBER",
		// "COLLABORATOR", "CONTRIBUTOR", "NONE", …); empty when the payload had none.
		Association string `json:"CommentAssociation,omitempty"`
		// AuthorType is the author's user type: "User", "Bot" or "Organization".
		AuthorType string `json:"CommentAuthorType,omitempty"`
	}
)

// GitHubEvent is a PullRequestEvent, an IssueEvent or a CommentCommand.
type GitHubEvent interface {
	// Delivery is the delivery the event came in (X-GitHub-Delivery).
	Delivery() string
	// Target is the repository ("owner/name") and the number of the issue or pull request.
	Target() (repo string, number int)
}

// Delivery implements GitHubEvent.
func (e PullRequestEvent) Delivery() string { return e.DeliveryID }

// Target implements GitHubEvent.
func (e PullRequestEvent) Target() (string, int) { return e.Repo, e.Number }

// Delivery implements GitHubEvent.
func (e IssueEvent) Delivery() string { return e.DeliveryID }

// Target implements GitHubEvent.
func (e IssueEvent) Target() (string, int) { return e.Repo, e.Number }

// Delivery implements GitHubEvent.
func (c CommentCommand) Delivery() string { return c.DeliveryID }

// Target implements GitHubEvent.
func (c CommentCommand) Target() (string, int) { return c.Repo, c.Number }

type logAttrsKey struct{}

// WithLogAttrs returns ctx carrying attributes (key, value pairs) that the entry points add to their log
// lines: the task or delivery that asked for the work.
func WithLogAttrs(ctx context.Context, args ...any) context.Context {
	prev, _ := ctx.Value(logAttrsKey{}).([]any)
	return context.WithValue(ctx, logAttrsKey{}, append(append([]any(nil), prev...), args...))
}

// logger is base with the attributes ctx carries.
func logger(ctx context.Context, base *slog.Logger) *slog.Logger {
	if args, ok := ctx.Value(logAttrsKey{}).([]any); ok {
		return base.With(args...)
	}
	return base
}
