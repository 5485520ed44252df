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
	"github.com/hindsight-dev/hindsight/redisstore"
)

// GitHubAPI is what the GitHub jobs need of GitHub, besides keeping issues.
type GitHubAPI interface {
	IssueTracker
	File(ctx context.Context, repo, ref, path string) (string, bool, error)
	SetStatus(ctx context.Context, repo, sha, state, description, targetURL string) error
	UpsertComment(ctx context.Context, repo string, number int, marker, body string) (string, error)
	// Permission is login's permission on repo: "admin", "write", "read" or "none".
	Permission(ctx context.Context, repo, login string) (string, error)
	// OwnIssue reads an issue again; ours is false unless Hindsight's own identity opened it.
	OwnIssue(ctx context.Context, repo string, number int) (body string, open, ours bool, err error)
}

// CheckRunner reports a postmortem's check as a check run with annotations on its lines, on a commit SHA or
// on the head of a branch. Only a GitHub App may create check runs: ChecksEnabled says whether the
// credentials of repo are an App's.
type CheckRunner interface {
	ChecksEnabled(repo string) bool
	CheckRun(ctx context.Context, repo, sha, path string, findings []postmortem.Finding, fileMissing bool) (string, error)
}

// GitHubJobs runs the tasks of GitHub events on postmortem pull requests and action item issues.
type GitHubJobs struct {
	Store  *redisstore.Store
	GitHub GitHubAPI
	// Lint checks a postmortem's text; nil skips the check.
	Lint func(markdown string) []postmortem.Finding
	// Repos are the repositories Hindsight publishes to ("owner/name"): events from any other are ignored.
	Repos   []string
	Metrics *Metrics
	// MaxActionItems caps the issues one postmortem opens; 0 for postmortem.DefaultMaxActionItems.
	MaxActionItems int
	// Mail, when set, gets the mails of every merged postmortem and customer version.
	Mail   MailEnqueuer
	Logger *slog.Logger
}

// ProcessTask implements asynq.Handler for TypePullRequest, TypeActionItem and TypeCommand.
func (j *GitHubJobs) ProcessTask(ctx context.Context, t *asynq.Task) error {
	switch t.Type() {
	case TypePullRequest:
		d, err := decodeGitHubTask[PullRequestEvent](t)
		if err != nil {
			return err
		}
		log := j.Logger.With("delivery_id", d.DeliveryID, "event", "pull_request", "action", d.Action, "repo", d.Repo, "number", d.Number)
		if !j.publishesTo(log, d.Repo) {
			return nil
		}
		return j.pullRequest(ctx, log, d)
	case TypeActionItem:
		d, err := decodeGitHubTask[IssueEvent](t)
		if err != nil {
			return err
		}
		log := j.Logger.With("delivery_id", d.DeliveryID, "event", "issues", "action", d.Action, "repo", d.Repo, "number", d.Number)
		if !j.publishesTo(log, d.Repo) {
			return nil
		}
		return j.actionItem(ctx, log, d)
	case TypeCommand:
		d, err := decodeGitHubTask[CommentCommand](t)
		if err != nil {
			return err
		}
		log := j.Logger.With("delivery_id", d.DeliveryID, "event", "issue_comment", "repo", d.Repo, "number", d.Number)
		if !j.publishesTo(log, d.Repo) {
			return nil
		}
		return j.command(ctx, log, d)
	}
	return fmt.Errorf("task type %q: %w", t.Type(), asynq.SkipRetry)
}

// decodeGitHubTask decodes the payload of a GitHub task, this version's or an earlier one's. A payload
// that does not decode, or names no repository or number, is archived: no retry would make it better.
func decodeGitHubTask[T PullRequestEvent | IssueEvent | CommentCommand](t *asynq.Task) (T, error) {
	var d T
	if err := json.Unmarshal(t.Payload(), &d); err != nil {
		return d, fmt.Errorf("decode %s task: %w", t.Type(), errors.Join(err, asynq.SkipRetry))
	}
	var repo string
	var number int
	switch d := any(d).(type) {
	case PullRequestEvent:
		repo, number = d.Repo, d.Number
	case IssueEvent:
		repo, number = d.Repo, d.Number
	case CommentCommand:
		repo, number = d.Repo, d.Number
	}
	if repo == "" || number <= 0 {
		return d, fmt.Errorf("decode %s task: the payload names no repository or no number: %w", t.Type(), asynq.SkipRetry)
	}
	return d, nil
}

