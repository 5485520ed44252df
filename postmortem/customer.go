package postmortem

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// CustomerMarker starts the customer-facing version of a postmortem. Lint reads it to check the file for
// people's names and internal hosts, which such a version must not hold.
const CustomerMarker = "<!-- hindsight:customer-version -->"

// IsCustomerVersion reports whether markdown is the customer-facing version of a postmortem.
func IsCustomerVersion(markdown string) bool {
	return strings.HasPrefix(strings.TrimSpace(markdown), CustomerMarker)
}

// The parts of a customer-facing version, in the order they are written.
const (
	PartSummary    = "summary"
	PartImpact     = "impact"
	PartTimeline   = "timeline"
	PartResolution = "resolution"
	PartPrevention = "prevention"
)

// partTitles maps the normalised section titles postmortems use to the part they hold. A title is matched
// whole: "Root cause" or "Lessons learned" are internal and never published.
var partTitles = map[string]string{
	"summary": PartSummary, "executive summary": PartSummary, "overview": PartSummary, "tl;dr": PartSummary,
	"tldr": PartSummary, "incident summary": PartSummary, "what happened": PartSummary, "description": PartSummary,
	"impact": PartImpact, "customer impact": PartImpact, "user impact": PartImpact, "impact summary": PartImpact,
	"resolution": PartResolution, "mitigation": PartResolution, "recovery": PartResolution,
	"resolution and recovery": PartResolution, "mitigation and resolution": PartResolution, "fix": PartResolution,
	"what could have prevented it": PartPrevention, "prevention": PartPrevention, "preventive measures": PartPrevention,
	"remediation": PartPrevention, "follow-up": PartPrevention, "follow-ups": PartPrevention, "next steps": PartPrevention,
	"issue summary": PartSummary, "severity & impact": PartImpact, "severity and impact": PartImpact,
	"corrective and preventative measures": PartPrevention, "corrective and preventive measures": PartPrevention,
	"preventing the issue from happening again / what we have learnt": PartPrevention, "action items": PartPrevention,
	"what we are doing": PartPrevention, "what we're doing about it": PartPrevention, "how we prevent it": PartPrevention,
}

// Section is one section of a Markdown document: its heading and its body up to the next heading of the
// same or a higher level (subsections included).
type Section struct {
	Title string // as written, without the #s
	Level int
	// Line is the heading's 1-based line, End the 1-based line after the section.
	Line, End int
	Body      string
}

// ParseSections returns the document's sections in order, by their ATX headings ("## Impact"); headings
// inside fenced code and HTML comments are not headings.
func ParseSections(markdown string) []Section {
	doc := parseLintDoc(markdown)
	out := make([]Section, 0, len(doc.sections))
	for _, s := range doc.sections {
		m := lintHeading.FindStringSubmatch(doc.lines[s.line].raw)
		title := ""
		if m != nil {
			title = strings.TrimSpace(lintClosingHashes.ReplaceAllString(m[2], ""))
		}
		body := make([]string, 0, s.end-s.start)
		for i := s.start; i < s.end; i++ {
			body = append(body, doc.lines[i].raw)
		}
		out = append(out, Section{Title: title, Level: s.level, Line: s.line + 1, End: s.end + 1, Body: strings.Join(body, "\n")})
	}
	return out
}

// StatusUpdate is a status update published to stakeholders during an incident.
type StatusUpdate struct {
	At   time.Time
	Text string
}

// StatusUpdates returns the status updates of a timeline, oldest first, without empty ones.
func StatusUpdates(tl Timeline) []StatusUpdate {
	var out []StatusUpdate
	for _, e := range tl {
		if e.Kind == KindStatusUpdate && strings.TrimSpace(e.Text) != "" {
			out = append(out, StatusUpdate{At: e.At, Text: e.Text})
		}
	}
	return out
}

// CustomerInput is what the customer-facing version is written from.
type CustomerInput struct {
	// Markdown is the postmortem as merged.
	Markdown string
	// Title is the incident's title, used when the postmortem has no "# " heading.
	Title string
	// Updates are the status updates published during the incident: the version's timeline.
	Updates   []StatusUpdate
	Redaction Redaction
}

// CustomerVersion is the customer-facing version of a postmortem and what was removed from it.
type CustomerVersion struct {
	Content string
	// Missing are the parts the postmortem has no section for; the version says TBD there.
	Missing []string
	Removed Removals
}

var customerH1 = regexp.MustCompile(`^ {0,3}#[ \t]+(.*?)[ \t#]*$`)

// WriteCustomerVersion writes the customer-facing version of a merged postmortem: its summary, impact,
// resolution and prevention (the "What could have prevented it" section and the action items' text, without
// owners, dates or issue links), and the published status updates as the timeline. People are named by role,
// and internal links, hostnames, addresses, code and quoted notes are removed (see Redaction). It reads
// nothing but in.
func WriteCustomerVersion(in CustomerInput) CustomerVersion {
	r := newRedactor(in.Redaction)
	parts := customerParts(in.Markdown, r)
	var b strings.Builder
	var out CustomerVersion
	b.WriteString(CustomerMarker + "\n")
	b.WriteString("# Incident report: " + r.inline(customerTitle(in)) + "\n")
	section := func(heading, part, missing string) {
		b.WriteString("\n## " + heading + "\n\n")
		if texts := parts[part]; len(texts) > 0 {
			b.WriteString(strings.Join(texts, "\n\n") + "\n")
			return
		}
		out.Missing = append(out.Missing, part)
		b.WriteString("TBD: " + missing + "\n")
	}
	section("Summary", PartSummary, "what happened, for whom and for how long, in words a customer understands.")
	section("Impact", PartImpact, "what customers could not do, and for how long.")
	b.WriteString("\n## Timeline\n\n")
	if len(in.Updates) == 0 {
		out.Missing = append(out.Missing, PartTimeline)
		b.WriteString("TBD: no status update was published during the incident; give the moments customers saw.\n")
	} else {
		b.WriteString("The updates we published during the incident. All times UTC.\n\n| Time | Update |\n|---|---|\n")
		updates := slices.Clone(in.Updates)
		slices.SortStableFunc(updates, func(a, b StatusUpdate) int { return a.At.Compare(b.At) })
		for _, u := range updates {
			fmt.Fprintf(&b, "| %s | %s |\n", u.At.UTC().Format("2006-01-02 15:04"), Inline(r.inline(strings.Join(strings.Fields(u.Text), " "))))
		}
	}
	section("Resolution", PartResolution, "how service was restored.")
	section("Prevention", PartPrevention, "what we are changing so that it does not happen again.")
	out.Content = b.String()
	out.Removed = r.removed
	return out
}

