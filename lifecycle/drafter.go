package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// Drafter runs the postmortem pipeline of a resolved incident: policy, fetch, compose, publish, back-link.
type Drafter struct {
	Store    *redisstore.Store
	Locker   *redisstore.Locker
	Source   postmortem.IncidentSource
	Notes    postmortem.NoteWriter
	Users    postmortem.EmailFiller
	Policy   postmortem.Policy
	Composer postmortem.DraftComposer
	// Rules, when set, gives the policy, composer and change scope of each run instead of Policy, Composer
	// and ChangeScope: the postmortem repository's rules over the service's.
	Rules postmortem.Rules
	// Publisher writes the postmortem: GitHub, or the dry run.
	Publisher postmortem.Publisher
	// FollowUps files the action items as issues: issueFollowUps, or none in a dry run.
	FollowUps followUpper
	// DefaultRepo is the configured repository, "owner/name", where drafts without a route go.
	DefaultRepo string
	Reminders   postmortem.ReminderScheduler
	// Changes read the changes made around the incident, where ChangeScope says.
	Changes     []postmortem.ChangeReader
	ChangeScope postmortem.ChangeScope
	Metrics     *Metrics
	Logger      *slog.Logger
}

// firstReminderGrace is how long reviewers have before the first reminder of a postmortem opened after its
// due time.
const firstReminderGrace = 24 * time.Hour

// Run makes the postmortem of incidentID under the incident's lock. Its errors wrap redisstore.ErrLocked
// when another run holds the incident, and postmortem.ErrPermanent when no retry can mend them.
func (h *Drafter) Run(ctx context.Context, incidentID string) error {
	log := logger(ctx, h.Logger).With("incident_id", incidentID)
	lease, err := h.Locker.Lock(ctx, "postmortem:"+incidentID)
	if err != nil {
		return err
	}
	defer lease.Release()

	outcome, err := h.run(lease.Context(), log, incidentID, lease)
	if errors.Is(context.Cause(lease.Context()), redisstore.ErrLockLost) {
		// Another attempt holds the incident now: whatever failed here failed for that reason.
		outcome, err = "error", fmt.Errorf("postmortem of %s: %w", incidentID, redisstore.ErrLockLost)
	}
	h.Metrics.observePipeline(outcome, err)
	if err != nil {
		log.Error("postmortem pipeline failed", "error", err)
		return err
	}
	return nil
}

