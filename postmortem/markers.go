package postmortem

import (
	"fmt"
	"strings"
)

// Markers are HTML comments, invisible on GitHub, by which Hindsight finds again what it wrote there: a
// retried step finds its comment or issue instead of writing it twice. Every marker is made here.

// The markers of comments Hindsight keeps one of on a pull request.
const (
	// LintMarker starts the one comment that lists a postmortem's findings.
	LintMarker = "<!-- hindsight:lint -->"
	// HelpMarker starts the answer to an unknown command.
	HelpMarker = "<!-- hindsight:help -->"
	// SkippedReviewersMarker starts the comment that lists refused reviewers.
	SkippedReviewersMarker = "<!-- hindsight:skipped-reviewers -->"
)

// TaskListStart and TaskListEnd delimit the part of a tracking issue's body that Hindsight writes.
const (
	TaskListStart = "<!-- hindsight:tasks -->"
	TaskListEnd   = "<!-- /hindsight:tasks -->"
)

// actionItemMarkerPrefix starts the marker of an action item's issue.
const actionItemMarkerPrefix = "<!-- hindsight:action-item "

// ActionItemMarker finds the issue of an action item of an incident again.
func ActionItemMarker(incidentID, key string) string {
	return fmt.Sprintf("%s%s %s -->", actionItemMarkerPrefix, incidentID, key)
}

// TrackingMarker finds the tracking issue of an incident's action items again.
func TrackingMarker(incidentID string) string {
	return fmt.Sprintf("<!-- hindsight:tracking %s -->", incidentID)
}

// ReminderMarker marks the reminder of an incident's postmortem scheduled at at (Unix seconds).
func ReminderMarker(incidentID string, at int64) string {
	return fmt.Sprintf("<!-- hindsight:reminder %s %d -->", incidentID, at)
}

// IssuesMarker marks the comment that lists the issues numbers (sorted) of an incident's action items.
func IssuesMarker(incidentID string, numbers []string) string {
	return fmt.Sprintf("<!-- hindsight:issues %s %s -->", incidentID, strings.Join(numbers, ","))
}

// UpdateMarker marks the comment that tells what an incident's timeline gained up to lastEntryAt (Unix
// seconds).
func UpdateMarker(incidentID string, lastEntryAt int64) string {
	return fmt.Sprintf("<!-- hindsight:update %s %d -->", incidentID, lastEntryAt)
}

// IsActionItemIssue reports whether an issue body is one of Hindsight's action items, and of which
// incident.
func IsActionItemIssue(body string) (incidentID string, ok bool) {
	i := strings.Index(body, actionItemMarkerPrefix)
	if i < 0 {
		return "", false
	}
	fields := strings.Fields(body[i+len(actionItemMarkerPrefix):])
	if len(fields) < 2 {
		return "", false
	}
	return fields[0], true
}
