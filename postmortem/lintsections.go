package postmortem

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// requiredSections are the sections a postmortem must fill in, with what each should say.
var lintRequiredSections = []struct{ title, heading, hint string }{
	{"summary", "Summary", "two or three sentences a reader outside the team understands: what broke, for whom, for how long, how it was fixed"},
	{"impact", "Impact", "who and what was affected (users, requests, data, money), how much, and for how long"},
	{"root cause", "Root cause", "the conditions in the system that made this possible"},
	{"resolution", "Resolution", "what stopped the impact, and what made the incident resolved"},
	{"timeline", "Timeline", "what happened when, in UTC"},
	{"what could have prevented it", "What could have prevented it", "the safeguards, alerts, tests or reviews that would have stopped this or shortened it"},
	{"action items", "Action items", `one checkbox per item with an owner and a due date: "- [ ] Add an alert on replica lag (@login, due 2024-06-01)"`},
}

// lintCustomerSections are the sections a customer-facing version must hold.
var lintCustomerSections = []struct{ title, heading, hint string }{
	{"summary", "Summary", "what happened, for whom and for how long, in words a customer understands"},
	{"impact", "Impact", "what customers could not do, and for how long"},
	{"timeline", "Timeline", "the moments customers saw, in UTC"},
	{"resolution", "Resolution", "how service was restored"},
	{"prevention", "Prevention", "what is changing so that it does not happen again"},
}

// required are the sections the document must hold: a postmortem's, or a customer-facing version's.
func (d *lintDoc) required() []struct{ title, heading, hint string } {
	if d.customer {
		return lintCustomerSections
	}
	return lintRequiredSections
}

