package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/hindsight-dev/hindsight/lifecycle"
)

// Task types of GitHub events; their payloads are the lifecycle's events.
const (
	// TypePullRequest follows a postmortem pull request: checks its text on every push, and when it merges,
	// turns its action items into issues and stops the reminders.
	TypePullRequest = "github:pull_request"
	// TypeActionItem follows an action item issue that was closed or reopened.
	TypeActionItem = "github:action_item"
	// TypeCommand runs a "/hindsight …" command from a pull request comment.
	TypeCommand = "github:command"
)

// gitHubTaskType is the task type of a GitHub event; "" for none.
func gitHubTaskType(ev lifecycle.GitHubEvent) string {
	switch ev.(type) {
	case lifecycle.PullRequestEvent:
		return TypePullRequest
	case lifecycle.IssueEvent:
		return TypeActionItem
	case lifecycle.CommentCommand:
		return TypeCommand
	}
	return ""
}

// AcceptGitHub enqueues a GitHub task under its type, with its ID derived from the delivery, so that a
// redelivery enqueues nothing. It returns only once Redis holds the task.
func (q *Queue) AcceptGitHub(ctx context.Context, ev lifecycle.GitHubEvent) (Outcome, error) {
	typ := gitHubTaskType(ev)
	if typ == "" {
		return Ignored, nil
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return "", fmt.Errorf("encode task: %w", err)
	}
	task := asynq.NewTask(typ, payload,
		asynq.TaskID("github-delivery:"+ev.Delivery()),
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
