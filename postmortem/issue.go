package postmortem

import (
	"fmt"
	"strings"
)

// IssueSpec is a GitHub issue Hindsight keeps: Marker, a hidden HTML comment in its body, finds it again,
// so it is never created twice.
type IssueSpec struct {
	Marker   string
	Title    string
	Body     string
	Labels   []string
	Assignee string // GitHub login; empty for none
}

// Issue is a GitHub issue as Hindsight tracks it. ID is GitHub's database ID (sub-issues are linked by it),
// Number the one people see.
type Issue struct {
	Number int
	ID     int64
	URL    string
	Open   bool
}

// IssueContext is what an action item's issue says about where it comes from.
type IssueContext struct {
	IncidentID    string
	IncidentTitle string
	IncidentURL   string
	Number        int    // the incident's number
	Priority      string // the severity label; empty for none
	// PostmortemURL links the postmortem: its pull request, or its file on the branch before the pull
	// request exists.
	PostmortemURL string
}

// Action item labels.
const (
	LabelPostmortem = "postmortem"
	LabelActionItem = "action-item"
)

// ActionItemIssue is the GitHub issue of an action item: labelled postmortem, action-item and the
// severity, assigned to the item's owner, linking the postmortem and the incident.
func ActionItemIssue(c IssueContext, item ActionItem) IssueSpec {
	labels := []string{LabelPostmortem, LabelActionItem}
	if c.Priority != "" {
		labels = append(labels, c.Priority)
	}
	var b strings.Builder
	b.WriteString("Action item from the postmortem of " + incidentLink(c) + ".\n\n")
	b.WriteString(Block(item.Text, "> ") + "\n\n")
	if c.PostmortemURL != "" {
		b.WriteString("- Postmortem: " + c.PostmortemURL + "\n")
	}
	if !item.Due.IsZero() {
		b.WriteString("- Due: " + item.Due.Format("2006-01-02") + "\n")
	}
	if strings.HasPrefix(item.Key, "note:") {
		b.WriteString("- Raised in a note on the incident during the response.\n")
	}
	return IssueSpec{
		Marker:   ActionItemMarker(c.IncidentID, item.Key),
		Title:    Plain(item.Text),
		Body:     b.String(),
		Labels:   labels,
		Assignee: item.Owner,
	}
}

// TrackingIssue holds every action item of a postmortem, as sub-issues or as a task list.
func TrackingIssue(c IssueContext) IssueSpec {
	labels := []string{LabelPostmortem}
	if c.Priority != "" {
		labels = append(labels, c.Priority)
	}
	body := "Tracks the action items of the postmortem of " + incidentLink(c) + ".\n"
	if c.PostmortemURL != "" {
		body += "\nPostmortem: " + c.PostmortemURL + "\n"
	}
	return IssueSpec{
		Marker: TrackingMarker(c.IncidentID),
		Title:  Plain(fmt.Sprintf("Action items: #%d %s", c.Number, c.IncidentTitle)),
		Body:   body,
		Labels: labels,
	}
}

func incidentLink(c IssueContext) string {
	text := neutraliseReferences(fmt.Sprintf("incident #%d ", c.Number)) + Inline(c.IncidentTitle)
	if u := linkTarget(c.IncidentURL); u != "" {
		return "[" + text + "](" + u + ")"
	}
	return text
}

// IssuesComment lists a postmortem's action item issues, for its pull request.
func IssuesComment(items []ActionItem, tracking Issue) string {
	var b strings.Builder
	b.WriteString("Action items are tracked as issues")
	if tracking.Number > 0 {
		fmt.Fprintf(&b, " under #%d", tracking.Number)
	}
	b.WriteString(":\n\n")
	for _, it := range items {
		if it.Issue > 0 {
			fmt.Fprintf(&b, "- #%d %s\n", it.Issue, Inline(it.Text))
		}
	}
	return b.String()
}
