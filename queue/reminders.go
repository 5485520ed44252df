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
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// TypeReminder reminds the reviewers of a postmortem that is not merged by its due time.
const TypeReminder = "postmortem:reminder"

// OverdueLabel marks a postmortem pull request past its due time.
const OverdueLabel = "overdue"

// ReminderScheduler schedules reminders.
type ReminderScheduler interface {
	ScheduleReminder(ctx context.Context, incidentID string, at time.Time) error
}

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

// ReminderGitHub is what reminders need of GitHub.
type ReminderGitHub interface {
	FindPullRequest(ctx context.Context, repo, branch string) (postmortem.PullRequest, bool, error)
	AddLabels(ctx context.Context, repo string, number int, labels ...string) error
	CommentOnce(ctx context.Context, repo string, number int, marker, body string) error
}

// ReminderHandler runs TypeReminder tasks: while the postmortem's pull request is open past its due time,
// it mentions the reviewers in a comment, labels the pull request overdue, and schedules the next reminder;
// once the pull request is merged or closed, the reminders stop.
type ReminderHandler struct {
	Store     *redisstore.Store
	Scheduler ReminderScheduler
	GitHub    ReminderGitHub
	// Every is the time between reminders.
	Every  time.Duration
	Logger *slog.Logger
	Now    func() time.Time
	// Reminded counts the reminders sent; nil counts nothing.
	Reminded prometheus.Counter
}

// ProcessTask implements asynq.Handler.
func (h *ReminderHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p reminderPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.IncidentID == "" {
		return fmt.Errorf("decode %s task: bad payload: %w", TypeReminder, errors.Join(err, asynq.SkipRetry))
	}
	log := h.Logger.With("incident_id", p.IncidentID, "task", TypeReminder)
	rec, ok, err := h.Store.LoadRecord(ctx, p.IncidentID)
	if err != nil {
		return err
	}
	if !ok || rec.PullNumber == 0 {
		log.Warn("reminder for a postmortem Hindsight has no record of; dropped")
		return nil
	}
	if rec.ReminderAt != p.At {
		log.Info("reminder of an older schedule; dropped")
		return nil
	}
	pr, found, err := h.GitHub.FindPullRequest(ctx, rec.Repo, rec.Branch)
	if err != nil {
		return err
	}
	if !found || !pr.Open {
		log.Info("postmortem merged or closed: reminders stop")
		return nil
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	var mentions []string
	for _, r := range strings.Split(rec.Reviewers, ",") {
		if r = strings.TrimSpace(r); r != "" && r != pr.Author {
			mentions = append(mentions, "@"+r)
		}
	}
	due := time.Unix(rec.Due, 0)
	body := fmt.Sprintf("This postmortem was due %s and is not merged yet (overdue by %s). %s please review it, fill in what is marked TBD, and merge it.",
		postmortem.FormatTime(due), postmortem.FormatDuration(now().Sub(due).Truncate(time.Minute)), strings.Join(mentions, " "))
	marker := postmortem.ReminderMarker(p.IncidentID, p.At)
	if err := h.GitHub.CommentOnce(ctx, rec.Repo, rec.PullNumber, marker, body); err != nil {
		return fmt.Errorf("remind reviewers of #%d: %w", rec.PullNumber, err)
	}
	if err := h.GitHub.AddLabels(ctx, rec.Repo, rec.PullNumber, OverdueLabel); err != nil {
		return err
	}
	if h.Reminded != nil {
		h.Reminded.Inc()
	}
	next := now().Add(h.Every).Truncate(time.Second)
	log.Info("postmortem overdue: reviewers reminded", "pull_request", pr.URL, "next", next)
	if err := h.Scheduler.ScheduleReminder(ctx, p.IncidentID, next); err != nil {
		return err
	}
	// Only once the next reminder is scheduled does it become the current one: a retry before then finds
	// this one still current, and its comment already made.
	return h.Store.SetReminderAt(ctx, p.IncidentID, next.Unix())
}
