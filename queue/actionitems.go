package queue

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// IssueTracker keeps action items as GitHub issues. repo is "owner/name", empty for the configured one.
type IssueTracker interface {
	// EnsureIssue finds the issue holding spec.Marker or creates it.
	EnsureIssue(ctx context.Context, repo string, spec postmortem.IssueSpec) (postmortem.Issue, bool, error)
	Issue(ctx context.Context, repo string, number int) (postmortem.Issue, error)
	// FileURL is the web address of a file on a branch.
	FileURL(ctx context.Context, repo, branch, path string) (string, error)
	// LinkSubIssues reports false when the host has no sub-issues.
	LinkSubIssues(ctx context.Context, repo string, parent postmortem.Issue, children []postmortem.Issue) (bool, error)
	SetTaskList(ctx context.Context, repo string, number int, children []postmortem.Issue) error
	CommentOnce(ctx context.Context, repo string, number int, marker, body string) error
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
	issues IssueTracker
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