var (
	lintPlaceholderPatterns = []struct {
		name    string
		pattern *regexp.Regexp
	}{
		{"TBD", lintWordPattern(`tbd`)},
		{"TODO", regexp.MustCompile(`(?:^|[^\p{L}\p{N}_])(TODO|FIXME)(?:[^\p{L}\p{N}_]|$)`)},
		{"<fill in>", regexp.MustCompile(`(?i)(<fill[ -]in[^>]*>|&lt;fill[ -]in.*?&gt;)`)},
		{"lorem ipsum", lintWordPattern(`lorem ipsum`)},
	}
	lintWhyItem       = regexp.MustCompile(`^ {0,3}(\d{1,2})[.)][ \t]+(.*)$`)
	lintWhyQuestion   = regexp.MustCompile(`(?i)^ {0,3}\d{1,2}[.)][ \t]+\*\*why\*\*`)
	lintBecause       = regexp.MustCompile(`(?i)^\s*(?:\*\*because\*\*:?|because:)(.*)$`)
	lintActionItemRef = regexp.MustCompile(`(?i)^\s*\*\*action items?:?\*\*:?(.*)$`)
	lintRootCauseMark = regexp.MustCompile(`(?i)\broot cause\b`)
	lintChecklistItem = regexp.MustCompile(`^(\s*)[-*+][ \t]+\[([ xX])\][ \t]*(.*)$`)
	lintListItem      = regexp.MustCompile(`^\s*(?:[-*+]|\d{1,9}[.)])[ \t]`)
	lintOwner         = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_@/.\-\\])@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9_.-]+)?`)
	lintDue           = regexp.MustCompile(`(?i)\bdue(?:\s+(?:on|by|date))?[:\s]+([0-9][0-9A-Za-z/.\-]*[0-9A-Za-z])`)
	lintISODate       = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// placeholder returns the first template placeholder in s, or "".
func lintPlaceholder(s string) string {
	for _, p := range lintPlaceholderPatterns {
		if m := p.pattern.FindStringSubmatch(s); m != nil {
			return m[1]
		}
	}
	return ""
}

func lintPlaceholders(d *lintDoc) []Finding {
	var out []Finding
	for i, l := range d.lines {
		// An unanswered "**Because** TBD" is reported once, by unanswered-why.
		if l.quoted || lintBecause.MatchString(l.text) {
			continue
		}
		if p := lintPlaceholder(l.text); p != "" {
			out = append(out, Finding{Line: i + 1, Rule: RulePlaceholder,
				Message:    fmt.Sprintf("placeholder %q left in", p),
				Suggestion: "write the text the placeholder stands for, or delete the line"})
		}
	}
	return out
}

func lintEmptySections(d *lintDoc) []Finding {
	var out []Finding
	for _, r := range d.required() {
		var found *lintSection
		for _, s := range d.named(r.title) {
			if s.level >= 2 {
				found = &s
				break
			}
		}
		if found == nil {
			out = append(out, Finding{Line: 1, Rule: RuleEmptySection,
				Message:    fmt.Sprintf("required section %q is missing", r.heading),
				Suggestion: fmt.Sprintf("add a \"## %s\" section: %s", r.heading, r.hint)})
			continue
		}
		if !d.hasContent(*found) {
			out = append(out, Finding{Line: found.line + 1, Rule: RuleEmptySection,
				Message:    fmt.Sprintf("section %q has nothing but placeholders", r.heading),
				Suggestion: "write " + r.hint})
		}
	}
	return out
}

// hasContent says whether a section holds something besides headings, comments, placeholders, the
// Five whys' questions and the list of responders Hindsight generates.
func (d *lintDoc) hasContent(s lintSection) bool {
	inResponders := false
	for i := s.start; i < s.end; i++ {
		l := d.lines[i]
		t := strings.TrimSpace(l.text)
		switch {
		case t == "":
			continue
		case t == "Responders:":
			inResponders = true
			continue
		case inResponders && strings.HasPrefix(t, "- "):
			continue
		}
		inResponders = false
		if l.heading != 0 || lintWhyQuestion.MatchString(l.text) || lintPlaceholder(l.text) != "" {
			continue
		}
		if m := lintBecause.FindStringSubmatch(l.text); m != nil && lintUnanswered(m[1]) {
			continue
		}
		return true
	}
	return false
}

// unanswered says whether the answer to a why is empty or a placeholder.
func lintUnanswered(answer string) bool {
	a := strings.Trim(answer, " \t*_:.…?-—")
	return a == "" || lintPlaceholder(answer) != "" || a == "..."
}

type lintWhy struct {
	number, line   int // line: the index of the Because line, else of the question
	answer         string
	hasAnswerLine  bool
	actionItemText string
}

// lintFiveWhys reports each why without an answer, and a chain that stops before five answers without
// naming its root cause.
func lintFiveWhys(d *lintDoc) []Finding {
	var out []Finding
	for _, s := range d.named("five whys", "5 whys") {
		whys := d.whys(s)
		if len(whys) == 0 {
			out = append(out, Finding{Line: s.line + 1, Rule: RuleUnansweredWhy,
				Message:    "the Five whys ask nothing",
				Suggestion: `write "1. **Why** did … happen?" and its "**Because** …", then ask why of that answer`})
			continue
		}
		answered, rootCause := 0, false
		for _, w := range whys {
			switch {
			case !w.hasAnswerLine:
				out = append(out, Finding{Line: w.line + 1, Rule: RuleUnansweredWhy,
					Message:    fmt.Sprintf("why %d has no \"**Because**\" answer", w.number),
					Suggestion: "answer it with a condition of the system, then ask why of that answer"})
			case lintUnanswered(w.answer):
				out = append(out, Finding{Line: w.line + 1, Rule: RuleUnansweredWhy,
					Message:    fmt.Sprintf("why %d is not answered", w.number),
					Suggestion: "answer it with a condition of the system, then ask why of that answer"})
			default:
				answered++
				if lintRootCauseMark.MatchString(w.answer) || w.actionItemText != "" && !lintUnanswered(w.actionItemText) {
					rootCause = true
				}
			}
		}
		if last := whys[len(whys)-1]; answered == len(whys) && answered < 5 && !rootCause {
			out = append(out, Finding{Line: last.line + 1, Rule: RuleUnansweredWhy,
				Message:    fmt.Sprintf("the Five whys stop after %d answers without naming the root cause", answered),
				Suggestion: `ask why of this answer, or mark it as the root cause ("**Because** … (root cause)") and tie it to an action item ("**Action item:** …")`})
		}
	}
	return out
}

// whys returns the numbered items of a Five whys section.
func (d *lintDoc) whys(s lintSection) []lintWhy {
	var whys []lintWhy
	for i := s.start; i < s.end; i++ {
		l := d.lines[i]
		if l.heading != 0 {
			break
		}
		if m := lintWhyItem.FindStringSubmatch(l.text); m != nil {
			var n int
			_, _ = fmt.Sscan(m[1], &n)
			whys = append(whys, lintWhy{number: n, line: i})
			if a := lintBecause.FindStringSubmatch(lintStripQuestion(m[2])); a != nil {
				w := &whys[len(whys)-1]
				w.hasAnswerLine, w.answer = true, a[1]
			}
			continue
		}
		if len(whys) == 0 {
			continue
		}
		w := &whys[len(whys)-1]
		switch {
		case lintActionItemRef.MatchString(l.text):
			w.actionItemText = lintActionItemRef.FindStringSubmatch(l.text)[1]
		case lintBecause.MatchString(l.text) && !w.hasAnswerLine:
			w.hasAnswerLine, w.line, w.answer = true, i, lintBecause.FindStringSubmatch(l.text)[1]
		case w.hasAnswerLine && w.actionItemText == "" && strings.TrimSpace(l.text) != "":
			w.answer += " " + strings.TrimSpace(l.text) // the answer goes on
		}
	}
	return whys
}

// stripQuestion returns what follows the question of "**Why** …? **Because** …" written on one line.
func lintStripQuestion(item string) string {
	if i := strings.Index(strings.ToLower(item), "**because**"); i >= 0 {
		return item[i:]
	}
	return ""
}

// lintActionItems reports checklist items under Action items without an @owner or with a due date that
// is not a date.
func lintActionItems(d *lintDoc) []Finding {
	var out []Finding
	for _, s := range d.named("action items") {
		for i := s.start; i < s.end; i++ {
			m := lintChecklistItem.FindStringSubmatch(d.lines[i].text)
			if m == nil {
				continue
			}
			text := m[3]
			// Indented lines that are not list items go on with the item.
			for j := i + 1; j < s.end; j++ {
				next := d.lines[j].text
				if strings.TrimSpace(next) == "" || lintListItem.MatchString(next) || d.lines[j].heading != 0 ||
					len(next)-len(strings.TrimLeft(next, " \t")) <= len(m[1]) {
					break
				}
				text += " " + strings.TrimSpace(next)
			}
			if !lintOwner.MatchString(text) {
				out = append(out, Finding{Line: i + 1, Rule: RuleActionItemOwner,
					Message:    "action item has no owner",
					Suggestion: `add the owner's GitHub login and a due date: "(@login, due 2024-06-01)"`})
			}
			for _, due := range lintDue.FindAllStringSubmatch(text, -1) {
				if !lintValidDate(due[1]) {
					out = append(out, Finding{Line: i + 1, Rule: RuleActionItemOwner,
						Message:    fmt.Sprintf("due date %q is not a date", due[1]),
						Suggestion: "write the due date as YYYY-MM-DD, e.g. due 2024-06-01"})
				}
			}
		}
	}
	return out
}

