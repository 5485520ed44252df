package postmortem

import (
	"regexp"
	"sort"
	"strings"
)

// Rule IDs of the findings Lint reports. They are stable: configuration and tooling may refer to them.
const (
	RuleBlameLanguage   = "blame-language"
	RulePersonInCause   = "person-in-cause"
	RuleUnansweredWhy   = "unanswered-why"
	RulePlaceholder     = "placeholder"
	RuleEmptySection    = "empty-section"
	RuleActionItemOwner = "action-item-owner"
	// RulePersonName and RuleInternalHost check a customer-facing version (see CustomerMarker) for people's
	// names and for internal hosts, links and addresses.
	RulePersonName   = "person-name"
	RuleInternalHost = "internal-host"
)

// Finding is one problem Lint found in a postmortem.
type Finding struct {
	Line int `json:"line"` // 1-based
	// Column and EndColumn (1-based, in characters, EndColumn past the last) locate the words of a
	// finding on its line; 0 when the finding is about the whole line.
	Column     int    `json:"column,omitempty"`
	EndColumn  int    `json:"end_column,omitempty"`
	Rule       string `json:"rule"`
	Severity   string `json:"severity"` // error, warning or notice
	Message    string `json:"message"`
	Suggestion string `json:"suggestion"`
	// Actor is the person a blame-language finding is about, as the text names them, when it names one.
	Actor string `json:"actor,omitempty"`
}

// LintConfig tunes Lint. Its zero value applies the built-in rules as they are.
type LintConfig struct {
	// BlamePhrases are phrases to report as blame-language besides the built-in ones, matched
	// case-insensitively at word boundaries; a space matches any run of spaces.
	BlamePhrases []string `yaml:"blame_phrases"`
	// Rewordings maps a phrase to the rewording suggested with it. A key naming a built-in phrase ("forgot
	// to", "human error": see BuiltinBlamePhrases) replaces its suggestion; any other key adds the phrase.
	Rewordings map[string]string `yaml:"rewordings"`
	// ReplaceBlamePhrases drops the built-in phrases: only BlamePhrases and Rewordings apply.
	ReplaceBlamePhrases bool `yaml:"replace_blame_phrases"`
	// People are the responders' names, which must not appear in the root cause or the Five whys. The names
	// in a draft's "Responders:" list are added to them.
	People []string `yaml:"people"`
	// AllowedPhrases are never reported: a finding whose words fall inside one of them is dropped
	// ("human error budget", "blameless"), matched like BlamePhrases.
	AllowedPhrases []string `yaml:"allowed_phrases"`
	// Rules sets a rule's severity ("error", "warning", "notice") or turns it "off", by rule ID.
	Rules map[string]string `yaml:"rules"`
	// PublicHosts are hosts (and their subdomains) a customer-facing version may name and link to;
	// InternalDomains are domain suffixes that are internal besides the built-in ones. See Redaction.
	PublicHosts     []string `yaml:"public_hosts"`
	InternalDomains []string `yaml:"internal_domains"`
}

// Lint checks a postmortem in Markdown for blameful wording and for missing content, and returns its
// findings sorted by line, then rule. It reads nothing but markdown and cfg. Fenced code, code spans and
// HTML comments are never checked; the timeline's tables, quoted notes and <details> blocks, which quote
// PagerDuty, the table and list of "Changes before the incident", which quote GitHub and PagerDuty, and
// the facts table above the first section are not checked for blame-language or person-in-cause.
func Lint(markdown string, cfg LintConfig) []Finding {
	doc := parseLintDoc(markdown)
	doc.customer = IsCustomerVersion(markdown)
	names := append(append([]string(nil), cfg.People...), doc.responders()...)
	people := newLintPeople(names)
	var out []Finding
	out = append(out, lintBlame(doc, cfg, people)...)
	out = append(out, lintPersonInCause(doc, people)...)
	out = append(out, lintFiveWhys(doc)...)
	out = append(out, lintPlaceholders(doc)...)
	out = append(out, lintEmptySections(doc)...)
	out = append(out, lintActionItems(doc)...)
	if doc.customer {
		out = append(out, lintCustomer(markdown, cfg, names)...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Rule < out[j].Rule
	})
	return lintSettle(doc, lintQuiet(doc, out), cfg.Rules)
}

// lintLine is one line of the document as the rules see it.
type lintLine struct {
	raw string
	// text is raw with HTML comments and code spans blanked out, and empty inside fenced code.
	text string
	// quoted lines quote PagerDuty (timeline tables and notes, <details> blocks); facts lines are the
	// generated table above the first section.
	quoted, facts bool
	heading       int // 1–6 for an ATX heading, else 0
	title         string
}

// checked says whether the wording rules (blame-language, person-in-cause) look at the line.
func (l lintLine) checked() bool { return !l.quoted && !l.facts }

type lintSection struct {
	title      string // normalised: lowercase, no emphasis or trailing punctuation
	level      int
	line       int // index of the heading
	start, end int // indexes of its content, subsections included: [start, end)
}

type lintDoc struct {
	lines    []lintLine
	sections []lintSection
	// customer is true for a customer-facing version (see CustomerMarker).
	customer bool
}