// customerParts are the redacted texts of the merged postmortem by part: its sections taken whole, and its
// action items by their text alone under prevention.
func customerParts(markdown string, r *redactor) map[string][]string {
	parts := map[string][]string{}
	actionItems := ParseActionItems(markdown)
	taken := 0 // sections are taken whole, subsections included: none inside one taken is taken again
	for _, s := range ParseSections(markdown) {
		part, ok := partTitles[normalTitle(s.Title)]
		if !ok || s.Line < taken || normalTitle(s.Title) == "action items" && len(actionItems) > 0 {
			continue // the action items are listed by their text alone, below
		}
		taken = s.End
		if text := r.block(s.Body); text != "" {
			parts[part] = append(parts[part], text)
		}
	}
	var items []string
	for _, a := range actionItems {
		if t := r.inline(a.Text); strings.TrimSpace(t) != "" {
			items = append(items, "- "+t)
		}
	}
	if len(items) > 0 {
		parts[PartPrevention] = append(parts[PartPrevention], "What we are doing:\n\n"+strings.Join(items, "\n"))
	}
	return parts
}

// customerTitle is the merged postmortem's own title (its first heading, without "Postmortem:"), else the
// incident's, else "Incident".
func customerTitle(in CustomerInput) string {
	title := strings.TrimSpace(in.Title)
	for _, line := range strings.Split(in.Markdown, "\n") {
		if m := customerH1.FindStringSubmatch(line); m != nil {
			title = strings.TrimSpace(strings.TrimPrefix(m[1], "Postmortem:"))
			break
		}
	}
	if title == "" {
		title = "Incident"
	}
	return title
}

// normalTitle lowercases a heading and drops emphasis, numbering and trailing punctuation: "**1. Impact:**"
// reads as "impact".
func normalTitle(t string) string {
	t = lintTitle(t)
	t = strings.TrimLeft(t, "0123456789. ")
	return strings.TrimRight(t, ":.!? ")
}

// RedactionFor is the redaction of an incident's customer-facing version: the people of its timeline are
// named by role (the incident commander, responder 1, …) whether written by name, email or the GitHub login
// people maps them to; the names lint knows and every login of people go too.
func RedactionFor(tl Timeline, people map[string]string, cfg LintConfig) Redaction {
	n := personNamer(tl, Facts{}, true)
	red := Redaction{Roles: map[string]string{}, PublicHosts: cfg.PublicHosts, InternalDomains: cfg.InternalDomains,
		People: slices.Clone(cfg.People)}
	add := func(p Person) {
		label := n.roles[personKey(p)]
		if label == "" {
			return
		}
		for _, name := range []string{p.Name, p.Email, people[p.ID], people[strings.ToLower(p.Email)]} {
			if name = strings.TrimPrefix(strings.TrimSpace(name), "@"); name != "" {
				red.Roles[name] = label
				red.People = append(red.People, name)
			}
		}
	}
	for _, e := range tl {
		add(e.Actor)
		for _, p := range e.People {
			add(p)
		}
	}
	for _, login := range people {
		if login = strings.TrimPrefix(strings.TrimSpace(login), "@"); login != "" {
			red.People = append(red.People, "@"+login)
		}
	}
	return red
}

// CustomerPullRequestBody is the description of the pull request that proposes a customer-facing version:
// where it comes from, what was removed, and what reviewers must still write.
func CustomerPullRequestBody(v CustomerVersion, postmortemURL string) string {
	var b strings.Builder
	b.WriteString("The customer-facing version of the postmortem merged in " + postmortemURL + ", for review before it is published.\n\n")
	b.WriteString("It holds the summary, impact, resolution and prevention as merged, with the status updates published during the incident as its timeline. ")
	b.WriteString("People are named by role; internal links, hosts, addresses, code and quoted notes are removed.\n")
	kinds := []struct{ kind, word string }{{RemovedPerson, "name"}, {RemovedLink, "link"}, {RemovedHost, "host"},
		{RemovedAddress, "address"}, {RemovedQuote, "quote"}, {RemovedCode, "code block"}}
	var removed []string
	for _, k := range kinds {
		if c := v.Removed.Count(k.kind); c > 0 {
			removed = append(removed, fmt.Sprintf("%d %s", c, Plural(c, k.word)))
		}
	}
	if len(removed) > 0 {
		b.WriteString("\nRemoved: " + strings.Join(removed, ", ") + ". Check that the text still reads well where they were.\n")
	}
	if len(v.Missing) > 0 {
		b.WriteString("\nThe postmortem has no section for: " + strings.Join(v.Missing, ", ") + ". Those parts say TBD: write them before merging.\n")
	}
	return b.String()
}
