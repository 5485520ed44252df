package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/hindsight-dev/hindsight/lifecycle"
	"github.com/hindsight-dev/hindsight/postmortem"
)

// NewHandlers maps each task type to the lifecycle's entry point: the task handlers of NewWorker. Without
// GitHub (a dry run) the GitHub tasks are dropped, not retried, and no reminder runs.
func NewHandlers(l *lifecycle.Lifecycle, logger *slog.Logger) map[string]asynq.Handler {
	handlers := map[string]asynq.Handler{TypePostmortem: asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		var p PostmortemPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil || p.IncidentID == "" {
			return fmt.Errorf("decode %s task: bad payload: %w", TypePostmortem, errors.Join(err, asynq.SkipRetry))
		}
		ctx = lifecycle.WithLogAttrs(taskContext(ctx), "event_id", p.EventID)
		return retryOrArchive(l.Drafter.Run(ctx, p.IncidentID))
	})}
	if !l.HandlesGitHub() {
		ignore := asynq.HandlerFunc(func(_ context.Context, t *asynq.Task) error {
			logger.Info("GitHub event ignored: dry run, no GitHub credentials", "task", t.Type())
			return nil
		})
		handlers[TypePullRequest], handlers[TypeActionItem], handlers[TypeCommand] = ignore, ignore, ignore
		return handlers
	}
	handlers[TypePullRequest] = gitHubHandler(l.PullRequests.Handle)
	handlers[TypeActionItem] = gitHubHandler(l.ActionItems.Handle)
	handlers[TypeCommand] = gitHubHandler(l.Commands.Handle)
	handlers[TypeReminder] = asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		var p reminderPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil || p.IncidentID == "" {
			return fmt.Errorf("decode %s task: bad payload: %w", TypeReminder, errors.Join(err, asynq.SkipRetry))
		}
		return retryOrArchive(l.Reminders.Run(taskContext(ctx), p.IncidentID, time.Unix(p.At, 0)))
	})
	return handlers
}

// gitHubHandler decodes the payload of a GitHub task and hands the event to handle.
func gitHubHandler[T lifecycle.PullRequestEvent | lifecycle.IssueEvent | lifecycle.CommentCommand](handle func(context.Context, T) error) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		ev, err := decodeGitHubTask[T](t)
		if err != nil {
			return err
		}
		return retryOrArchive(handle(taskContext(ctx), ev))
	})
}

// decodeGitHubTask decodes the payload of a GitHub task, this version's or an earlier one's. A payload
// that does not decode, or names no repository or number, is archived: no retry would make it better.
func decodeGitHubTask[T lifecycle.PullRequestEvent | lifecycle.IssueEvent | lifecycle.CommentCommand](t *asynq.Task) (T, error) {
	var d T
	if err := json.Unmarshal(t.Payload(), &d); err != nil {
		return d, fmt.Errorf("decode %s task: %w", t.Type(), errors.Join(err, asynq.SkipRetry))
	}
	if repo, number := any(d).(lifecycle.GitHubEvent).Target(); repo == "" || number <= 0 {
		return d, fmt.Errorf("decode %s task: the payload names no repository or no number: %w", t.Type(), asynq.SkipRetry)
	}
	return d, nil
}

// taskContext carries the task's ID into the lifecycle's log lines.
func taskContext(ctx context.Context) context.Context {
	if id, _ := asynq.GetTaskID(ctx); id != "" {
		return lifecycle.WithLogAttrs(ctx, "task_id", id)
	}
	return ctx
}

// retryOrArchive is where a failure's kind decides its task's fate: a permanent one
// (postmortem.ErrPermanent) is archived at once; any other is retried with backoff, up to the retry limit.
// A request GitHub refused as invalid (postmortem.ErrRejected) is archived by archiveRejected, which counts
// it.
func retryOrArchive(err error) error {
	if errors.Is(err, postmortem.ErrPermanent) && !errors.Is(err, asynq.SkipRetry) {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	return err
}
