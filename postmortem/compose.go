package postmortem

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Composer turns an incident into a Draft: it builds the timeline and facts, chooses the people, and
// renders the postmortem file and the pull request description.
type Composer struct {
	Renderer *Renderer
	// People maps PagerDuty users, by user ID or email, to GitHub logins.
	People map[string]string
	// Labels go on every postmortem pull request; Reviewers and TeamReviewers are requested on every one,
	// besides the mapped responders.
	Labels        []string
	Reviewers     []string
	TeamReviewers []string
	// DefaultOwner is the GitHub login that owns a postmortem when no responder maps to one.
	DefaultOwner string
	// OwnerRule chooses the owner among the responders: OwnerResolver (the default), OwnerFirstAcknowledger,
	// OwnerAssignee or OwnerDefault.
	OwnerRule string
	// Routes add reviewers, teams and labels for incidents of some services or teams, and may send their
	// postmortems to another repository.
	Routes []Route
	// ActionItemPrefixes start the notes that become action items; nil for DefaultActionItemPrefixes.
	ActionItemPrefixes []string
	// Dir is the repository folder postmortems are written to.
	Dir string
	// Roles renders people as roles instead of names (see DocumentOptions.Roles).
	Roles bool
	// Facts names the explicit signals of mitigation and impact start in notes and status updates.
	Facts FactsConfig
	// MaxActionItems caps the action items of one postmortem; 0 for DefaultMaxActionItems.
	MaxActionItems int
	Now            func() time.Time
}

// The owner rules.
const (
	// OwnerResolver is the responder with the most direct knowledge: who resolved, else who acknowledged
	// first.
	OwnerResolver = "resolver"
	// OwnerFirstAcknowledger is who acknowledged first, else who resolved.
	OwnerFirstAcknowledger = "first-acknowledger"
	// OwnerAssignee is the incident's last assignee.
	OwnerAssignee = "assignee"
	// OwnerDefault is always the configured default owner.
	OwnerDefault = "default"
)

// Route matches incidents by service and team (ID or name, case-insensitively; empty lists match any) and
// adds to their postmortem's pull request. Every matching route adds its reviewers, teams and labels; the
// first matching route that names a repository sends the postmortem there.
type Route struct {
	Services []string `yaml:"services"`
	Teams    []string `yaml:"teams"`
	Repo     string   `yaml:"repo"`
	// Repos are the repositories ("owner/name") whose changes the postmortem lists (see ChangeScope).
	Repos         []string `yaml:"repos"`
	Reviewers     []string `yaml:"reviewers"`
	TeamReviewers []string `yaml:"team_reviewers"`
	Labels        []string `yaml:"labels"`
	// Distribution adds to the lists the merged postmortem is mailed to.
	Distribution Distribution `yaml:"distribution,omitempty"`
}

func (r Route) matches(inc Incident) bool {
	if !matchAny(r.Services, inc.Service.ID, inc.Service.Name) {
		return false
	}
	if len(r.Teams) == 0 {
		return true
	}
	return slices.ContainsFunc(inc.Teams, func(t Team) bool { return matchAny(r.Teams, t.ID, t.Name) })
}

// ValidOwnerRule reports whether rule is one of the owner rules, or empty for the default.
func ValidOwnerRule(rule string) bool {
	switch rule {
	case "", OwnerResolver, OwnerFirstAcknowledger, OwnerAssignee, OwnerDefault:
		return true
	}
	return false
}

// PullRequestTemplate is the name of the template of pull request descriptions.
const PullRequestTemplate = "pull-request"

// The templates Hindsight ships: the full postmortem for P1 and P2, a short one otherwise.
const (
	FullTemplate  = "full"
	ShortTemplate = "short"
)

// TemplateFor returns the template a decision names, else the full one for P1 and P2 and the short one for
// every other incident.
func TemplateFor(inc Incident, d Decision) string {
	if d.Template != "" {
		return d.Template
	}
	if strings.EqualFold(inc.Priority, "P1") || strings.EqualFold(inc.Priority, "P2") {
		return FullTemplate
	}
	return ShortTemplate
}

