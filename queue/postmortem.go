package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
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

// Refresher updates a published postmortem when its incident is resolved again.
type Refresher interface {
	// UpdateFile commits content on branch of repo ("" for the configured one) if the file there is still
	// the blob expected; it wraps postmortem.ErrFileEdited otherwise.
	UpdateFile(ctx context.Context, repo, branch, path, content, message, expected string) error
	// CommentOnce comments on the pull request unless a comment holding marker exists.
	CommentOnce(ctx context.Context, repo string, number int, marker, body string) error
}

// EmailFiller gives an incident's user references their emails (see redisstore.UserDirectory).
type EmailFiller interface {
	FillEmails(ctx context.Context, inc *postmortem.Incident) error
}

// Composer outlines a draft from an incident, then renders it with its action items linked to the issues
// given by item key.
type Composer interface {
	Outline(inc postmortem.Incident, d postmortem.Decision) postmortem.Outline
	Render(o postmortem.Outline, issues map[string]int) (postmortem.Draft, error)
}

// PostmortemHandler runs the pipeline of TypePostmortem tasks: policy, fetch, compose, publish, back-link.
type PostmortemHandler struct {
	Store  *redisstore.Store
	Locker *redisstore.Locker
	// Source is nil when Hindsight has no PagerDuty token: the incident is then built from its stored
	// webhook events alone. Notes is nil likewise, and no back-link is written.
	Source IncidentSource
	Notes  NoteWriter
	// Users is nil unless `people` has keys by email: it then looks up the incident's users' emails.
	Users       EmailFiller
	DecodeEvent func(raw []byte) (postmortem.Event, error)
	// FromEvents builds an incident from its webhook events; ok is false when none describes it.
	FromEvents func(events []postmortem.Event) (postmortem.Incident, bool)
	Policy     postmortem.Policy
	Composer   Composer
	Publisher  Publisher
	// Issues is nil in dry-run mode: action items then stay in the draft.
	Issues IssueTracker
	// DefaultRepo is the configured repository, "owner/name", where drafts without a route go.
	DefaultRepo string
	// Reminders is nil when no reminder should be scheduled.
	Reminders ReminderScheduler
	// Refresher is nil in dry-run mode; then a postmortem is written once and never updated.
	Refresher Refresher
	// BlobSHA names file content as git does, to recognise the file Hindsight wrote.
	BlobSHA func(content string) string
	// BackLink is false in dry-run mode, where there is no pull request to link to.
	BackLink bool
	Metrics  *Metrics
	Logger   *slog.Logger
}

