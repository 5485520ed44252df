package postmortem

import (
	"fmt"
	"strings"
)

// DefaultMaxActionItems is the default cap on the action items of one postmortem: every one becomes an
// issue, so an incident with hundreds of TODO notes must not open hundreds of issues.
const DefaultMaxActionItems = 50

// CapActionItems returns the first max items (DefaultMaxActionItems when max is 0) and how many were left
// out.
func CapActionItems(items []ActionItem, max int) ([]ActionItem, int) {
	if max <= 0 {
		max = DefaultMaxActionItems
	}
	if len(items) <= max {
		return items, 0
	}
	return items[:max], len(items) - max
}

// LeftOut is what a capped draft does not hold.
type LeftOut struct {
	// LogEntries is true when PagerDuty holds more log entries than were fetched; LogEntriesKept is how
	// many were.
	LogEntries     bool
	LogEntriesKept int
	// ActionItems is how many action items beyond the cap were left out.
	ActionItems int
}

// Notice returns a Markdown paragraph telling reviewers what the draft leaves out and where the rest is,
// linking the incident on PagerDuty; "" when nothing was left out.
func (l LeftOut) Notice(inc Incident) string {
	var parts []string
	if l.LogEntries {
		parts = append(parts, fmt.Sprintf("the incident's later log entries (the timeline holds its first %d)", l.LogEntriesKept))
	}
	if l.ActionItems > 0 {
		parts = append(parts, fmt.Sprintf("%d more %s from the incident's notes", l.ActionItems, Plural(l.ActionItems, "action item")))
	}
	if len(parts) == 0 {
		return ""
	}
	where := "on PagerDuty"
	if u := linkTarget(inc.URL); u != "" {
		where = "on [PagerDuty](" + u + ")"
	}
	return "> **Left out of this draft:** " + strings.Join(parts, "; ") + ". The rest is " + where + "."
}