// Compose renders the postmortem of inc as decided by d.
func (c *Composer) Compose(inc Incident, d Decision) (Draft, error) {
	return c.ComposeLinked(inc, d, nil)
}

// ComposeLinked renders the postmortem with its action items linked to their issues: issues maps an
// item's Key to its issue number.
func (c *Composer) ComposeLinked(inc Incident, d Decision, issues map[string]int) (Draft, error) {
	return c.Render(c.Outline(inc, d), issues)
}

// Outline is a postmortem before its text is rendered: its Draft has every field but Content and Body, so
// that its action items can become issues first and the draft be rendered once, linking them.
type Outline struct {
	Draft
	inc      Incident
	template string
	facts    Facts
	opts     DocumentOptions
	leftOut  LeftOut
}

// Outline decides everything of the postmortem of inc but its text: where it goes, who reviews it, its
// timeline and action items. It does not keep the incident's log entries: once the timeline and the facts
// are built from them, the timeline holds what they say, and a giant incident's entries are not held twice
// while the draft is rendered.
func (c *Composer) Outline(inc Incident, d Decision) Outline {
	tl := BuildTimeline(inc)
	facts := c.Facts.Compute(inc, tl)
	owner := c.owner(inc, facts)
	due, generated := c.dates(tl, facts, d)
	prefixes := c.ActionItemPrefixes
	if prefixes == nil {
		prefixes = DefaultActionItemPrefixes
	}
	items, itemsLeftOut := CapActionItems(ActionItemsFromNotes(notesWithEvents(inc), prefixes, c.login), c.MaxActionItems)
	// The incident's number is PagerDuty's: as "#N" it would link the repository's issue N.
	title := Plain(fmt.Sprintf("Postmortem: #%d %s", inc.Number, inc.Title))
	draft := Draft{
		IncidentID:    inc.ID,
		Branch:        BranchName(inc.ID),
		Path:          c.path(inc, facts),
		CommitMessage: title + "\n\nDraft generated from PagerDuty incident " + inc.ID + ".",
		Title:         title,
		Labels:        slices.Clone(c.Labels),
		Reviewers:     c.reviewers(inc, facts),
		TeamReviewers: slices.Clone(c.TeamReviewers),
		Assignee:      owner,
		Timeline:      tl,
		ActionItems:   items,
		Due:           due,
	}
	c.route(inc, &draft)
	left := LeftOut{LogEntries: inc.LogEntriesCapped, LogEntriesKept: len(inc.LogEntries), ActionItems: itemsLeftOut}
	inc.LogEntries = nil
	return Outline{
		Draft:    draft,
		inc:      inc,
		template: TemplateFor(inc, d),
		facts:    facts,
		opts:     DocumentOptions{Owner: owner, Due: due, Generated: generated.UTC(), Roles: c.Roles, Facts: c.Facts, Logins: c.logins()},
		leftOut:  left,
	}
}

// dates are the postmortem's due time (its decision's delay after the resolution) and the time it is dated
// by. The draft is a function of the incident alone, so that rendering it again without news yields the same
// file: it is dated by its newest fact, not by the clock.
func (c *Composer) dates(tl Timeline, facts Facts, d Decision) (due, generated time.Time) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	due = facts.Resolved.At
	if due.IsZero() {
		due = now()
	}
	generated = facts.Resolved.At
	if n := len(tl); n > 0 && tl[n-1].At.After(generated) {
		generated = tl[n-1].At
	}
	if generated.IsZero() {
		generated = now()
	}
	return due.Add(d.Due), generated
}

// route applies every route matching the incident to the draft: the first with a repository sends it
// there, and each adds its reviewers, team reviewers and labels.
func (c *Composer) route(inc Incident, draft *Draft) {
	for _, r := range c.Routes {
		if !r.matches(inc) {
			continue
		}
		if draft.Repo == "" {
			draft.Repo = r.Repo
		}
		draft.Reviewers = appendNew(draft.Reviewers, r.Reviewers...)
		draft.TeamReviewers = appendNew(draft.TeamReviewers, r.TeamReviewers...)
		draft.Labels = appendNew(draft.Labels, r.Labels...)
	}
}

