// Package insights tells how the team is doing with its postmortems: every postmortem with its state and
// action items, and by week and by service the time to acknowledge, the time to resolve, the time from
// resolution to the merged postmortem, and the action items opened and closed. The figures are computed by
// pure functions (Build) from what Hindsight already keeps in Redis (Load reads it); the page and the
// `hindsight stats` command print the same Report.
package insights

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// State is where a postmortem stands.
type State string

// The states of a postmortem.
const (
	// Draft: written to the output directory in a dry run, with no pull request.
	Draft State = "draft"
	// Open: its pull request is open and not yet due.
	Open State = "open"
	// Overdue: its pull request is open past its due time.
	Overdue State = "overdue"
	// Merged: its pull request was merged.
	Merged State = "merged"
	// Closed: its pull request was closed without merging.
	Closed State = "closed"
)

// Postmortem is one postmortem: its incident, its people, its times and its action items. Times are UTC;
// a zero time is unknown (or, for MergedAt and ClosedAt, not yet).
type Postmortem struct {
	IncidentID     string    `json:"incident_id"`
	IncidentNumber int       `json:"incident_number,omitempty"`
	Title          string    `json:"title"`
	IncidentURL    string    `json:"incident_url,omitempty"`
	Priority       string    `json:"priority,omitempty"`
	Service        string    `json:"service,omitempty"`
	Owner          string    `json:"owner,omitempty"`
	Reviewers      []string  `json:"reviewers"`
	Repo           string    `json:"repo,omitempty"`
	PullURL        string    `json:"pull_url,omitempty"`
	PullNumber     int       `json:"pull_number,omitempty"`
	Due            time.Time `json:"due,omitzero"`
	TriggeredAt    time.Time `json:"triggered_at,omitzero"`
	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
	ResolvedAt     time.Time `json:"resolved_at,omitzero"`
	OpenedAt       time.Time `json:"opened_at,omitzero"`
	MergedAt       time.Time `json:"merged_at,omitzero"`
	ClosedAt       time.Time `json:"closed_at,omitzero"`

	// Filled by Build.
	State       State       `json:"state"`
	ActionItems ItemSummary `json:"action_items"`
}

// ItemSummary counts a postmortem's action items; OldestOpenSeconds is the age of the oldest open one (0
// when none is open).
type ItemSummary struct {
	Open              int   `json:"open"`
	Closed            int   `json:"closed"`
	OldestOpenSeconds int64 `json:"oldest_open_seconds"`
}

// ActionItem is one action item issue: whose incident it follows up, and when it was opened and closed.
type ActionItem struct {
	IncidentID string
	Repo       string
	Number     int
	Open       bool
	Opened     time.Time
	Closed     time.Time
	// Service is the service of its postmortem when that postmortem is not among those built; else the
	// postmortem's own is used.
	Service string
}

// Figure is a duration measured over a group of postmortems: how many had both ends known, and the median.
type Figure struct {
	Count         int   `json:"count"`
	MedianSeconds int64 `json:"median_seconds"`
}

// Median is the figure's median as a duration.
func (f Figure) Median() time.Duration { return time.Duration(f.MedianSeconds) * time.Second }

// Group is the figures of one week or one service.
type Group struct {
	// Key is the ISO week ("2026-W40") or the service.
	Key string `json:"key"`
	// Start is the Monday, 00:00 UTC, a week starts; zero for a service.
	Start time.Time `json:"start,omitzero"`
	// Postmortems counts the postmortems of the incidents resolved that week (or of the service).
	Postmortems       int    `json:"postmortems"`
	TimeToAcknowledge Figure `json:"time_to_acknowledge"`
	TimeToResolve     Figure `json:"time_to_resolve"`
	// ResolveToMerged runs from the incident's resolution to its postmortem's merge; postmortems not merged
	// yet are not counted.
	ResolveToMerged Figure `json:"resolve_to_merged"`
	// ActionItemsOpened and ActionItemsClosed count the items opened and closed that week (or, for a
	// service, since the report's start).
	ActionItemsOpened int `json:"action_items_opened"`
	ActionItemsClosed int `json:"action_items_closed"`
}

// Totals sum up the report.
type Totals struct {
	Postmortems       int           `json:"postmortems"`
	States            map[State]int `json:"states"`
	ActionItemsOpen   int           `json:"action_items_open"`
	ActionItemsClosed int           `json:"action_items_closed"`
	// OldestOpenSeconds is the age of the oldest open action item of the listed postmortems.
	OldestOpenSeconds int64 `json:"oldest_open_action_item_seconds"`
}

