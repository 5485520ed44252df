package postmortem

import (
	"strings"
	"time"
)

// ChangeSourcePagerDuty names the source of PagerDuty's change events related to an incident.
const ChangeSourcePagerDuty = "PagerDuty change events"

// ChangesFields are the "Changes before the incident" section: the changes made in the incident's
// repositories and PagerDuty's related change events, from Since (Window before the trigger) to Until
// (the resolution). Scope says in words what was looked at; it is empty when nothing was (no repository
// configured, no PagerDuty token), and then the template says how to configure it.
type ChangesFields struct {
	Scope                 string
	Since, Trigger, Until string
	Window                string
	Rows                  []ChangeRow
	// Recent counts the rows made within the hour before the trigger.
	Recent int
	// Unread lists what could not be read, or was left out past a bound, as "what: why".
	Unread []string
}

// ChangeRow is one change: when, how long before the trigger ("2h 5m", or "12m after the trigger" for a
// change made during the incident), what, by whom (a mapped login, "automation (name)", or a role such as
// "a deployer"), and a link. Recent marks the changes made within the hour before the trigger.
type ChangeRow struct {
	Time, Before, What, By, Link, LinkText string
	Recent                                 bool
}

// changesFields lays out the changes of an incident. logins are the GitHub logins of the people map,
// lower-cased: only those are named, and none when name renders people as roles.
func changesFields(c Changes, logins map[string]bool, name namer) ChangesFields {
	q := c.Query
	f := ChangesFields{Since: FormatTime(q.Since), Trigger: FormatTime(q.Trigger), Until: FormatTime(q.Until),
		Window: FormatDuration(q.Trigger.Sub(q.Since))}
	pagerDuty, github := false, false
	for _, s := range c.Sources {
		pagerDuty = pagerDuty || s.Name == ChangeSourcePagerDuty
		github = github || s.Name != ChangeSourcePagerDuty
	}
	var scope []string
	if len(q.Repos) > 0 && github {
		repos := make([]string, len(q.Repos))
		for i, r := range q.Repos {
			repos[i] = Inline(r)
		}
		scope = append(scope, "the deployments, releases and pull requests merged into the default branch of "+joinWords(repos))
	}
	if pagerDuty {
		scope = append(scope, "PagerDuty's change events related to the incident")
	}
	f.Scope = strings.Join(scope, ", and ")
	for _, ch := range c.Items {
		row := ChangeRow{Time: FormatTime(ch.At), By: changeBy(ch, logins, name), Link: linkTarget(ch.URL)}
		before := q.Trigger.Sub(ch.At)
		switch {
		case before > 0:
			row.Before = FormatDuration(before.Truncate(time.Minute))
			if before < time.Minute {
				row.Before = "under a minute"
			}
			row.Recent = before <= RecentChange
		default:
			row.Before = FormatDuration((-before).Truncate(time.Minute)) + " after the trigger"
			if -before < time.Minute {
				row.Before = "at the trigger"
			}
		}
		if row.Recent {
			f.Recent++
		}
		what := Inline(name.text(ch.What))
		if ch.Source != "" {
			what = Inline(ch.Source) + ", " + ch.Kind + ": " + what
		}
		row.What = what
		if row.Link != "" {
			row.LinkText = ch.Kind
		}
		f.Rows = append(f.Rows, row)
	}
	for _, u := range c.Unread() {
		f.Unread = append(f.Unread, Inline(u))
	}
	return f
}

// changeBy names who made a change without judging: a login the people map knows, an automation by its
// name, the system that sent a change event, else the role of whoever does such a change.
func changeBy(ch Change, logins map[string]bool, name namer) string {
	switch {
	case ch.Bot && ch.By != "":
		return "automation (" + Inline(strings.TrimSuffix(ch.By, "[bot]")) + ")"
	case ch.By != "" && name.roles == nil && logins[strings.ToLower(ch.By)]:
		return Inline(ch.By)
	case ch.Agent != "":
		return Inline(ch.Agent)
	}
	switch ch.Kind {
	case ChangeDeployment:
		return "a deployer"
	case ChangeRelease:
		return "a release author"
	case ChangePullRequest:
		return "a maintainer"
	case ChangeEvent:
		return "an integration"
	}
	return "—"
}
