package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/hibiken/asynq"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// IncidentSource reads an incident, its log entries and its notes from PagerDuty.
type IncidentSource interface {
	Incident(ctx context.Context, incidentID string) (postmortem.Incident, error)
}

// NoteWriter adds a note to a PagerDuty incident.
type NoteWriter interface {
	AddNote(ctx context.Context, incidentID, content string) (postmortem.Note, error)
}

// Publisher opens, or finds, the pull request of a draft. It must be idempotent.
type Publisher interface {
	Publish(ctx context.Context, d postmortem.Draft) (postmortem.PullRequest, error)
}

// Composer renders a draft from an incident.
type Composer interface {
	Compose(inc postmortem.Incident, d postmortem.Decision) (postmortem.Draft, error)
}

// PostmortemHandler runs the pipeline of TypePostmortem tasks: policy, fetch, compose, publish, back-link.
type PostmortemHandler struct {
	Store  *Store
	Locker *Locker
	// Source is nil when Hindsight has no PagerDuty token: the incident is then built from its stored
	// webhook events alone. Notes is nil likewise, and no back-link is written.
	Source      IncidentSource
	Notes       NoteWriter
	DecodeEvent func(raw []byte) (postmortem.Event, error)
	// FromEvents builds an incident from its webhook events; ok is false when none describes it.
	FromEvents func(events []postmortem.Event) (postmortem.Incident, bool)
	Policy     postmortem.Policy
	Composer   Composer
	Publisher  Publisher
	// BackLink is false in dry-run mode, where there is no pull request to link to.
	BackLink bool
	Metrics  *Metrics
	Logger   *slog.Logger
}

// ErrPermanent is wrapped by dependencies' errors that no retry can mend (an incident PagerDuty does not
// know, a base branch that does not exist): the task is archived at once instead of retried.
var ErrPermanent = errors.New("permanent failure")

// ProcessTask implements asynq.Handler.
func (h *PostmortemHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p PostmortemPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.IncidentID == "" {
		return fmt.Errorf("decode %s task: bad payload: %w", TypePostmortem, errors.Join(err, asynq.SkipRetry))
	}
	log := h.Logger.With("incident_id", p.IncidentID, "event_id", p.EventID)
	if id, ok := asynq.GetTaskID(ctx); ok {
		log = log.With("task_id", id)
	}
	unlock, err := h.Locker.Lock(ctx, "postmortem:"+p.IncidentID)
	if err != nil {
		return err
	}
	defer unlock()

	outcome, err := h.run(ctx, log, p.IncidentID)
	h.Metrics.observePipeline(outcome, err)
	if errors.Is(err, ErrPermanent) {
		err = fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	if err != nil {
		log.Error("postmortem pipeline failed", "error", err)
		return err
	}
	return nil
}

// run does the work under the incident's lock. Every step is find-before-create, so a retry after a
// failure anywhere ends with one branch, one pull request and one back-link note.
func (h *PostmortemHandler) run(ctx context.Context, log *slog.Logger, incidentID string) (string, error) {
	inc, err := h.incident(ctx, incidentID)
	if err != nil {
		return "error", err
	}
	decision := h.Policy.Decide(inc)
	if !decision.Required {
		log.Info("no postmortem required", "reason", decision.Reason, "priority", inc.Priority, "urgency", inc.Urgency)
		return "skipped", nil
	}
	draft, err := h.Composer.Compose(inc, decision)
	if err != nil {
		return "error", fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	pr, err := h.Publisher.Publish(ctx, draft)
	if err != nil {
		return "error", fmt.Errorf("publish postmortem of %s: %w", incidentID, err)
	}
	log = log.With("pull_request", pr.URL)
	for login, reason := range pr.SkippedReviewers {
		log.Warn("reviewer not requested", "login", login, "reason", reason)
	}
	rec := Record{IncidentID: incidentID, PullURL: pr.URL, PullNumber: pr.Number, Branch: draft.Branch, Path: draft.Path}
	if prev, ok, err := h.Store.LoadRecord(ctx, incidentID); err == nil && ok {
		rec.Linked = prev.Linked && prev.PullURL == pr.URL
	}
	if h.BackLink && h.Notes != nil && pr.URL != "" && !rec.Linked {
		if err := h.backLink(ctx, inc, pr); err != nil {
			return "error", err
		}
		rec.Linked = true
	}
	if err := h.Store.SaveRecord(ctx, rec); err != nil {
		return "error", err
	}
	if pr.Created {
		log.Info("postmortem pull request opened", "reason", decision.Reason)
		return "published", nil
	}
	log.Info("postmortem pull request already open")
	return "existing", nil
}

func (h *PostmortemHandler) incident(ctx context.Context, incidentID string) (postmortem.Incident, error) {
	raws, err := h.Store.Events(ctx, incidentID)
	if err != nil {
		return postmortem.Incident{}, err
	}
	events := make([]postmortem.Event, 0, len(raws))
	for _, raw := range raws {
		ev, err := h.DecodeEvent(raw)
		if err != nil {
			// A stored event was verified and decoded once; one that no longer decodes is reported, not fatal.
			h.Logger.Warn("stored event does not decode", "incident_id", incidentID, "error", err)
			continue
		}
		events = append(events, ev)
	}
	slices.SortFunc(events, func(a, b postmortem.Event) int { return a.At.Compare(b.At) })
	if h.Source == nil {
		inc, ok := h.FromEvents(events)
		if !ok {
			return postmortem.Incident{}, fmt.Errorf("incident %s: no stored event describes it and no PagerDuty token is set: %w", incidentID, asynq.SkipRetry)
		}
		return inc, nil
	}
	inc, err := h.Source.Incident(ctx, incidentID)
	if err != nil {
		return postmortem.Incident{}, err
	}
	inc.Events = events
	return inc, nil
}

// backLink adds a note with the pull request's URL to the incident, unless one is there already (a note
// added by an earlier attempt that failed before recording it).
func (h *PostmortemHandler) backLink(ctx context.Context, inc postmortem.Incident, pr postmortem.PullRequest) error {
	for _, n := range inc.Notes {
		if strings.Contains(n.Content, pr.URL) {
			return nil
		}
	}
	content := BackLinkNote(pr.URL)
	if _, err := h.Notes.AddNote(ctx, inc.ID, content); err != nil {
		return fmt.Errorf("add back-link note to %s: %w", inc.ID, err)
	}
	return nil
}

// BackLinkNote is the note Hindsight adds to an incident once its postmortem pull request is open.
func BackLinkNote(url string) string {
	return "Postmortem draft for review: " + url
}