// named returns the sections whose normalised title is one of titles, in document order.
func (d *lintDoc) named(titles ...string) []lintSection {
	var out []lintSection
	for _, s := range d.sections {
		for _, t := range titles {
			if s.title == t {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

var (
	lintHeading       = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$`)
	lintFence         = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})")
	lintBoldLine      = regexp.MustCompile(`^\*\*.*\*\*$`)
	lintClosingHashes = regexp.MustCompile(`[ \t]+#+$`)
	lintTitleEmphasis = strings.NewReplacer("*", "", "_", "", "`", "")
	lintTitleSpace    = regexp.MustCompile(`\s+`)
	lintDetailsOpen   = regexp.MustCompile(`(?i)<details[\s>]`)
	lintDetailsClose  = regexp.MustCompile(`(?i)</details\s*>`)
	lintUnescape      = regexp.MustCompile(`\\([[:punct:]])`)
)

func parseLintDoc(markdown string) *lintDoc {
	raw := strings.Split(strings.ReplaceAll(markdown, "\r\n", "\n"), "\n")
	d := &lintDoc{lines: make([]lintLine, len(raw))}
	inComment := false
	fence := ""
	for i, r := range raw {
		l := lintLine{raw: r}
		switch {
		case fence != "":
			if t := strings.TrimSpace(r); strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
				fence = ""
			}
		case !inComment && lintFence.MatchString(r):
			fence = lintFence.FindStringSubmatch(r)[1]
		default:
			l.text, inComment = lintMaskComments(r, inComment)
			l.text = lintMaskCodeSpans(l.text)
			if m := lintHeading.FindStringSubmatch(l.text); m != nil {
				l.heading = len(m[1])
				l.title = lintTitle(m[2])
			}
		}
		d.lines[i] = l
	}
	for i, l := range d.lines {
		if l.heading == 0 {
			continue
		}
		end := len(d.lines)
		for j := i + 1; j < len(d.lines); j++ {
			if h := d.lines[j].heading; h != 0 && h <= l.heading {
				end = j
				break
			}
		}
		d.sections = append(d.sections, lintSection{title: l.title, level: l.heading, line: i, start: i + 1, end: end})
	}
	d.markQuoted()
	return d
}

// markQuoted marks the lines that quote PagerDuty or that Hindsight generated as data.
func (d *lintDoc) markQuoted() {
	for _, s := range d.named("timeline") {
		for i := s.start; i < s.end; i++ {
			t := strings.TrimSpace(d.lines[i].text)
			if strings.HasPrefix(t, "|") || strings.HasPrefix(t, ">") || lintBoldLine.MatchString(t) {
				d.lines[i].quoted = true
			}
		}
	}
	// The changes section quotes GitHub and PagerDuty: its table, and the list of what could not be read.
	for _, s := range d.named("changes before the incident") {
		for i := s.start; i < s.end; i++ {
			t := strings.TrimSpace(d.lines[i].text)
			if strings.HasPrefix(t, "|") || strings.HasPrefix(t, "- ") {
				d.lines[i].quoted = true
			}
		}
	}
	inDetails := false
	for i := range d.lines {
		t := d.lines[i].text
		if lintDetailsOpen.MatchString(t) {
			inDetails = true
		}
		if inDetails {
			d.lines[i].quoted = true
		}
		if lintDetailsClose.MatchString(t) {
			inDetails = false
		}
	}
	for i := range d.lines {
		if h := d.lines[i].heading; h >= 2 {
			break
		}
		if strings.HasPrefix(strings.TrimSpace(d.lines[i].text), "|") {
			d.lines[i].facts = true
		}
	}
}

// responders returns the names listed under a "Responders:" line, as Hindsight's templates write them.
func (d *lintDoc) responders() []string {
	var names []string
	for i, l := range d.lines {
		if strings.TrimSpace(l.text) != "Responders:" {
			continue
		}
		for _, item := range d.lines[i+1:] {
			t := strings.TrimSpace(item.text)
			if t == "" {
				continue
			}
			if !strings.HasPrefix(t, "- ") {
				break
			}
			name, _, _ := strings.Cut(t[2:], ": ")
			if name = strings.TrimSpace(lintUnescape.ReplaceAllString(name, "$1")); name != "" {
				names = append(names, name)
			}
		}
	}
	return names
}

func lintTitle(s string) string {
	s = lintClosingHashes.ReplaceAllString(s, "")
	s = lintTitleEmphasis.Replace(s)
	s = lintTitleSpace.ReplaceAllString(strings.TrimSpace(s), " ")
	return strings.ToLower(strings.TrimRight(s, ":.?! "))
}

// maskComments blanks out HTML comments, which may span lines: inComment says whether line starts inside
// one, and the result whether the next line does.
func lintMaskComments(line string, inComment bool) (string, bool) {
	var b strings.Builder
	for line != "" {
		if inComment {
			i := strings.Index(line, "-->")
			if i < 0 {
				b.WriteString(strings.Repeat(" ", len(line)))
				return b.String(), true
			}
			b.WriteString(strings.Repeat(" ", i+3))
			line, inComment = line[i+3:], false
			continue
		}
		i := strings.Index(line, "<!--")
		if i < 0 {
			b.WriteString(line)
			break
		}
		b.WriteString(line[:i] + "    ")
		line, inComment = line[i+4:], true
	}
	return b.String(), inComment
}

// maskCodeSpans blanks out inline code spans (a run of backticks up to the next run of the same length);
// a backslash-escaped backtick opens nothing.
func lintMaskCodeSpans(s string) string {
	if !strings.Contains(s, "`") {
		return s
	}
	b := []byte(s)
	for i := 0; i < len(b); {
		if b[i] != '`' || i > 0 && b[i-1] == '\\' {
			i++
			continue
		}
		j := i
		for j < len(b) && b[j] == '`' {
			j++
		}
		closing := -1
		for k := j; k < len(b); {
			if b[k] != '`' {
				k++
				continue
			}
			m := k
			for m < len(b) && b[m] == '`' {
				m++
			}
			if m-k == j-i {
				closing = m
				break
			}
			k = m
		}
		if closing < 0 {
			i = j
			continue
		}
		for x := i; x < closing; x++ {
			b[x] = ' '
		}
		i = closing
	}
	return string(b)
}