// firstReminderGrace is how long reviewers have before the first reminder of a postmortem opened after its
// due time.
const firstReminderGrace = 24 * time.Hour

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
	taskID, _ := asynq.GetTaskID(ctx)
	if taskID != "" {
		log = log.With("task_id", taskID)
	}
	lease, err := h.Locker.Lock(ctx, "postmortem:"+p.IncidentID)
	if err != nil {
		return err
	}
	defer lease.Release()

	outcome, err := h.run(lease.Context(), log, p.IncidentID, lease)
	if errors.Is(context.Cause(lease.Context()), redisstore.ErrLockLost) {
		// Another attempt holds the incident now: whatever failed here failed for that reason.
		outcome, err = "error", fmt.Errorf("postmortem of %s: %w", p.IncidentID, redisstore.ErrLockLost)
	}
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
// Before each step that writes to GitHub or PagerDuty it checks that it still holds the lock.
func (h *PostmortemHandler) run(ctx context.Context, log *slog.Logger, incidentID string, lease *redisstore.Lease) (string, error) {
	inc, err := h.incident(ctx, incidentID)
	if err != nil {
		return "error", err
	}
	decision := h.Policy.Decide(inc)
	if !decision.Required {
		log.Info("no postmortem required", "reason", decision.Reason, "priority", inc.Priority, "urgency", inc.Urgency)
		return "skipped", nil
	}
	outline := h.Composer.Outline(inc, decision)
	repo := outline.Repo
	if repo == "" {
		repo = h.DefaultRepo
	}
	rec := redisstore.Record{IncidentID: incidentID, Repo: repo, Branch: outline.Branch, Path: outline.Path,
		IncidentTitle: inc.Title, IncidentNumber: inc.Number, IncidentURL: inc.URL, Priority: inc.Priority,
		Urgency: inc.Urgency, ServiceID: inc.Service.ID, ServiceName: inc.Service.Name, Teams: teamsJSON(inc.Teams), Owner: outline.Assignee,
		Reviewers: strings.Join(outline.Reviewers, ","), Due: outline.Due.Unix(), LastEntryAt: outline.LastEntryAt().Unix()}

	if err := lease.Check(ctx); err != nil {
		return "error", err
	}
	issues, err := h.fileActionItems(ctx, rec, outline.Draft)
	if err != nil {
		return "error", err
	}
	draft, err := h.Composer.Render(outline, issueNumbers(issues))
	if err != nil {
		return "error", fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	if err := lease.Check(ctx); err != nil {
		return "error", err
	}
	pr, err := h.Publisher.Publish(ctx, draft)
	if err != nil {
		return "error", fmt.Errorf("publish postmortem of %s: %w", incidentID, err)
	}
	log = log.With("pull_request", pr.URL)
	for login, reason := range pr.SkippedReviewers {
		log.Warn("reviewer not requested", "login", login, "reason", reason)
	}
	rec.PullURL, rec.PullNumber = pr.URL, pr.Number
	if h.BlobSHA != nil {
		rec.BlobSHA = h.BlobSHA(draft.Content)
	}
	prev, hadPrev, err := h.Store.LoadRecord(ctx, incidentID)
	if err != nil {
		return "error", err
	}
	if hadPrev && prev.PullURL == pr.URL {
		rec.Linked = prev.Linked
		if !pr.Created {
			if err := lease.Check(ctx); err != nil {
				return "error", err
			}
			if err := h.refresh(ctx, log, draft, pr, prev, &rec); err != nil {
				return "error", err
			}
		}
	}
	if h.BackLink && h.Notes != nil && pr.URL != "" && !rec.Linked {
		if err := lease.Check(ctx); err != nil {
			return "error", err
		}
		if err := h.backLink(ctx, inc, pr); err != nil {
			return "error", err
		}
		rec.Linked = true
	}
	if hadPrev {
		rec.ReminderAt = prev.ReminderAt
	}
	if err := h.scheduleReminders(ctx, pr, prev, &rec); err != nil {
		return "error", err
	}
	if err := h.Store.SaveRecord(ctx, rec); err != nil {
		return "error", err
	}
	if issues != nil {
		if err := lease.Check(ctx); err != nil {
			return "error", err
		}
		if err := (followUps{h.Store, h.Issues}).track(ctx, log, rec, draft.ActionItems, issues); err != nil {
			return "error", err
		}
	}
	switch {
	case pr.URL == "":
		log.Info("postmortem draft written (dry run: no GitHub credentials)", "reason", decision.Reason)
		return "dry-run", nil
	case pr.Created:
		log.Info("postmortem pull request opened", "reason", decision.Reason)
		return "published", nil
	}
	log.Info("postmortem pull request already open")
	return "existing", nil
}

// fileActionItems turns the action items noted during the incident into issues before the pull request
// opens, so that the draft, rendered after, links them in its first commit. It returns nil when there is
// nothing to file.
func (h *PostmortemHandler) fileActionItems(ctx context.Context, rec redisstore.Record, outline postmortem.Draft) (map[string]postmortem.Issue, error) {
	if h.Issues == nil || len(outline.ActionItems) == 0 {
		return nil, nil
	}
	// The pull request does not exist yet: the issues link the postmortem's file on its branch, and the
	// pull request, which lists them, links them back.
	fileURL, err := h.Issues.FileURL(ctx, rec.Repo, outline.Branch, outline.Path)
	if err != nil {
		return nil, err
	}
	return (followUps{h.Store, h.Issues}).ensure(ctx, rec, fileURL, outline.ActionItems)
}

// issueNumbers maps each action item's key to its issue's number.
func issueNumbers(issues map[string]postmortem.Issue) map[string]int {
	links := make(map[string]int, len(issues))
	for key, is := range issues {
		links[key] = is.Number
	}
	return links
}

// scheduleReminders starts the reminders of an open postmortem, once: again only when its due time moved
// (the incident was resolved again). rec.ReminderAt names the one reminder that is current; a reminder of
// an older schedule finds it changed and drops itself.
func (h *PostmortemHandler) scheduleReminders(ctx context.Context, pr postmortem.PullRequest, prev redisstore.Record, rec *redisstore.Record) error {
	if h.Reminders == nil || pr.URL == "" || !pr.Open || (rec.ReminderAt != 0 && prev.Due == rec.Due) {
		return nil
	}
	// A postmortem of an incident resolved long ago (a replay) is overdue at once: its reviewers get a day
	// before the first reminder.
	at := time.Unix(rec.Due, 0)
	if now := time.Now(); at.Before(now) {
		at = now.Add(firstReminderGrace)
	}
	if err := h.Reminders.ScheduleReminder(ctx, rec.IncidentID, at); err != nil {
		return err
	}
	rec.ReminderAt = at.Unix()
	return nil
}

// refresh brings an existing postmortem up to date after the incident was resolved again (reopened, or a
// late event): it commits the regenerated file when the file is still the one Hindsight wrote, and when
// people have edited it, it leaves their work alone and comments with the new timeline entries instead.
func (h *PostmortemHandler) refresh(ctx context.Context, log *slog.Logger, draft postmortem.Draft, pr postmortem.PullRequest, prev redisstore.Record, rec *redisstore.Record) error {
	rec.Path = prev.Path // the title, and so the file name, may have changed since
	if h.Refresher == nil || !pr.Open || prev.BlobSHA == "" || prev.BlobSHA == rec.BlobSHA {
		rec.BlobSHA, rec.LastEntryAt = prev.BlobSHA, max(prev.LastEntryAt, rec.LastEntryAt)
		return nil
	}
	message := "Update postmortem: the incident was resolved again\n\nRegenerated from PagerDuty incident " + draft.IncidentID + "."
	err := h.Refresher.UpdateFile(ctx, draft.Repo, draft.Branch, prev.Path, draft.Content, message, prev.BlobSHA)
	switch {
	case err == nil:
		log.Info("postmortem updated with the new timeline")
		return nil
	case errors.Is(err, postmortem.ErrFileEdited):
		// Their file stays as it is, and is still the one to compare against.
		rec.BlobSHA = prev.BlobSHA
		body, news := draft.UpdateComment(time.Unix(prev.LastEntryAt, 0))
		if !news {
			return nil
		}
		marker := postmortem.UpdateMarker(draft.IncidentID, rec.LastEntryAt)
		if err := h.Refresher.CommentOnce(ctx, draft.Repo, pr.Number, marker, body); err != nil {
			return fmt.Errorf("comment new timeline entries on #%d: %w", pr.Number, err)
		}
		log.Info("postmortem edited by people: new timeline entries commented, file left alone")
		return nil
	default:
		return fmt.Errorf("update postmortem of %s: %w", draft.IncidentID, err)
	}
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
	if h.Users != nil {
		if err := h.Users.FillEmails(ctx, &inc); err != nil {
			return postmortem.Incident{}, err
		}
	}
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
	content := postmortem.BackLinkNote(pr.URL)
	if _, err := h.Notes.AddNote(ctx, inc.ID, content); err != nil {
		return fmt.Errorf("add back-link note to %s: %w", inc.ID, err)
	}
	return nil
}
