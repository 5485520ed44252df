package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// TypeReminder reminds the reviewers of a postmortem that is not merged by its due time.
const TypeReminder = "postmortem:reminder"

type reminderPayload struct {
	IncidentID string `json:"incident_id"`
	At         int64  `json:"at"`
}

// ScheduleReminder schedules a reminder for an incident's postmortem at at. Scheduling the same reminder
// again does nothing: its task ID is derived from the incident and the time.
func (q *Queue) ScheduleReminder(ctx context.Context, incidentID string, at time.Time) error {
	payload, err := json.Marshal(reminderPayload{IncidentID: incidentID, At: at.Unix()})
	if err != nil {
		return err
	}
	task := asynq.NewTask(TypeReminder, payload,
		asynq.TaskID(fmt.Sprintf("reminder:%s:%d", incidentID, at.Unix())),
		asynq.ProcessAt(at),
		asynq.Retention(dedupRetention),
		asynq.MaxRetry(q.retry),
	)
	_, err = q.client.EnqueueContext(ctx, task)
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("schedule reminder of %s: %w", incidentID, err)
	}
	return nil
}