func lintValidDate(s string) bool {
	if !lintISODate.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// lintQuiet keeps a fresh draft's findings a to-do list: a required section reported as empty is one
// finding, so the placeholders, unanswered whys and ownerless action items inside it are not reported
// again; a Five whys none of whose whys is answered is one finding.
func lintQuiet(d *lintDoc, fs []Finding) []Finding {
	type span struct{ start, end int }
	var empty []span
	for _, r := range d.required() {
		for _, s := range d.named(r.title) {
			if s.level >= 2 {
				if !d.hasContent(s) {
					empty = append(empty, span{s.start, s.end})
				}
				break
			}
		}
	}
	inEmpty := func(line int) bool {
		for _, s := range empty {
			if s.start <= line-1 && line-1 < s.end {
				return true
			}
		}
		return false
	}
	whys := map[int]int{} // first why's line of a Five whys none of whose whys is answered → count
	for _, s := range d.named("five whys", "5 whys") {
		ws := d.whys(s)
		unanswered := 0
		for _, w := range ws {
			if !w.hasAnswerLine || lintUnanswered(w.answer) {
				unanswered++
			}
		}
		if len(ws) > 1 && unanswered == len(ws) {
			whys[ws[0].line+1] = len(ws)
			for _, w := range ws[1:] {
				whys[-(w.line + 1)] = 1 // reported with the first
			}
		}
	}
	placeholders := map[int]bool{}
	for _, f := range fs {
		if f.Rule == RulePlaceholder {
			placeholders[f.Line] = true
		}
	}
	out := fs[:0]
	for _, f := range fs {
		if f.Rule == RuleActionItemOwner && placeholders[f.Line] {
			continue // "- [ ] TBD" is one thing to write
		}
		switch f.Rule {
		case RulePlaceholder, RuleUnansweredWhy, RuleActionItemOwner:
			if inEmpty(f.Line) {
				continue
			}
		}
		if f.Rule == RuleUnansweredWhy {
			if whys[-f.Line] == 1 {
				continue
			}
			if n, ok := whys[f.Line]; ok {
				f.Message = fmt.Sprintf("none of the %d whys is answered yet", n)
			}
		}
		out = append(out, f)
	}
	return d.onePlaceholderFindingPerSection(out)
}

// onePlaceholderFindingPerSection reports the placeholders of one part of the draft (a level-2 section with
// its subsections, or the header above the first) as one finding, on the first of them: each part is one
// thing to do in the review, and a time to detect that waits on its impact start is no second task.
func (d *lintDoc) onePlaceholderFindingPerSection(fs []Finding) []Finding {
	// part is the innermost section of level 1 or 2 holding line; the document's title section is its header.
	part := func(line int) (int, string) {
		key, name, level := -1, "the header", 0
		for i, s := range d.sections {
			if s.level <= 2 && s.level > level && s.line < line-1 && line-1 < s.end {
				key, level = s.line, s.level
				if name = strings.TrimSpace(strings.TrimLeft(d.lines[s.line].text, "#")); i == 0 && s.level == 1 {
					name = "the header"
				}
			}
		}
		return key, name
	}
	type group struct {
		at    int // index in out
		lines []string
	}
	groups := map[int]*group{}
	out := fs[:0]
	for _, f := range fs {
		if f.Rule != RulePlaceholder {
			out = append(out, f)
			continue
		}
		key, name := part(f.Line)
		g, ok := groups[key]
		if !ok {
			groups[key] = &group{at: len(out), lines: []string{fmt.Sprint(f.Line)}}
			out = append(out, f)
			continue
		}
		g.lines = append(g.lines, fmt.Sprint(f.Line))
		first := &out[g.at]
		first.Message = fmt.Sprintf("%d placeholders left in %s (lines %s)", len(g.lines), quoteSection(name), strings.Join(g.lines, ", "))
		first.Suggestion = "write what each placeholder stands for, or delete the lines that do not apply"
	}
	return out
}

func quoteSection(name string) string {
	if name == "the header" {
		return name
	}
	return fmt.Sprintf("section %q", name)
}
