package postmortem

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultChangeWindow is how long before an incident's trigger its changes are looked for.
const DefaultChangeWindow = 24 * time.Hour

// RecentChange is how close before the trigger a change is marked as recent.
const RecentChange = time.Hour

// ChangeReadTimeout bounds the reading of an incident's changes, rate-limit waits included, so that a slow
// source costs the postmortem a line saying so rather than its time.
const ChangeReadTimeout = 30 * time.Second

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
	for key, svc := range s.Services {
		if matchAny([]string{key}, inc.Service.ID, inc.Service.Name) {
			q.Repos = appendNew(q.Repos, svc.Repos...)
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

// ReadChanges asks every reader at once, within ChangeReadTimeout, and merges what they found, oldest
// first. Readers that return nothing (no repository configured, no PagerDuty token) leave no trace.
func ReadChanges(ctx context.Context, q ChangeQuery, readers ...ChangeReader) Changes {
	ctx, cancel := context.WithTimeout(ctx, ChangeReadTimeout)
	defer cancel()
	parts := make([]Changes, len(readers))
	var wg sync.WaitGroup
	for i, r := range readers {
		wg.Go(func() { parts[i] = r.ReadChanges(ctx, q) })
	}
	wg.Wait()
	out := Changes{Query: q}
	for _, p := range parts {
		out.Items = append(out.Items, p.Items...)
		out.Sources = append(out.Sources, p.Sources...)
	}
	slices.SortStableFunc(out.Items, func(a, b Change) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.Source+a.What, b.Source+b.What)
	})
	return out
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
