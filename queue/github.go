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

// GitHubDelivery is one verified GitHub webhook delivery Hindsight acts on, reduced to what the job needs.
type GitHubDelivery struct {
	DeliveryID string // X-GitHub-Delivery, unchanged on redelivery
	Event      string // X-GitHub-Event: "pull_request", "issues", "issue_comment"
	Action     string // "opened", "synchronize", "closed", "reopened", "created", ...
	Repo       string // "owner/name"
	// Number is the pull request's or issue's number.
	Number int
	// For pull requests: the head branch and commit, and whether a closed one was merged.
	HeadRef string
	HeadSHA string
	Merged  bool
	// For issues: the body (it carries Hindsight's marker) and state.
	IssueBody  string
	IssueState string
	// For comments: the text and its author.
	CommentBody   string
	CommentAuthor string
	// CommentAssociation is the author's author_association with the repository ("OWNER", "MEMBER",
	// "COLLABORATOR", "CONTRIBUTOR", "NONE", …); empty when the payload had none.
	CommentAssociation string `json:",omitempty"`
	// CommentAuthorType is the author's user type: "User", "Bot" or "Organization".
	CommentAuthorType string `json:",omitempty"`
}

// GitHubTask is the payload of the GitHub tasks: the delivery itself.
type GitHubTask = GitHubDelivery

// AcceptGitHub enqueues the task a delivery calls for, with its ID derived from the delivery, so that a
// redelivery enqueues nothing. It returns only once Redis holds the task.
func (q *Queue) AcceptGitHub(ctx context.Context, d GitHubDelivery) (Outcome, error) {
	var typ string
	switch d.Event {
	case "pull_request":
		typ = TypePullRequest
	case "issues":
		typ = TypeActionItem
	case "issue_comment":
		typ = TypeCommand
	default:
		return Ignored, nil
	}
	payload, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("encode task: %w", err)
	}
	task := asynq.NewTask(typ, payload,
		asynq.TaskID("github-delivery:"+d.DeliveryID),
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
		return "", fmt.Errorf("enqueue %s %s: %w", d.Event, d.Action, err)
	}
	if err := q.waitReplicas(ctx); err != nil {
		return "", err
	}
	return outcome, nil
}