// publishesTo reports whether repo is one Hindsight publishes to; an event from any other is ignored.
func (j *GitHubJobs) publishesTo(log *slog.Logger, repo string) bool {
	if slices.ContainsFunc(j.Repos, func(r string) bool { return strings.EqualFold(r, repo) }) {
		return true
	}
	j.ignore(log, "not a repository Hindsight publishes to")
	return false
}

// record returns the postmortem record of a pull request: by its branch when known, else by its number.
func (j *GitHubJobs) record(ctx context.Context, repo string, number int, headRef string) (redisstore.Record, bool, error) {
	id, ok := postmortem.IncidentFromBranch(headRef)
	if !ok {
		var err error
		if id, ok, err = j.Store.IncidentOfPull(ctx, repo, number); err != nil || !ok {
			return redisstore.Record{}, false, err
		}
	}
	rec, ok, err := j.Store.LoadRecord(ctx, id)
	if err != nil || !ok || rec.PullNumber != number || !strings.EqualFold(rec.Repo, repo) {
		return redisstore.Record{}, false, err
	}
	return rec, true, nil
}

func (j *GitHubJobs) pullRequest(ctx context.Context, log *slog.Logger, d PullRequestEvent) error {
	rec, ok, err := j.record(ctx, d.Repo, d.Number, d.HeadRef)
	if err != nil {
		return err
	}
	if !ok {
		if d.Action == "closed" && d.Merged {
			return j.otherMerged(ctx, log, d)
		}
		log.Info("not a postmortem Hindsight opened; ignored")
		return nil
	}
	switch {
	case d.Action == "opened" || d.Action == "reopened" || d.Action == "synchronize":
		return j.check(ctx, log, rec, d.HeadSHA)
	case d.Action == "closed" && d.Merged:
		if err := mailMerged(ctx, j.Mail, rec, d.Number, d.HeadSHA); err != nil {
			return err
		}
		// The merged text is the postmortem of record: every action item in it becomes an issue.
		return j.sync(ctx, log, rec, d.HeadSHA)
	}
	return nil
}

// otherMerged mails the customer version merged by a pull request of a postmortem's incident other than
// the postmortem's own: one on a branch named for the incident ("postmortem/ID-…"), or one Hindsight
// recorded under the incident.
func (j *GitHubJobs) otherMerged(ctx context.Context, log *slog.Logger, d PullRequestEvent) error {
	id, ok := incidentOfBranch(d.HeadRef)
	if !ok {
		var err error
		if id, ok, err = j.Store.IncidentOfPull(ctx, d.Repo, d.Number); err != nil {
			return err
		}
	}
	var rec redisstore.Record
	if ok && j.Mail != nil {
		var err error
		if rec, ok, err = j.Store.LoadRecord(ctx, id); err != nil {
			return err
		}
	}
	if !ok || j.Mail == nil || !strings.EqualFold(rec.Repo, d.Repo) {
		log.Info("not a postmortem Hindsight opened; ignored")
		return nil
	}
	return mailMerged(ctx, j.Mail, rec, d.Number, d.HeadSHA)
}

