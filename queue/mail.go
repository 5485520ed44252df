package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/hindsight-dev/hindsight/distribution"
	"github.com/hindsight-dev/hindsight/postmortem"
)

// TypeMail mails a merged postmortem, or its customer version, to its list (package distribution).
const TypeMail = "distribution:mail"

// mailRetention keeps a mail task's ID long enough to recognise every redelivery of its merge event:
// GitHub redelivers for days when asked to.
const mailRetention = 7 * 24 * time.Hour

// mailTimeout bounds one attempt: connect, the SMTP transaction, the chat post and the note. It stays well
// below distribution.DefaultStaleAfter, so a "sending" record older than that is never a running attempt.
const mailTimeout = 3 * time.Minute

// ScheduleMail enqueues the mail of one merged file to one list: the postmortem.Mailer of the lifecycle. The
// task ID is derived from the incident, the audience and the merged commit, so a merge event delivered twice
// enqueues one task.
func (q *Queue) ScheduleMail(ctx context.Context, m postmortem.Mailing) error {
	payload, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode task: %w", err)
	}
	task := asynq.NewTask(TypeMail, payload,
		asynq.TaskID("mail:"+m.IncidentID+":"+m.Audience+":"+m.Ref),
		asynq.Retention(mailRetention),
		asynq.MaxRetry(q.retry),
		asynq.Timeout(mailTimeout),
	)
	_, err = q.client.EnqueueContext(ctx, task)
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueue the %s mail of %s: %w", m.Audience, m.IncidentID, err)
	}
	return nil
}

// NewMailHandler runs TypeMail tasks with s: a message that may have gone out (distribution.ErrUnconfirmed)
// and one no retry can send are archived at once with the reason; another attempt sending the same message
// is waited for like a taken lock.
func NewMailHandler(s *distribution.Sender) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		var m postmortem.Mailing
		if err := json.Unmarshal(t.Payload(), &m); err != nil {
			return fmt.Errorf("decode %s task: %w", TypeMail, errors.Join(err, asynq.SkipRetry))
		}
		return retryOrArchive(s.Send(taskContext(ctx), m))
	})
}