// Report is everything the page and `hindsight stats` show.
type Report struct {
	Generated time.Time `json:"generated"`
	// Since is the start asked for; zero for everything Hindsight lists.
	Since time.Time `json:"since,omitzero"`
	// Postmortems are newest first, by resolution.
	Postmortems []Postmortem `json:"postmortems"`
	Totals      Totals       `json:"totals"`
	// Weeks run oldest first, every week from the first to the current one, empty ones included; at most
	// MaxWeeks of them.
	Weeks []Group `json:"weeks"`
	// Services are the services with the most postmortems first.
	Services []Group `json:"services"`
}

// MaxWeeks bounds the weeks of a report: the latest are kept.
const MaxWeeks = 60

// UnknownService names the group of postmortems whose service is not recorded, and of action items whose
// postmortem is not listed.
const UnknownService = "(unknown)"

// Build computes the report of postmortems and their action items at now. Only the action items opened or
// closed at since or later count in the groups; every item counts in its postmortem's summary.
func Build(pms []Postmortem, items []ActionItem, since, now time.Time) Report {
	now = now.UTC()
	r := Report{Generated: now, Since: since.UTC(), Postmortems: make([]Postmortem, 0, len(pms)),
		Totals: Totals{States: map[State]int{}}}
	byIncident := make(map[string][]ActionItem)
	for _, it := range items {
		byIncident[it.IncidentID] = append(byIncident[it.IncidentID], it)
	}
	for _, p := range pms {
		p.State = StateAt(p, now)
		p.ActionItems = summarize(byIncident[p.IncidentID], now)
		if p.Reviewers == nil {
			p.Reviewers = []string{}
		}
		r.Postmortems = append(r.Postmortems, p)
		r.Totals.States[p.State]++
		r.Totals.ActionItemsOpen += p.ActionItems.Open
		r.Totals.ActionItemsClosed += p.ActionItems.Closed
		r.Totals.OldestOpenSeconds = max(r.Totals.OldestOpenSeconds, p.ActionItems.OldestOpenSeconds)
	}
	r.Totals.Postmortems = len(r.Postmortems)
	slices.SortFunc(r.Postmortems, func(a, b Postmortem) int {
		if c := anchor(b).Compare(anchor(a)); c != 0 {
			return c
		}
		return strings.Compare(a.IncidentID, b.IncidentID)
	})
	r.Weeks = weeks(r.Postmortems, items, since, now)
	r.Services = services(r.Postmortems, items, since)
	return r
}

// StateAt is where a postmortem stands at now.
func StateAt(p Postmortem, now time.Time) State {
	switch {
	case !p.MergedAt.IsZero():
		return Merged
	case !p.ClosedAt.IsZero():
		return Closed
	case p.PullURL == "":
		return Draft
	case !p.Due.IsZero() && now.After(p.Due):
		return Overdue
	}
	return Open
}

func summarize(items []ActionItem, now time.Time) ItemSummary {
	var s ItemSummary
	for _, it := range items {
		if !it.Open {
			s.Closed++
			continue
		}
		s.Open++
		if !it.Opened.IsZero() {
			s.OldestOpenSeconds = max(s.OldestOpenSeconds, int64(now.Sub(it.Opened)/time.Second))
		}
	}
	return s
}