// run does the work under the incident's lock. Every step is find-before-create, so a retry after a
// failure anywhere ends with one branch, one pull request and one back-link note.
// Before each step that writes to GitHub or PagerDuty it checks that it still holds the lock.
func (h *Drafter) run(ctx context.Context, log *slog.Logger, incidentID string, lease *redisstore.Lease) (string, error) {
	inc, err := h.incident(ctx, incidentID)
	if err != nil {
		return "error", err
	}
	policy, composer, scope := h.Policy, h.Composer, h.ChangeScope
	if h.Rules != nil {
		r := h.Rules.Rules(ctx)
		policy, composer, scope = r.Policy, r.Composer, r.ChangeScope
	}
	decision := policy.Decide(inc)
	if !decision.Required {
		log.Info("no postmortem required", "reason", decision.Reason, "priority", inc.Priority, "urgency", inc.Urgency)
		return "skipped", nil
	}
	inc.Changes = ReadChanges(ctx, scope.Query(inc), h.Changes...)
	outline := composer.Outline(inc, decision)
	// The timeline holds what the log entries say: a giant incident's entries are let go before rendering.
	inc.LogEntries = nil
	rec := h.record(incidentID, inc, outline)
	if err := lease.Check(ctx); err != nil {
		return "error", err
	}
	issues, err := h.FollowUps.fileDraft(ctx, rec, outline.Draft)
	if err != nil {
		return "error", err
	}
	draft, err := composer.Render(outline, issueNumbers(issues))
	if err != nil {
		return "error", fmt.Errorf("%w: %w", err, postmortem.ErrPermanent)
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
	rec.PullURL, rec.PullNumber, rec.BlobSHA = pr.URL, pr.Number, h.Publisher.BlobSHA(draft.Content)
	if err := h.settle(ctx, log, lease, inc, draft, pr, &rec); err != nil {
		return "error", err
	}
	if issues != nil {
		if err := lease.Check(ctx); err != nil {
			return "error", err
		}
		if err := h.FollowUps.track(ctx, log, rec, draft.ActionItems, issues); err != nil {
			return "error", err
		}
	}
	return outcome(log, pr, decision), nil
}

// record is what Hindsight keeps of the postmortem of inc, before it is published.
func (h *Drafter) record(incidentID string, inc postmortem.Incident, outline postmortem.Outline) redisstore.Record {
	repo := outline.Repo
	if repo == "" {
		repo = h.DefaultRepo
	}
	rec := redisstore.Record{IncidentID: incidentID, Repo: repo, Branch: outline.Branch, Path: outline.Path,
		IncidentTitle: inc.Title, IncidentNumber: inc.Number, IncidentURL: inc.URL, Priority: inc.Priority,
		Reviewers: strings.Join(outline.Reviewers, ","), Due: outline.Due.Unix(), LastEntryAt: outline.LastEntryAt().Unix(),
		Service: inc.Service.Name, Owner: outline.Assignee,
		Urgency: inc.Urgency, ServiceID: inc.Service.ID, ServiceName: inc.Service.Name, Teams: teamsJSON(inc.Teams)}
	if rec.Service == "" {
		rec.Service = inc.Service.ID
	}
	facts := outline.Facts()
	rec.TriggeredAt, rec.AcknowledgedAt, rec.ResolvedAt = unixOrZero(facts.Detected.At), unixOrZero(facts.Acknowledged.At), unixOrZero(facts.Resolved.At)
	return rec
}

// unixOrZero is t in Unix seconds, 0 when t is unknown.
func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// settle follows up a publication: it carries the earlier record's state over, refreshes a postmortem
// published before, back-links the incident, schedules the reminders and saves the record.
func (h *Drafter) settle(ctx context.Context, log *slog.Logger, lease *redisstore.Lease, inc postmortem.Incident,
	draft postmortem.Draft, pr postmortem.PullRequest, rec *redisstore.Record) error {
	prev, hadPrev, err := h.Store.LoadRecord(ctx, rec.IncidentID)
	if err != nil {
		return err
	}
	if hadPrev && prev.PullURL == pr.URL {
		rec.Linked = prev.Linked
		if !pr.Created {
			if err := lease.Check(ctx); err != nil {
				return err
			}
			if err := h.refresh(ctx, log, draft, pr, prev, rec); err != nil {
				return err
			}
		}
	}
	// A dry run has no pull request to link to.
	if pr.URL != "" && !rec.Linked {
		if err := lease.Check(ctx); err != nil {
			return err
		}
		switch err := h.backLink(ctx, inc, pr); {
		case errors.Is(err, postmortem.ErrNoteNotWritten):
			// No token: the record stays unlinked, so a run after a token is set adds the note.
		case err != nil:
			return err
		default:
			rec.Linked = true
		}
	}
	if hadPrev {
		rec.ReminderAt = prev.ReminderAt
	}
	if err := h.pullOpened(ctx, pr, prev, hadPrev, rec); err != nil {
		return err
	}
	if err := h.scheduleReminders(ctx, pr, prev, rec); err != nil {
		return err
	}
	return h.Store.SaveRecord(ctx, *rec)
}

// pullOpened dates the pull request's opening: when Hindsight first found it. A pull request other than the
// one recorded (the recorded one was closed, and a new one opened) starts its life afresh.
func (h *Drafter) pullOpened(ctx context.Context, pr postmortem.PullRequest, prev redisstore.Record, hadPrev bool, rec *redisstore.Record) error {
	if pr.URL == "" {
		return nil
	}
	if hadPrev && prev.PullURL == pr.URL {
		rec.OpenedAt = prev.OpenedAt
	} else if hadPrev && (prev.MergedAt != 0 || prev.ClosedAt != 0) {
		if err := h.Store.SetPullState(ctx, rec.IncidentID, time.Time{}, time.Time{}); err != nil {
			return err
		}
	}
	if rec.OpenedAt == 0 {
		rec.OpenedAt = time.Now().Unix()
	}
	return nil
}

// outcome logs what the run did and names it for the pipeline metric.
func outcome(log *slog.Logger, pr postmortem.PullRequest, decision postmortem.Decision) string {
	switch {
	case pr.URL == "":
		log.Info("postmortem draft written (dry run: no GitHub credentials)", "reason", decision.Reason)
		return "dry-run"
	case pr.Created:
		log.Info("postmortem pull request opened", "reason", decision.Reason)
		return "published"
	}
	log.Info("postmortem pull request already open")
	return "existing"
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
func (h *Drafter) scheduleReminders(ctx context.Context, pr postmortem.PullRequest, prev redisstore.Record, rec *redisstore.Record) error {
	if pr.URL == "" || !pr.Open || (rec.ReminderAt != 0 && prev.Due == rec.Due) {
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
func (h *Drafter) refresh(ctx context.Context, log *slog.Logger, draft postmortem.Draft, pr postmortem.PullRequest, prev redisstore.Record, rec *redisstore.Record) error {
	rec.Path = prev.Path // the title, and so the file name, may have changed since
	if !pr.Open || prev.BlobSHA == "" || prev.BlobSHA == rec.BlobSHA {
		rec.BlobSHA, rec.LastEntryAt = prev.BlobSHA, max(prev.LastEntryAt, rec.LastEntryAt)
		return nil
	}
	message := "Update postmortem: the incident was resolved again\n\nRegenerated from PagerDuty incident " + draft.IncidentID + "."
	err := h.Publisher.UpdateFile(ctx, draft.Repo, draft.Branch, prev.Path, draft.Content, message, prev.BlobSHA)
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
		if err := h.Publisher.CommentOnce(ctx, draft.Repo, pr.Number, marker, body); err != nil {
			return fmt.Errorf("comment new timeline entries on #%d: %w", pr.Number, err)
		}
		log.Info("postmortem edited by people: new timeline entries commented, file left alone")
		return nil
	default:
		return fmt.Errorf("update postmortem of %s: %w", draft.IncidentID, err)
	}
}

// storedEvents decodes the webhook events stored for an incident, in no particular order. A stored event was
// verified and decoded once; one that no longer decodes is reported, not fatal.
func storedEvents(ctx context.Context, store *redisstore.Store, source postmortem.IncidentSource, log *slog.Logger, incidentID string) ([]postmortem.Event, error) {
	raws, err := store.Events(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	events := make([]postmortem.Event, 0, len(raws))
	for _, raw := range raws {
		ev, err := source.DecodeEvent(raw)
		if err != nil {
			log.Warn("stored event does not decode", "error", err)
			continue
		}
		events = append(events, ev)
	}
	return events, nil
}

// incident reads the incident with its stored webhook events, and its users' emails.
func (h *Drafter) incident(ctx context.Context, incidentID string) (postmortem.Incident, error) {
	events, err := storedEvents(ctx, h.Store, h.Source, h.Logger.With("incident_id", incidentID), incidentID)
	if err != nil {
		return postmortem.Incident{}, err
	}
	slices.SortFunc(events, func(a, b postmortem.Event) int { return a.At.Compare(b.At) })
	inc, err := h.Source.Incident(ctx, incidentID, events)
	if err != nil {
		return postmortem.Incident{}, err
	}
	if err := h.Users.FillEmails(ctx, &inc); err != nil {
		return postmortem.Incident{}, err
	}
	return inc, nil
}

// backLink adds a note with the pull request's URL to the incident, unless one is there already (a note
// added by an earlier attempt that failed before recording it).
func (h *Drafter) backLink(ctx context.Context, inc postmortem.Incident, pr postmortem.PullRequest) error {
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
