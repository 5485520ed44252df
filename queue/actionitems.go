package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hindsight-dev/hindsight/postmortem"
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
func issueContext(rec Record, postmortemURL string) postmortem.IssueContext {
	return postmortem.IssueContext{
		IncidentID: rec.IncidentID, IncidentTitle: rec.IncidentTitle, IncidentURL: rec.IncidentURL,
		Number: rec.IncidentNumber, Priority: rec.Priority, PostmortemURL: postmortemURL,
	}
}

// followUps keeps an incident's action items as GitHub issues, filed under a tracking issue.
type followUps struct {
	store  *Store
	issues IssueTracker
}

// ensure gives every action item without an issue one, and returns the issue of each by key.
func (f followUps) ensure(ctx context.Context, rec Record, postmortemURL string, items []postmortem.ActionItem) (map[string]postmortem.Issue, error) {
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
		if err := f.store.SaveActionItem(ctx, ActionItemRecord{Repo: rec.Repo, Number: is.Number, IncidentID: rec.IncidentID, Open: is.Open}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// track files the issues under the incident's tracking issue, as sub-issues or else as a task list, and
// lists them in a comment on the pull request.
func (f followUps) track(ctx context.Context, log *slog.Logger, rec Record, items []postmortem.ActionItem, issues map[string]postmortem.Issue) error {
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

// ActionItemRecord is what Hindsight remembers of an action item issue, for its metrics and the tracking
// issue's task list.
type ActionItemRecord struct {
	Repo       string    `json:"repo"`
	Number     int       `json:"number"`
	IncidentID string    `json:"incident_id"`
	Open       bool      `json:"open"`
	Opened     time.Time `json:"opened"`
}

const actionItemsKey = "hindsight:action-items"

func actionItemField(repo string, number int) string { return repo + "#" + strconv.Itoa(number) }

// SaveActionItem records an action item issue and its state; the first time it is seen is kept as when it
// opened.
func (s *Store) SaveActionItem(ctx context.Context, a ActionItemRecord) error {
	field := actionItemField(a.Repo, a.Number)
	prev, err := s.rdb.HGet(ctx, actionItemsKey, field).Bytes()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("read action item %s: %w", field, err)
	}
	var old ActionItemRecord
	if len(prev) > 0 && json.Unmarshal(prev, &old) == nil && !old.Opened.IsZero() {
		a.Opened = old.Opened
	}
	if a.Opened.IsZero() {
		a.Opened = time.Now().UTC()
	}
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if err := s.rdb.HSet(ctx, actionItemsKey, field, b).Err(); err != nil {
		return fmt.Errorf("save action item %s: %w", field, err)
	}
	return nil
}

// ActionItems returns every recorded action item.
func (s *Store) ActionItems(ctx context.Context) ([]ActionItemRecord, error) {
	m, err := s.rdb.HGetAll(ctx, actionItemsKey).Result()
	if err != nil {
		return nil, fmt.Errorf("read action items: %w", err)
	}
	out := make([]ActionItemRecord, 0, len(m))
	for _, v := range m {
		var a ActionItemRecord
		if json.Unmarshal([]byte(v), &a) == nil {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b ActionItemRecord) int { return a.Number - b.Number })
	return out, nil
}

func trackingKey(incidentID string) string { return "hindsight:incident:" + incidentID + ":tracking" }

// SaveTracking records an incident's tracking issue and whether it lists its items as a task list.
func (s *Store) SaveTracking(ctx context.Context, incidentID string, number int, taskList bool) error {
	if err := s.rdb.HSet(ctx, trackingKey(incidentID), "number", number, "task_list", taskList).Err(); err != nil {
		return fmt.Errorf("save tracking issue of %s: %w", incidentID, err)
	}
	return nil
}

// Tracking returns an incident's tracking issue number (0 for none) and whether it is a task list.
func (s *Store) Tracking(ctx context.Context, incidentID string) (number int, taskList bool, err error) {
	var t struct {
		Number   int  `redis:"number"`
		TaskList bool `redis:"task_list"`
	}
	if err := s.rdb.HGetAll(ctx, trackingKey(incidentID)).Scan(&t); err != nil {
		return 0, false, fmt.Errorf("read tracking issue of %s: %w", incidentID, err)
	}
	return t.Number, t.TaskList, nil
}
