package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// Task types of GitHub events.
const (
	// TypePullRequest follows a postmortem pull request: checks its text on every push, and when it merges,
	// turns its action items into issues and stops the reminders.
	TypePullRequest = "github:pull_request"
	// TypeActionItem follows an action item issue that was closed or reopened.
	TypeActionItem = "github:action_item"
	// TypeCommand runs a "/hindsight …" command from a pull request comment.
	TypeCommand = "github:command"
)

// The payloads of the GitHub tasks, one per task type, each reduced to what its job needs. Their JSON keys
// are those of the single payload earlier versions wrote for every event, so that a task such a version left
// in Redis still decodes; the keys a payload does not know are skipped.
type (
	// PullRequestEvent is the payload of TypePullRequest: a postmortem pull request opened, reopened,
	// pushed to or closed.
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
	// IssueEvent is the payload of TypeActionItem: an action item issue closed or reopened. The job reads
	// the issue again from GitHub, so the payload carries no copy of it.
	IssueEvent struct {
		DeliveryID string
		Action     string // "closed" or "reopened"
		Repo       string
		Number     int
	}
	// CommentCommand is the payload of TypeCommand: a "/hindsight …" comment on an issue or pull request.
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

// GitHubTask is the payload of one GitHub task: a PullRequestEvent, an IssueEvent or a CommentCommand.
type GitHubTask interface {
	// taskType is the task type the payload is enqueued under.
	taskType() string
	delivery() string
}

func (e PullRequestEvent) taskType() string { return TypePullRequest }
func (e PullRequestEvent) delivery() string { return e.DeliveryID }
func (e IssueEvent) taskType() string       { return TypeActionItem }
func (e IssueEvent) delivery() string       { return e.DeliveryID }
func (c CommentCommand) taskType() string   { return TypeCommand }
func (c CommentCommand) delivery() string   { return c.DeliveryID }

// AcceptGitHub enqueues a GitHub task under its type, with its ID derived from the delivery, so that a
// redelivery enqueues nothing. It returns only once Redis holds the task.
func (q *Queue) AcceptGitHub(ctx context.Context, t GitHubTask) (Outcome, error) {
	if t == nil {
		return Ignored, nil
	}
	typ := t.taskType()
	payload, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("encode task: %w", err)
	}
	task := asynq.NewTask(typ, payload,
		asynq.TaskID("github-delivery:"+t.delivery()),
		asynq.Retention(dedupRetention),
		asynq.MaxRetry(q.retry),
		asynq.Timeout(5*time.Minute),
	)
	_, err = q.client.EnqueueContext(ctx, task)
	outcome := Enqueued
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		outcome, err = Duplicate, nil
	}
	if err != nil {
		return "", fmt.Errorf("enqueue %s: %w", typ, err)
	}
	if err := q.waitReplicas(ctx); err != nil {
		return "", err
	}
	return outcome, nil
}
