package queue

import (
	"context"
	"errors"

	"github.com/hibiken/asynq"
)

// ReplayIncident enqueues the postmortem pipeline for a past incident under a task ID of the incident's
// own, so that replaying the same incidents again while that task is queued, running or retained does
// nothing: queued is false then. The pipeline itself is idempotent as well.
func (q *Queue) ReplayIncident(ctx context.Context, incidentID string) (queued bool, err error) {
	err = q.enqueuePostmortem(ctx, PostmortemPayload{IncidentID: incidentID, EventID: "replay"}, "replay:"+incidentID)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return false, nil
	}
	return err == nil, err
}