// Facts are the figures the outlined postmortem states: detection, acknowledgement, resolution and the rest.
func (o Outline) Facts() Facts { return o.facts }

// Render renders an outlined postmortem and its pull request description, its action items linked to
// their issues: issues maps an item's Key to its issue number.
func (c *Composer) Render(o Outline, issues map[string]int) (Draft, error) {
	draft := o.Draft
	draft.ActionItems = slices.Clone(o.ActionItems)
	for i := range draft.ActionItems {
		draft.ActionItems[i].Issue = issues[draft.ActionItems[i].Key]
	}
	opts := o.opts
	opts.ActionItems = draft.ActionItems
	doc := NewDocument(o.inc, draft.Timeline, o.facts, opts)

	content, err := c.Renderer.Render(o.template, doc)
	if err != nil {
		return Draft{}, fmt.Errorf("render postmortem of %s: %w", o.inc.ID, err)
	}
	doc.Agenda = AgendaMarkdown(Agenda(content))
	body, err := c.Renderer.Render(PullRequestTemplate, doc)
	if err != nil {
		return Draft{}, fmt.Errorf("render pull request description of %s: %w", o.inc.ID, err)
	}
	if notice := o.leftOut.Notice(o.inc); notice != "" {
		content = strings.TrimRight(content, "\n") + "\n\n" + notice + "\n"
		body = strings.TrimRight(body, "\n") + "\n\n" + notice + "\n"
	}
	draft.Content, draft.Body = content, body
	return draft, nil
}

// appendNew appends the names not in list yet, case-insensitively.
func appendNew(list []string, names ...string) []string {
	for _, n := range names {
		if n != "" && !slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, n) }) {
			list = append(list, n)
		}
	}
	return list
}

func (c *Composer) path(inc Incident, f Facts) string {
	day := f.Detected.At
	if day.IsZero() {
		day = f.Resolved.At
	}
	name := fmt.Sprintf("%s-%d-%s.md", day.UTC().Format("2006-01-02"), inc.Number, FileSlug(inc.Title, 60))
	return strings.TrimSuffix(orDefault(c.Dir, "postmortems"), "/") + "/" + name
}

// logins are the GitHub logins of the people map, lower-cased.
func (c *Composer) logins() map[string]bool {
	out := make(map[string]bool, len(c.People))
	for _, l := range c.People {
		out[strings.ToLower(l)] = true
	}
	return out
}

// login returns the GitHub login of a PagerDuty user, or "".
func (c *Composer) login(p Person) string {
	if l := c.People[p.ID]; p.ID != "" && l != "" {
		return l
	}
	if p.Email != "" {
		return c.People[strings.ToLower(p.Email)]
	}
	return ""
}

func (c *Composer) owner(inc Incident, f Facts) string {
	var candidates []Person
	switch c.OwnerRule {
	case OwnerDefault:
	case OwnerFirstAcknowledger:
		if p, ok := f.FirstAcknowledger(); ok {
			candidates = append(candidates, p)
		}
		if p, ok := f.Resolver(); ok {
			candidates = append(candidates, p)
		}
	case OwnerAssignee:
		if n := len(inc.Assignees); n > 0 {
			candidates = append(candidates, inc.Assignees[n-1])
		}
	default:
		if p, ok := f.Owner(); ok {
			candidates = append(candidates, p)
		}
	}
	for _, p := range candidates {
		if l := c.login(p); l != "" {
			return l
		}
	}
	return c.DefaultOwner
}

// reviewers are the configured reviewers and every responder who acted (assignees, acknowledgers, note
// authors, the resolver) that maps to a GitHub login, without duplicates.
func (c *Composer) reviewers(inc Incident, f Facts) []string {
	out := slices.Clone(c.Reviewers)
	add := func(p Person) { out = appendNew(out, c.login(p)) }
	for _, p := range inc.Assignees {
		add(p)
	}
	for _, r := range f.Responders {
		if r.Acknowledged || r.Resolved || r.Assigned || r.Notes > 0 {
			add(r.Person)
		}
	}
	return out
}
