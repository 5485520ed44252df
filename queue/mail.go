package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/hindsight-dev/hindsight/distribution"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// TypeMail mails a merged postmortem, or its customer version, to its list (package distribution).
const TypeMail = "distribution:mail"

// mailRetention keeps a mail task's ID long enough to recognise every redelivery of its merge event:
// GitHub redelivers for days when asked to.
const mailRetention = 7 * 24 * time.Hour

// mailTimeout bounds one attempt: connect, the SMTP transaction, the chat post and the note. It stays well
// below distribution.DefaultStaleAfter, so a "sending" record older than that is never a running attempt.
const mailTimeout = 3 * time.Minute

// EnqueueMail enqueues the mail of one merged file to one list. The task ID is derived from the incident,
// the audience and the merged commit, so a merge event delivered twice enqueues one task.
func (q *Queue) EnqueueMail(ctx context.Context, r distribution.Request) error {
	payload, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode task: %w", err)
	}
	task := asynq.NewTask(TypeMail, payload,
		asynq.TaskID("mail:"+r.IncidentID+":"+r.Audience+":"+r.Ref),
		asynq.Retention(mailRetention),
		asynq.MaxRetry(q.retry),
		asynq.Timeout(mailTimeout),
	)
	_, err = q.client.EnqueueContext(ctx, task)
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueue the %s mail of %s: %w", r.Audience, r.IncidentID, err)
	}
	return nil
}

// MailEnqueuer is where the GitHub jobs put the mails of a merged postmortem.
type MailEnqueuer interface {
	EnqueueMail(ctx context.Context, r distribution.Request) error
}

// MailHandler runs TypeMail tasks.
type MailHandler struct {
	Sender *distribution.Sender
	Logger *slog.Logger
}

// ProcessTask implements asynq.Handler: a message that may have gone out, and one no retry can send, are
// archived at once with the reason; another attempt sending it is waited for.
func (h *MailHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var r distribution.Request
	if err := json.Unmarshal(t.Payload(), &r); err != nil {
		return fmt.Errorf("decode %s task: %w", TypeMail, errors.Join(err, asynq.SkipRetry))
	}
	err := h.Sender.Send(ctx, r)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, distribution.ErrInProgress):
		return fmt.Errorf("%w: %w", err, redisstore.ErrLocked)
	case errors.Is(err, distribution.ErrUnconfirmed), errors.Is(err, distribution.ErrPermanent), errors.Is(err, ErrPermanent):
		taskID, _ := asynq.GetTaskID(ctx)
		h.Logger.Error("mail task archived", "task_id", taskID, "incident_id", r.IncidentID, "list", r.Audience, "reason", err.Error())
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	return err
}

// mailMerged enqueues the mails of a merged pull request of rec's incident: the postmortem to the internal
// list when it is the postmortem's own pull request, and the customer version, when the merged commit holds
// one, to the customer list.
func mailMerged(ctx context.Context, m MailEnqueuer, rec redisstore.Record, number int, sha string) error {
	if m == nil || sha == "" {
		return nil
	}
	r := distribution.Request{IncidentID: rec.IncidentID, Repo: rec.Repo, Ref: sha, PullURL: rec.PullURL,
		IncidentNumber: rec.IncidentNumber, IncidentTitle: rec.IncidentTitle, IncidentURL: rec.IncidentURL,
		Priority: rec.Priority, Urgency: rec.Urgency, Service: postmortem.Service{ID: rec.ServiceID, Name: rec.ServiceName},
		Teams: teamsOf(rec.Teams), Owner: rec.Owner}
	if number != rec.PullNumber {
		r.PullURL = distribution.PullURL(rec.PullURL, number)
	} else {
		internal := r
		internal.Audience, internal.Path = postmortem.AudienceInternal, rec.Path
		if err := m.EnqueueMail(ctx, internal); err != nil {
			return err
		}
	}
	r.Audience, r.Path = postmortem.AudienceCustomers, distribution.PublicPath(rec.Path)
	return m.EnqueueMail(ctx, r)
}

// incidentOfBranch returns the incident a branch is named for: "postmortem/ID", or a branch of the same
// incident such as "postmortem/ID-public" or "postmortem/ID/public".
func incidentOfBranch(branch string) (string, bool) {
	rest, ok := postmortem.IncidentFromBranch(branch)
	if !ok {
		return "", false
	}
	if i := strings.IndexAny(rest, "-/"); i >= 0 {
		rest = rest[:i]
	}
	return rest, postmortem.ValidIncidentID(rest)
}

func teamsJSON(teams []postmortem.Team) string {
	if len(teams) == 0 {
		return ""
	}
	b, err := json.Marshal(teams)
	if err != nil {
		return ""
	}
	return string(b)
}

func teamsOf(s string) []postmortem.Team {
	var teams []postmortem.Team
	if s != "" {
		_ = json.Unmarshal([]byte(s), &teams) // a record without teams matches no team's lists
	}
	return teams
}
