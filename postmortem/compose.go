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
	// Dir is the repository folder postmortems are written to.
	Dir string
	// Roles renders people as roles instead of names (see DocumentOptions.Roles).
	Roles bool
	Now   func() time.Time
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
	tl := BuildTimeline(inc)
	facts := ComputeFacts(inc, tl)
	owner := c.owner(facts)
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	due := facts.Resolved
	if due.IsZero() {
		due = now()
	}
	due = due.Add(d.Due)
	// The draft is a function of the incident alone, so that rendering it again without news yields the same
	// file: it is dated by its newest fact, not by the clock.
	generated := facts.Resolved
	if n := len(tl); n > 0 && tl[n-1].At.After(generated) {
		generated = tl[n-1].At
	}
	if generated.IsZero() {
		generated = now()
	}
	doc := NewDocument(inc, tl, facts, DocumentOptions{Owner: owner, Due: due, Generated: generated.UTC(), Roles: c.Roles})

	content, err := c.Renderer.Render(TemplateFor(inc, d), doc)
	if err != nil {
		return Draft{}, fmt.Errorf("render postmortem of %s: %w", inc.ID, err)
	}
	body, err := c.Renderer.Render(PullRequestTemplate, doc)
	if err != nil {
		return Draft{}, fmt.Errorf("render pull request description of %s: %w", inc.ID, err)
	}
	title := fmt.Sprintf("Postmortem: #%d %s", inc.Number, strings.ReplaceAll(oneLine(inc.Title), "@", mentionBreak))
	return Draft{
		IncidentID:    inc.ID,
		Branch:        BranchName(inc.ID),
		Path:          c.path(inc, facts),
		Content:       content,
		CommitMessage: title + "\n\nDraft generated from PagerDuty incident " + inc.ID + ".",
		Title:         title,
		Body:          body,
		Labels:        slices.Clone(c.Labels),
		Reviewers:     c.reviewers(inc, facts),
		TeamReviewers: slices.Clone(c.TeamReviewers),
		Assignee:      owner,
		Timeline:      tl,
	}, nil
}

// BranchName is the deterministic branch of an incident's postmortem.
func BranchName(incidentID string) string { return "postmortem/" + incidentID }

func (c *Composer) path(inc Incident, f Facts) string {
	day := f.Started
	if day.IsZero() {
		day = f.Resolved
	}
	name := fmt.Sprintf("%s-%d-%s.md", day.UTC().Format("2006-01-02"), inc.Number, Slug(inc.Title, 60))
	return strings.TrimSuffix(orDefault(c.Dir, "postmortems"), "/") + "/" + name
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

func (c *Composer) owner(f Facts) string {
	if p, ok := f.Owner(); ok {
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
	add := func(p Person) {
		if l := c.login(p); l != "" && !slices.ContainsFunc(out, func(s string) bool { return strings.EqualFold(s, l) }) {
			out = append(out, l)
		}
	}
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

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