// check runs the blameless and completeness check on the postmortem at sha and reports it: as a
// hindsight/postmortem check run with annotations on the lines under GitHub App credentials, else as the
// hindsight/postmortem commit status, with the findings in one comment kept up to date.
func (j *GitHubJobs) check(ctx context.Context, log *slog.Logger, rec redisstore.Record, sha string) error {
	if j.Lint == nil || sha == "" {
		return nil
	}
	content, ok, err := j.GitHub.File(ctx, rec.Repo, sha, rec.Path)
	if err != nil {
		return err
	}
	if cr, isRunner := j.GitHub.(CheckRunner); isRunner && cr.ChecksEnabled(rec.Repo) {
		var findings []postmortem.Finding
		if ok {
			findings = j.Lint(content)
		}
		url, err := cr.CheckRun(ctx, rec.Repo, sha, rec.Path, findings, !ok)
		if err == nil {
			log.Info("postmortem checked", "findings", len(findings), "check_run", url)
		}
		return err
	}
	if !ok {
		return j.GitHub.SetStatus(ctx, rec.Repo, sha, "failure", "The postmortem file "+rec.Path+" is missing", "")
	}
	findings := j.Lint(content)
	if len(findings) == 0 {
		// A comment listing older findings says they are gone.
		if _, err := j.GitHub.UpsertComment(ctx, rec.Repo, rec.PullNumber, postmortem.LintMarker, "The postmortem is blameless and complete. ✅"); err != nil {
			return err
		}
		return j.GitHub.SetStatus(ctx, rec.Repo, sha, "success", "Blameless and complete", "")
	}
	url, err := j.GitHub.UpsertComment(ctx, rec.Repo, rec.PullNumber, postmortem.LintMarker, postmortem.FindingsMarkdown(rec.Path, findings))
	if err != nil {
		return err
	}
	first := findings[0]
	desc := fmt.Sprintf("%d %s; line %d: %s", len(findings), postmortem.Plural(len(findings), "finding"), first.Line, first.Message)
	state := "failure"
	if !postmortem.Blocking(findings) {
		state = "success" // notices only
	}
	log.Info("postmortem checked", "findings", len(findings), "state", state)
	return j.GitHub.SetStatus(ctx, rec.Repo, sha, state, desc, url)
}

// sync turns every action item of the postmortem at ref into an issue and files them under the tracking
// issue.
func (j *GitHubJobs) sync(ctx context.Context, log *slog.Logger, rec redisstore.Record, ref string) error {
	if ref == "" {
		ref = rec.Branch
	}
	content, ok, err := j.GitHub.File(ctx, rec.Repo, ref, rec.Path)
	if err != nil {
		return err
	}
	if !ok {
		log.Warn("postmortem file not found; action items not synced", "path", rec.Path, "ref", ref)
		return nil
	}
	items, leftOut := postmortem.CapActionItems(postmortem.ParseActionItems(content), j.MaxActionItems)
	if leftOut > 0 {
		log.Warn("action items over the cap left without an issue", "left_out", leftOut, "cap", len(items))
	}
	f := followUps{j.Store, j.GitHub}
	issues, err := f.ensure(ctx, rec, rec.PullURL, items)
	if err != nil {
		return err
	}
	log.Info("action items synced", "items", len(items))
	return f.track(ctx, log, rec, items, issues)
}

// actionItem follows an action item issue that was closed or reopened: its state is recorded, and a
// tracking issue that lists its items as a task list is brought up to date (sub-issues GitHub updates).
func (j *GitHubJobs) actionItem(ctx context.Context, log *slog.Logger, d IssueEvent) error {
	// The webhook's copy says what somebody sent; the issue as GitHub holds it now, and who opened it, is
	// what counts.
	body, open, ours, err := j.GitHub.OwnIssue(ctx, d.Repo, d.Number)
	if err != nil {
		return err
	}
	if !ours {
		j.ignore(log, "issue not opened by Hindsight")
		return nil
	}
	incidentID, ok := postmortem.IsActionItemIssue(body)
	if !ok {
		return nil
	}
	if err := j.Store.SaveActionItem(ctx, redisstore.ActionItemRecord{Repo: d.Repo, Number: d.Number, IncidentID: incidentID, Open: open}); err != nil {
		return err
	}
	tracking, taskList, err := j.Store.Tracking(ctx, incidentID)
	if err != nil || tracking == 0 || !taskList {
		return err
	}
	all, err := j.Store.ActionItems(ctx)
	if err != nil {
		return err
	}
	var children []postmortem.Issue
	for _, a := range all {
		if a.IncidentID == incidentID && strings.EqualFold(a.Repo, d.Repo) {
			children = append(children, postmortem.Issue{Number: a.Number, Open: a.Open})
		}
	}
	log.Info("action item state changed; tracking issue updated", "open", open, "tracking_issue", tracking)
	return j.GitHub.SetTaskList(ctx, d.Repo, tracking, children)
}

