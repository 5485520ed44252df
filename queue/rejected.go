package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// archiveRejected archives at once a task whose request GitHub refused as invalid (postmortem.ErrRejected):
// the same request would be refused on every retry. It logs the reason and counts the task in
// hindsight_tasks_rejected_total by type.
func archiveRejected(logger *slog.Logger, reg prometheus.Registerer) asynq.MiddlewareFunc {
	rejected := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hindsight_tasks_rejected_total",
		Help: "Tasks archived without retry because GitHub refused a request as invalid (422), by task type.",
	}, []string{"type"})
	if reg != nil {
		reg.MustRegister(rejected)
	}
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			err := next.ProcessTask(ctx, t)
			if err == nil || !errors.Is(err, postmortem.ErrRejected) {
				return err
			}
			rejected.WithLabelValues(t.Type()).Inc()
			taskID, _ := asynq.GetTaskID(ctx)
			logger.Error("task archived: GitHub refused the request as invalid; retrying cannot help",
				"task", t.Type(), "task_id", taskID, "reason", err.Error())
			if errors.Is(err, asynq.SkipRetry) {
				return err
			}
			return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		})
	}
}
