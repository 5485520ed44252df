package lifecycle

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// jobs is what the jobs of GitHub events share: they act on postmortem pull requests and action item
// issues of the repositories Hindsight publishes to.
type jobs struct {
	store  *redisstore.Store
	gh     postmortem.GitHub
	rules  postmortem.Rules // the lint settings of the check
	repos  []string         // "owner/name": events from any other are ignored
	metric *Metrics
	// maxActionItems caps the issues one postmortem opens; 0 for postmortem.DefaultMaxActionItems.
	maxActionItems int
	// customer proposes the customer version of a merged postmortem; nil proposes none.
	customer *CustomerVersions
	// mail gets the mails of every merged postmortem and customer version.
	mail   postmortem.Mailer
	logger *slog.Logger
}

// PullRequests follows postmortem pull requests: it checks their text on every push, and when one merges,
// turns its action items into issues.
type PullRequests struct{ jobs }

// Handle acts on a pull request event.
func (j *PullRequests) Handle(ctx context.Context, d PullRequestEvent) error {
	log := logger(ctx, j.logger).With("delivery_id", d.DeliveryID, "event", "pull_request", "action", d.Action, "repo", d.Repo, "number", d.Number)
	if !j.publishesTo(log, d.Repo) {
		return nil
	}
	return j.pullRequest(ctx, log, d)
}

// ActionItems follows action item issues closed or reopened.
type ActionItems struct{ jobs }

// Handle acts on an issue event.
func (j *ActionItems) Handle(ctx context.Context, d IssueEvent) error {
	log := logger(ctx, j.logger).With("delivery_id", d.DeliveryID, "event", "issues", "action", d.Action, "repo", d.Repo, "number", d.Number)
	if !j.publishesTo(log, d.Repo) {
		return nil
	}
	return j.actionItem(ctx, log, d)
}

// Commands runs "/hindsight …" commands from comments on postmortem pull requests.
type Commands struct{ jobs }

// Handle runs the command of a comment.
func (j *Commands) Handle(ctx context.Context, c CommentCommand) error {
	log := logger(ctx, j.logger).With("delivery_id", c.DeliveryID, "event", "issue_comment", "repo", c.Repo, "number", c.Number)
	if !j.publishesTo(log, c.Repo) {
		return nil
	}
	return j.command(ctx, log, c)
}

// publishesTo reports whether repo is one Hindsight publishes to; an event from any other is ignored.
func (j *jobs) publishesTo(log *slog.Logger, repo string) bool {
	if slices.ContainsFunc(j.repos, func(r string) bool { return strings.EqualFold(r, repo) }) {
		return true
	}
	j.ignore(log, "not a repository Hindsight publishes to")
	return false
}

// record returns the postmortem record of a pull request: by its branch when known, else by its number.
func (j *jobs) record(ctx context.Context, repo string, number int, headRef string) (redisstore.Record, bool, error) {
	id, ok := postmortem.IncidentFromBranch(headRef)
	if !ok {
		var err error
		if id, ok, err = j.store.IncidentOfPull(ctx, repo, number); err != nil || !ok {
			return redisstore.Record{}, false, err
		}
	}
	rec, ok, err := j.store.LoadRecord(ctx, id)
	if err != nil || !ok || rec.PullNumber != number || !strings.EqualFold(rec.Repo, repo) {
		return redisstore.Record{}, false, err
	}
	return rec, true, nil
}

func (j *jobs) pullRequest(ctx context.Context, log *slog.Logger, d PullRequestEvent) error {
	if id, ok := postmortem.IncidentFromCustomerBranch(d.HeadRef); ok {
		return j.customerPullRequest(ctx, log, d, id)
	}
	rec, ok, err := j.record(ctx, d.Repo, d.Number, d.HeadRef)
	if err != nil {
		return err
	}
	if !ok {
		log.Info("not a postmortem Hindsight opened; ignored")
		return nil
	}
	if err := j.recordPullState(ctx, rec, d); err != nil {
		return err
	}
	switch {
	case d.Action == "opened" || d.Action == "reopened" || d.Action == "synchronize":
		return j.check(ctx, log, rec, d.HeadSHA)
	case d.Action == "closed" && d.Merged:
		if err := j.mailMerged(ctx, rec, d.Number, cmp.Or(d.MergeSHA, d.HeadSHA)); err != nil {
			return err
		}
		// The merged text is the postmortem of record: every action item in it becomes an issue, and its
		// customer version is proposed.
		if err := j.sync(ctx, log, rec, d.HeadSHA); err != nil {
			return err
		}
		return j.customer.open(ctx, log, rec, cmp.Or(d.MergeSHA, d.HeadSHA))
	}
	return nil
}

// recordPullState keeps when the postmortem was merged, or closed unmerged, for the team's figures; a
// reopened pull request is open again. An event that does not say when it closed is dated when it is run.
func (j *jobs) recordPullState(ctx context.Context, rec redisstore.Record, d PullRequestEvent) error {
	switch d.Action {
	case "closed":
		at := d.ClosedAt
		if at.IsZero() {
			at = time.Now()
		}
		if d.Merged {
			return j.store.SetPullState(ctx, rec.IncidentID, at, time.Time{})
		}
		return j.store.SetPullState(ctx, rec.IncidentID, time.Time{}, at)
	case "reopened":
		return j.store.SetPullState(ctx, rec.IncidentID, time.Time{}, time.Time{})
	}
	return nil
}