// command runs "/hindsight sync" (action items to issues now) and "/hindsight check" (the blameless and
// completeness check now: a check run on the branch's head under App credentials, else the findings
// comment) from a comment on a postmortem pull request.
func (j *GitHubJobs) command(ctx context.Context, log *slog.Logger, c CommentCommand) error {
	fields := strings.Fields(c.Body)
	if len(fields) == 0 || fields[0] != "/hindsight" {
		return nil
	}
	if reason := commandRefusal(c); reason != "" {
		j.ignore(log.With("by", c.Author, "association", c.Association), reason)
		return nil
	}
	rec, ok, err := j.record(ctx, c.Repo, c.Number, "")
	if err != nil || !ok {
		return err
	}
	if c.Association == "" {
		// Without an association in the payload, GitHub is asked.
		permission, err := j.GitHub.Permission(ctx, c.Repo, c.Author)
		if err != nil {
			return err
		}
		if permission != "admin" && permission != "write" {
			j.ignore(log.With("by", c.Author, "permission", permission), "command from someone without write access")
			return nil
		}
	}
	verb := ""
	if len(fields) > 1 {
		verb = fields[1]
	}
	log = log.With("command", verb, "by", c.Author)
	switch verb {
	case "sync":
		return j.sync(ctx, log, rec, rec.Branch)
	case "check":
		content, ok, err := j.GitHub.File(ctx, rec.Repo, rec.Branch, rec.Path)
		if err != nil || !ok || j.Lint == nil {
			return err
		}
		if cr, isRunner := j.GitHub.(CheckRunner); isRunner && cr.ChecksEnabled(rec.Repo) {
			_, err := cr.CheckRun(ctx, rec.Repo, rec.Branch, rec.Path, j.Lint(content), false)
			return err
		}
		body := "The postmortem is blameless and complete. ✅"
		if findings := j.Lint(content); len(findings) > 0 {
			body = postmortem.FindingsMarkdown(rec.Path, findings)
		}
		_, err = j.GitHub.UpsertComment(ctx, rec.Repo, rec.PullNumber, postmortem.LintMarker, body)
		return err
	default:
		// One answer per pull request: asking again, or a typo, needs no second one.
		marker := postmortem.HelpMarker
		help := "Hindsight commands: `/hindsight sync` turns every action item into an issue now; `/hindsight check` checks that the postmortem is blameless and complete."
		return j.GitHub.CommentOnce(ctx, rec.Repo, rec.PullNumber, marker, help)
	}
}

// writeAssociations are the author associations that come with write access to the repository.
var writeAssociations = map[string]bool{"OWNER": true, "MEMBER": true, "COLLABORATOR": true}

// commandRefusal says why a command is not run before asking GitHub anything: it comes from a bot, or from
// someone whose association with the repository gives no write access; "" when it may run (or GitHub must be
// asked, when the association is missing).
func commandRefusal(c CommentCommand) string {
	switch {
	case c.Author == "":
		return "command without an author"
	case strings.EqualFold(c.AuthorType, "Bot") || strings.HasSuffix(strings.ToLower(c.Author), "[bot]"):
		return "command from a bot"
	case c.Association != "" && !writeAssociations[strings.ToUpper(c.Association)]:
		return "command from someone without write access"
	}
	return ""
}

// ignore logs why an event is not acted on and counts it.
func (j *GitHubJobs) ignore(log *slog.Logger, reason string) {
	log.Warn("GitHub event ignored", "reason", reason)
	j.Metrics.observeIgnored(reason)
}
