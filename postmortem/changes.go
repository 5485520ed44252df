package postmortem

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"
)

// DefaultChangeWindow is how long before an incident's trigger its changes are looked for.
const DefaultChangeWindow = 24 * time.Hour

// RecentChange is how close before the trigger a change is marked as recent.
const RecentChange = time.Hour

// The kinds of change.
const (
	ChangeDeployment  = "deployment"
	ChangeRelease     = "release"
	ChangePullRequest = "pull request"
	ChangeEvent       = "change event" // PagerDuty's
)

// Change is one change made around an incident: a deployment, a release, a merged pull request or a
// PagerDuty change event. It is a fact to look at, never a finding: nothing in it says the change caused
// anything.
type Change struct {
	At   time.Time
	Kind string
	// Source is where it was made: the repository ("owner/name"), or "PagerDuty" for a change event.
	Source string
	// What says what changed, in the source's words ("v1.4.2 to production: success", a pull request's
	// title); plain text.
	What string
	// By is the GitHub login that merged, deployed or published it, empty when unknown; Bot says By is an
	// automation, not a person. Agent names the system that sent a PagerDuty change event.
	By    string
	Bot   bool
	Agent string
	URL   string
}

// ChangeSource is one thing read for the changes section, such as the deployments of a repository:
// Problem says what could not be read ("GitHub answered 403 …"), or what was left out past a bound;
// empty when everything was read.
type ChangeSource struct {
	Name    string
	Problem string
}

// ChangeQuery asks for the changes around an incident: those made in Repos from Since (the trigger less
// the window) up to Until (the resolution), and PagerDuty's change events related to IncidentID.
type ChangeQuery struct {
	IncidentID            string
	Repos                 []string
	Trigger, Since, Until time.Time
}

// Changes are the changes found around an incident, oldest first, and what was read to find them.
type Changes struct {
	Query   ChangeQuery
	Items   []Change
	Sources []ChangeSource
}

// ServiceChanges name the repositories whose changes concern a PagerDuty service.
type ServiceChanges struct {
	Repos []string `yaml:"repos"`
}

// ChangeScope decides, from the configuration, where an incident's changes are looked for: the repos of
// its service (by ID or name, case-insensitively) and of every route that matches it, in a window of
// Window (DefaultChangeWindow when zero) before the trigger up to the resolution.
type ChangeScope struct {
	Services map[string]ServiceChanges
	Routes   []Route
	Window   time.Duration
}

// Query returns what to ask about inc. Without a trigger time there is no window, and no repository is
// asked.
func (s ChangeScope) Query(inc Incident) ChangeQuery {
	q := ChangeQuery{IncidentID: inc.ID, Trigger: inc.CreatedAt, Until: inc.ResolvedAt}
	// In the keys' order, so that of two spellings of one repository the same is kept on every run.
	keys := slices.SortedFunc(maps.Keys(s.Services), func(a, b string) int {
		return cmp.Or(strings.Compare(strings.ToLower(a), strings.ToLower(b)), strings.Compare(a, b))
	})
	for _, key := range keys {
		if matchAny([]string{key}, inc.Service.ID, inc.Service.Name) {
			q.Repos = appendNew(q.Repos, s.Services[key].Repos...)
		}
	}
	for _, r := range s.Routes {
		if r.matches(inc) {
			q.Repos = appendNew(q.Repos, r.Repos...)
		}
	}
	slices.SortFunc(q.Repos, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	if q.Trigger.IsZero() {
		q.Repos = nil
		return q
	}
	window := s.Window
	if window <= 0 {
		window = DefaultChangeWindow
	}
	q.Since = q.Trigger.Add(-window)
	if q.Until.Before(q.Trigger) {
		q.Until = q.Trigger
	}
	return q
}

// Unread returns the problems of the sources that could not be read in full, as "name: problem".
func (c Changes) Unread() []string {
	var out []string
	for _, s := range c.Sources {
		if s.Problem != "" {
			out = append(out, s.Name+": "+s.Problem)
		}
	}
	return out
}