// check runs the blameless and completeness check on the postmortem at sha and reports it: as a
// hindsight/postmortem check run with annotations on the lines under GitHub App credentials, else as the
// hindsight/postmortem commit status, with the findings in one comment kept up to date.
func (j *jobs) check(ctx context.Context, log *slog.Logger, rec redisstore.Record, sha string) error {
	if sha == "" {
		return nil
	}
	content, ok, err := j.gh.File(ctx, rec.Repo, sha, rec.Path)
	if err != nil {
		return err
	}
	lint := j.rules.Rules(ctx).Lint
	if j.gh.ChecksEnabled(rec.Repo) {
		var findings []postmortem.Finding
		if ok {
			findings = postmortem.Lint(content, lint)
		}
		url, err := j.gh.CheckRun(ctx, rec.Repo, sha, rec.Path, findings, !ok)
		if err == nil {
			log.Info("postmortem checked", "findings", len(findings), "check_run", url)
		}
		return err
	}
	if !ok {
		return j.gh.SetStatus(ctx, rec.Repo, sha, "failure", "The postmortem file "+rec.Path+" is missing", "")
	}
	findings := postmortem.Lint(content, lint)
	if len(findings) == 0 {
		// A comment listing older findings says they are gone.
		if _, err := j.gh.UpsertComment(ctx, rec.Repo, rec.PullNumber, postmortem.LintMarker, "The postmortem is blameless and complete. ✅"); err != nil {
			return err
		}
		return j.gh.SetStatus(ctx, rec.Repo, sha, "success", "Blameless and complete", "")
	}
	url, err := j.gh.UpsertComment(ctx, rec.Repo, rec.PullNumber, postmortem.LintMarker, postmortem.FindingsMarkdown(rec.Path, findings))
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
	return j.gh.SetStatus(ctx, rec.Repo, sha, state, desc, url)
}

// sync turns every action item of the postmortem at ref into an issue and files them under the tracking
// issue.
func (j *jobs) sync(ctx context.Context, log *slog.Logger, rec redisstore.Record, ref string) error {
	if ref == "" {
		ref = rec.Branch
	}
	content, ok, err := j.gh.File(ctx, rec.Repo, ref, rec.Path)
	if err != nil {
		return err
	}
	if !ok {
		log.Warn("postmortem file not found; action items not synced", "path", rec.Path, "ref", ref)
		return nil
	}
	items, leftOut := postmortem.CapActionItems(postmortem.ParseActionItems(content), j.maxActionItems)
	if leftOut > 0 {
		log.Warn("action items over the cap left without an issue", "left_out", leftOut, "cap", len(items))
	}
	f := followUps{j.store, j.gh}
	issues, err := f.ensure(ctx, rec, rec.PullURL, items)
	if err != nil {
		return err
	}
	log.Info("action items synced", "items", len(items))
	return f.track(ctx, log, rec, items, issues)
}

// actionItem follows an action item issue that was closed or reopened: its state is recorded, and a
// tracking issue that lists its items as a task list is brought up to date (sub-issues GitHub updates).
func (j *jobs) actionItem(ctx context.Context, log *slog.Logger, d IssueEvent) error {
	// The webhook's copy says what somebody sent; the issue as GitHub holds it now, and who opened it, is
	// what counts.
	body, open, ours, err := j.gh.OwnIssue(ctx, d.Repo, d.Number)
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
	if err := j.store.SaveActionItem(ctx, redisstore.ActionItemRecord{Repo: d.Repo, Number: d.Number, IncidentID: incidentID, Open: open}); err != nil {
		return err
	}
	tracking, taskList, err := j.store.Tracking(ctx, incidentID)
	if err != nil || tracking == 0 || !taskList {
		return err
	}
	all, err := j.store.ActionItems(ctx)
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
	return j.gh.SetTaskList(ctx, d.Repo, tracking, children)
}

// command runs "/hindsight sync" (action items to issues now) and "/hindsight check" (the blameless and
// completeness check now: a check run on the branch's head under App credentials, else the findings
// comment) from a comment on a postmortem pull request.
func (j *jobs) command(ctx context.Context, log *slog.Logger, c CommentCommand) error {
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
		permission, err := j.gh.Permission(ctx, c.Repo, c.Author)
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
		content, ok, err := j.gh.File(ctx, rec.Repo, rec.Branch, rec.Path)
		if err != nil || !ok {
			return err
		}
		lint := j.rules.Rules(ctx).Lint
		if j.gh.ChecksEnabled(rec.Repo) {
			_, err := j.gh.CheckRun(ctx, rec.Repo, rec.Branch, rec.Path, postmortem.Lint(content, lint), false)
			return err
		}
		body := "The postmortem is blameless and complete. ✅"
		if findings := postmortem.Lint(content, lint); len(findings) > 0 {
			body = postmortem.FindingsMarkdown(rec.Path, findings)
		}
		_, err = j.gh.UpsertComment(ctx, rec.Repo, rec.PullNumber, postmortem.LintMarker, body)
		return err
	default:
		// One answer per pull request: asking again, or a typo, needs no second one.
		marker := postmortem.HelpMarker
		help := "Hindsight commands: `/hindsight sync` turns every action item into an issue now; `/hindsight check` checks that the postmortem is blameless and complete."
		return j.gh.CommentOnce(ctx, rec.Repo, rec.PullNumber, marker, help)
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
func (j *jobs) ignore(log *slog.Logger, reason string) {
	log.Warn("GitHub event ignored", "reason", reason)
	j.metric.observeIgnored(reason)
}