// anchor is the time that places a postmortem in a week: its incident's resolution, else its trigger, else
// its pull request's opening.
func anchor(p Postmortem) time.Time {
	for _, t := range []time.Time{p.ResolvedAt, p.TriggeredAt, p.OpenedAt} {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func serviceOf(p Postmortem) string {
	if p.Service == "" {
		return UnknownService
	}
	return p.Service
}

// WeekStart is the Monday, 00:00 UTC, of t's ISO week.
func WeekStart(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	offset := (int(day.Weekday()) + 6) % 7 // Monday is 0
	return day.AddDate(0, 0, -offset)
}

// WeekKey names t's ISO week: "2026-W40".
func WeekKey(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// measures accumulates the durations of a group.
type measures struct {
	ack, resolve, merged []time.Duration
}

func (m *measures) add(p Postmortem) {
	if d, ok := between(p.TriggeredAt, p.AcknowledgedAt); ok {
		m.ack = append(m.ack, d)
	}
	if d, ok := between(p.TriggeredAt, p.ResolvedAt); ok {
		m.resolve = append(m.resolve, d)
	}
	if d, ok := between(p.ResolvedAt, p.MergedAt); ok {
		m.merged = append(m.merged, d)
	}
}

func (m *measures) fill(g *Group) {
	g.TimeToAcknowledge, g.TimeToResolve, g.ResolveToMerged = figure(m.ack), figure(m.resolve), figure(m.merged)
}

// between is the time from a to b when both are known and b is not before a.
func between(a, b time.Time) (time.Duration, bool) {
	if a.IsZero() || b.IsZero() || b.Before(a) {
		return 0, false
	}
	return b.Sub(a), true
}

// figure is the count and the median of ds; the median of an even count is the mean of the middle two.
func figure(ds []time.Duration) Figure {
	if len(ds) == 0 {
		return Figure{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	mid := len(s) / 2
	median := s[mid]
	if len(s)%2 == 0 {
		median = (s[mid-1] + s[mid]) / 2
	}
	return Figure{Count: len(s), MedianSeconds: int64(median.Round(time.Second) / time.Second)}
}

// weeks groups by the week each postmortem's incident was resolved, and counts the action items opened and
// closed each week. They run from since's week (or the first postmortem's, when since is zero) to now's.
func weeks(pms []Postmortem, items []ActionItem, since, now time.Time) []Group {
	last := WeekStart(now)
	first := time.Time{}
	if !since.IsZero() {
		first = WeekStart(since)
	} else {
		for _, p := range pms {
			if a := anchor(p); !a.IsZero() && (first.IsZero() || a.Before(first)) {
				first = WeekStart(a)
			}
		}
	}
	if first.IsZero() || first.After(last) {
		first = last
	}
	if oldest := last.AddDate(0, 0, -7*(MaxWeeks-1)); first.Before(oldest) {
		first = oldest
	}
	n := int(last.Sub(first).Hours()/24/7) + 1
	groups := make([]Group, n)
	ms := make([]measures, n)
	for i := range groups {
		start := first.AddDate(0, 0, 7*i)
		groups[i] = Group{Key: WeekKey(start), Start: start}
	}
	index := func(t time.Time) (int, bool) {
		if t.IsZero() {
			return 0, false
		}
		ws := WeekStart(t)
		if ws.Before(first) || ws.After(last) {
			return 0, false
		}
		return int(ws.Sub(first).Hours() / 24 / 7), true
	}
	for _, p := range pms {
		if i, ok := index(anchor(p)); ok {
			groups[i].Postmortems++
			ms[i].add(p)
		}
	}
	for _, it := range items {
		if i, ok := index(it.Opened); ok && !it.Opened.Before(since) {
			groups[i].ActionItemsOpened++
		}
		if i, ok := index(it.Closed); ok && !it.Open && !it.Closed.Before(since) {
			groups[i].ActionItemsClosed++
		}
	}
	for i := range groups {
		ms[i].fill(&groups[i])
	}
	return groups
}

// services groups by service; an action item counts for the service of its postmortem when it was opened
// (or closed) at since or later.
func services(pms []Postmortem, items []ActionItem, since time.Time) []Group {
	byKey := map[string]*Group{}
	ms := map[string]*measures{}
	group := func(key string) *Group {
		g, ok := byKey[key]
		if !ok {
			g = &Group{Key: key}
			byKey[key] = g
			ms[key] = &measures{}
		}
		return g
	}
	service := make(map[string]string, len(pms))
	for _, p := range pms {
		key := serviceOf(p)
		service[p.IncidentID] = key
		group(key).Postmortems++
		ms[key].add(p)
	}
	for _, it := range items {
		key, ok := service[it.IncidentID]
		switch {
		case ok:
		case it.Service != "":
			key = it.Service
		default:
			key = UnknownService
		}
		opened := !it.Opened.IsZero() && !it.Opened.Before(since)
		closed := !it.Open && !it.Closed.IsZero() && !it.Closed.Before(since)
		if !opened && !closed {
			continue
		}
		g := group(key)
		if opened {
			g.ActionItemsOpened++
		}
		if closed {
			g.ActionItemsClosed++
		}
	}
	out := make([]Group, 0, len(byKey))
	for key, g := range byKey {
		ms[key].fill(g)
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Group) int {
		if c := cmp.Compare(b.Postmortems, a.Postmortems); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}
