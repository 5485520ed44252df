package lifecycle

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// OverdueLabel marks a postmortem pull request past its due time.
const OverdueLabel = "overdue"

// Reminders remind the reviewers of postmortems not merged by their due time: while the postmortem's pull
// request is open past its due time, it mentions the reviewers in a comment, labels the pull request
// overdue, and schedules the next reminder; once the pull request is merged or closed, the reminders stop.
type Reminders struct {
	store     *redisstore.Store
	scheduler postmortem.ReminderScheduler
	gh        postmortem.GitHub
	every     time.Duration // the time between reminders
	logger    *slog.Logger
	now       func() time.Time
	reminded  prometheus.Counter // the reminders sent
}

// Run sends the reminder of incidentID's postmortem scheduled at at, unless it is not the current one.
func (h *Reminders) Run(ctx context.Context, incidentID string, at time.Time) error {
	log := logger(ctx, h.logger).With("incident_id", incidentID, "task", "postmortem:reminder")
	rec, ok, err := h.store.LoadRecord(ctx, incidentID)
	if err != nil {
		return err
	}
	if !ok || rec.PullNumber == 0 {
		log.Warn("reminder for a postmortem Hindsight has no record of; dropped")
		return nil
	}
	if rec.ReminderAt != at.Unix() {
		log.Info("reminder of an older schedule; dropped")
		return nil
	}
	pr, found, err := h.gh.FindPullRequest(ctx, rec.Repo, rec.Branch)
	if err != nil {
		return err
	}
	if !found || !pr.Open {
		log.Info("postmortem merged or closed: reminders stop")
		return nil
	}
	now := h.now
	body := reminderBody(rec, pr, now())
	marker := postmortem.ReminderMarker(incidentID, at.Unix())
	if err := h.gh.CommentOnce(ctx, rec.Repo, rec.PullNumber, marker, body); err != nil {
		return fmt.Errorf("remind reviewers of #%d: %w", rec.PullNumber, err)
	}
	if err := h.gh.AddLabels(ctx, rec.Repo, rec.PullNumber, OverdueLabel); err != nil {
		return err
	}
	h.reminded.Inc()
	next := now().Add(h.every).Truncate(time.Second)
	log.Info("postmortem overdue: reviewers reminded", "pull_request", pr.URL, "next", next)
	if err := h.scheduler.ScheduleReminder(ctx, incidentID, next); err != nil {
		return err
	}
	// Only once the next reminder is scheduled does it become the current one: a retry before then finds
	// this one still current, and its comment already made.
	return h.store.SetReminderAt(ctx, incidentID, next.Unix())
}

// reminderBody is the reminder's comment: how overdue the postmortem is, to its reviewers but its author.
func reminderBody(rec redisstore.Record, pr postmortem.PullRequest, now time.Time) string {
	var mentions []string
	for _, r := range rec.ReviewerLogins() {
		if r != pr.Author {
			mentions = append(mentions, "@"+r)
		}
	}
	due := time.Unix(rec.Due, 0)
	return fmt.Sprintf("This postmortem was due %s and is not merged yet (overdue by %s). %s please review it, fill in what is marked TBD, and merge it.",
		postmortem.FormatTime(due), postmortem.FormatDuration(now.Sub(due).Truncate(time.Minute)), strings.Join(mentions, " "))
}
