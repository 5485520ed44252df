package lifecycle

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// followUpper turns a draft's action items into issues and files them under a tracking issue.
type followUpper interface {
	// fileDraft files the action items of a draft before its pull request opens, and returns the issue of
	// each by key; nil when there is nothing to file.
	fileDraft(ctx context.Context, rec redisstore.Record, draft postmortem.Draft) (map[string]postmortem.Issue, error)
	track(ctx context.Context, log *slog.Logger, rec redisstore.Record, items []postmortem.ActionItem, issues map[string]postmortem.Issue) error
}

// noFollowUps is the followUpper of a dry run: the action items stay in the draft.
type noFollowUps struct{}

func (noFollowUps) fileDraft(context.Context, redisstore.Record, postmortem.Draft) (map[string]postmortem.Issue, error) {
	return nil, nil
}

func (noFollowUps) track(context.Context, *slog.Logger, redisstore.Record, []postmortem.ActionItem, map[string]postmortem.Issue) error {
	return nil
}

// issueContext is what an incident's issues say of it.
func issueContext(rec redisstore.Record, postmortemURL string) postmortem.IssueContext {
	return postmortem.IssueContext{
		IncidentID: rec.IncidentID, IncidentTitle: rec.IncidentTitle, IncidentURL: rec.IncidentURL,
		Number: rec.IncidentNumber, Priority: rec.Priority, PostmortemURL: postmortemURL,
	}
}

// followUps keeps an incident's action items as GitHub issues, filed under a tracking issue.
type followUps struct {
	store  *redisstore.Store
	issues postmortem.GitHub
}

// fileDraft turns the action items noted during the incident into issues before the pull request opens, so
// that the draft, rendered after, links them in its first commit.
func (f followUps) fileDraft(ctx context.Context, rec redisstore.Record, draft postmortem.Draft) (map[string]postmortem.Issue, error) {
	if len(draft.ActionItems) == 0 {
		return nil, nil
	}
	// The pull request does not exist yet: the issues link the postmortem's file on its branch, and the
	// pull request, which lists them, links them back.
	fileURL, err := f.issues.FileURL(ctx, rec.Repo, draft.Branch, draft.Path)
	if err != nil {
		return nil, err
	}
	return f.ensure(ctx, rec, fileURL, draft.ActionItems)
}

// ensure gives every action item without an issue one, and returns the issue of each by key.
func (f followUps) ensure(ctx context.Context, rec redisstore.Record, postmortemURL string, items []postmortem.ActionItem) (map[string]postmortem.Issue, error) {
	out := make(map[string]postmortem.Issue, len(items))
	ic := issueContext(rec, postmortemURL)
	for _, it := range items {
		var (
			is  postmortem.Issue
			err error
		)
		if it.Issue > 0 {
			is, err = f.issues.Issue(ctx, rec.Repo, it.Issue)
		} else {
			is, _, err = f.issues.EnsureIssue(ctx, rec.Repo, postmortem.ActionItemIssue(ic, it))
		}
		if err != nil {
			return nil, fmt.Errorf("action item %q: %w", it.Text, err)
		}
		out[it.Key] = is
		if err := f.store.SaveActionItem(ctx, redisstore.ActionItemRecord{Repo: rec.Repo, Number: is.Number, IncidentID: rec.IncidentID, Open: is.Open}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// track files the issues under the incident's tracking issue, as sub-issues or else as a task list, and
// lists them in a comment on the pull request.
func (f followUps) track(ctx context.Context, log *slog.Logger, rec redisstore.Record, items []postmortem.ActionItem, issues map[string]postmortem.Issue) error {
	if len(issues) == 0 {
		return nil
	}
	tracking, _, err := f.issues.EnsureIssue(ctx, rec.Repo, postmortem.TrackingIssue(issueContext(rec, rec.PullURL)))
	if err != nil {
		return fmt.Errorf("tracking issue of %s: %w", rec.IncidentID, err)
	}
	children := make([]postmortem.Issue, 0, len(issues))
	numbers := make([]string, 0, len(issues))
	linked := make([]postmortem.ActionItem, 0, len(items))
	for _, it := range items {
		is, ok := issues[it.Key]
		if !ok {
			continue
		}
		it.Issue = is.Number
		linked = append(linked, it)
		children = append(children, is)
		numbers = append(numbers, strconv.Itoa(is.Number))
	}
	supported, err := f.issues.LinkSubIssues(ctx, rec.Repo, tracking, children)
	if err != nil {
		return err
	}
	if !supported {
		log.Info("sub-issues unavailable: tracking action items as a task list", "tracking_issue", tracking.Number)
		if err := f.issues.SetTaskList(ctx, rec.Repo, tracking.Number, children); err != nil {
			return err
		}
	}
	if err := f.store.SaveTracking(ctx, rec.IncidentID, tracking.Number, !supported); err != nil {
		return err
	}
	slices.Sort(numbers)
	marker := postmortem.IssuesMarker(rec.IncidentID, numbers)
	if err := f.issues.CommentOnce(ctx, rec.Repo, rec.PullNumber, marker, postmortem.IssuesComment(linked, tracking)); err != nil {
		return fmt.Errorf("list action items on #%d: %w", rec.PullNumber, err)
	}
	return nil
}
