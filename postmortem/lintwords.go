package postmortem

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// lintBlamePhrase is a phrase configuration adds to the blame-language rule: reported wherever it is.
type lintBlamePhrase struct {
	name       string // the phrase as configuration names it
	pattern    *regexp.Regexp
	suggestion string
}

const lintGenericRewording = `describe the conditions that allowed it, not the person: "the runbook did not say to …", "the alert did not page anyone"`

// BuiltinBlamePhrases returns the names of the built-in wordings of the blame-language rule, for
// LintConfig.Rewordings.
func BuiltinBlamePhrases() []string {
	var names []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, p := range lintPhraseBuiltins {
		add(p.name)
	}
	for _, r := range lintVerbRules {
		add(r.name)
	}
	add("blame question")
	add("someone")
	return names
}

// lintPhrases returns the phrases cfg adds, in a fixed order, and the suggestions it gives built-in
// wordings.
func lintPhrases(cfg LintConfig) ([]lintBlamePhrase, map[string]string) {
	builtin := map[string]bool{}
	for _, n := range BuiltinBlamePhrases() {
		builtin[n] = true
	}
	suggestions := map[string]string{}
	var ps []lintBlamePhrase
	known := map[string]int{}
	add := func(phrase, suggestion string) {
		phrase = strings.TrimSpace(strings.ReplaceAll(phrase, "’", "'"))
		if phrase == "" {
			return
		}
		key := strings.ToLower(strings.Join(strings.Fields(phrase), " "))
		if builtin[key] && !cfg.ReplaceBlamePhrases {
			if suggestion != "" {
				suggestions[key] = suggestion
			}
			return
		}
		if i, ok := known[key]; ok {
			if suggestion != "" {
				ps[i].suggestion = suggestion
			}
			return
		}
		if suggestion == "" {
			suggestion = lintGenericRewording
		}
		expr := strings.Join(strings.Fields(regexp.QuoteMeta(phrase)), `\s+`)
		known[key] = len(ps)
		ps = append(ps, lintBlamePhrase{name: phrase, pattern: lintWordPattern(expr), suggestion: suggestion})
	}
	for _, p := range cfg.BlamePhrases {
		add(p, cfg.Rewordings[p])
	}
	keys := make([]string, 0, len(cfg.Rewordings))
	for k := range cfg.Rewordings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		add(k, cfg.Rewordings[k])
	}
	return ps, suggestions
}

// wordPattern matches expr case-insensitively between word boundaries that know non-ASCII letters; the
// match is submatch 1. A space in expr matches any run of white space.
func lintWordPattern(expr string) *regexp.Regexp {
	expr = strings.ReplaceAll(expr, " ", `\s+`)
	return regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}_])(` + expr + `)(?:[^\p{L}\p{N}_]|$)`)
}

// findWords returns the [start, end) of every match of submatch 1 of a wordPattern in s.
func lintFindWords(re *regexp.Regexp, s string) [][]int {
	var out [][]int
	for from := 0; from < len(s); {
		m := re.FindStringSubmatchIndex(s[from:])
		if m == nil {
			break
		}
		out = append(out, []int{from + m[2], from + m[3]})
		from += max(m[3], m[2]+1)
	}
	return out
}

// peopleMatcher finds the responders' names in text.
type lintPeople struct {
	names []*regexp.Regexp // full names, case-insensitive, and first names, case-sensitive
	keys  []string         // for each name, a lower-case part a text must hold for it to be tried
}

func newLintPeople(names []string) *lintPeople {
	m := &lintPeople{}
	seen := map[string]bool{}
	key := ""
	addName := func(expr string) {
		if seen[expr] {
			return
		}
		seen[expr] = true
		m.names = append(m.names, regexp.MustCompile(`(?:^|[^\p{L}\p{N}_@])(`+expr+`)(?:[^\p{L}\p{N}_]|$)`))
		m.keys = append(m.keys, key)
	}
	for _, n := range names {
		fields := strings.Fields(n)
		if len(fields) == 0 || !utf8.ValidString(n) {
			continue // no text holds a name that is not UTF-8
		}
		quoted := make([]string, len(fields))
		for i, f := range fields {
			quoted[i] = regexp.QuoteMeta(f)
		}
		key = strings.ToLower(strings.TrimPrefix(fields[0], "@"))
		if login, ok := strings.CutPrefix(n, "@"); ok && len(fields) == 1 && login != "" {
			// A GitHub login: "@ana" or "ana" as written, never a part of a word or a path.
			addName(`@?` + regexp.QuoteMeta(login))
			continue
		}
		first := []rune(fields[0])
		if len(first) > 0 && strings.ToLower(string(first[:1])) == string(first[:1]) && strings.ToUpper(string(first[:1])) != string(first[:1]) {
			continue // "responder 1": a role, as preview --roles writes it
		}
		addName(`(?i:` + strings.Join(quoted, `\s+`) + `)`)
		if len(fields) > 1 && len(first) > 1 {
			addName(quoted[0]) // "Alice" of "Alice Example", case-sensitive: "Will" is a name, "will" is not
		}
	}
	return m
}

// find returns the names in s, in order of appearance.
func (m *lintPeople) find(s string) []string {
	type hit struct {
		at   int
		name string
	}
	var hits []hit
	for _, re := range m.names {
		for _, loc := range lintFindWords(re, s) {
			hits = append(hits, hit{loc[0], s[loc[0]:loc[1]]})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
	var out []string
	end := -1
	for _, h := range hits {
		if h.at < end {
			continue // "Alice" inside "Alice Example"
		}
		out = append(out, h.name)
		end = h.at + len(h.name)
	}
	return out
}

// lintBlame reports the blameful wording of every sentence of prose, one finding per sentence and line.
func lintBlame(d *lintDoc, cfg LintConfig, people *lintPeople) []Finding {
	custom, suggestions := lintPhrases(cfg)
	allowed := lintAllowed(cfg.AllowedPhrases)
	var out []Finding
	for _, s := range d.sentences() {
		var ms []lintMatch
		for _, m := range lintBlameSentence(&s, people, custom, suggestions, cfg.ReplaceBlamePhrases) {
			if !lintIsAllowed(allowed, s.text, m) {
				ms = append(ms, m)
			}
		}
		if len(ms) == 0 {
			continue
		}
		// One finding per line: the words of a sentence that fall on one line are reported together.
		byLine := map[int][]lintMatch{}
		var lines []int
		for _, m := range ms {
			l := s.pos(m.start).line
			if byLine[l] == nil {
				lines = append(lines, l)
			}
			byLine[l] = append(byLine[l], m)
		}
		for _, l := range lines {
			out = append(out, lintBlameFinding(d, &s, byLine[l]))
		}
	}
	return out
}

// lintBlameFinding describes the wording found on one line of a sentence: the words, the person they are
// about, and a rewording.
func lintBlameFinding(d *lintDoc, s *lintSentence, ms []lintMatch) Finding {
	var parts []string
	actor := ""
	for _, m := range ms {
		part := fmt.Sprintf("blameful wording %q", strings.Join(strings.Fields(s.text[m.start:m.end]), " "))
		if m.actor.kind != actorNone && m.actor.kind != actorSystem && m.actor.name != "" {
			name := strings.Join(strings.Fields(m.actor.name), " ")
			part += fmt.Sprintf(" about %q", name)
			if actor == "" {
				actor = name
			}
		}
		parts = append(parts, part)
	}
	msg := strings.Join(parts, "; ")
	start, end := s.pos(ms[0].start), s.pos(ms[len(ms)-1].end-1)
	line := d.lines[start.line].raw
	f := Finding{Line: start.line + 1, Column: utf8.RuneCountInString(line[:start.col]) + 1, Rule: RuleBlameLanguage,
		Message: msg, Suggestion: ms[0].suggestion, Actor: actor}
	if end.line == start.line && end.col < len(line) {
		f.EndColumn = utf8.RuneCountInString(line[:end.col+1]) + 1
	}
	return f
}

var lintMention = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_@/.\-\\])(@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9_.-]+)?)`)

// lintPersonInCause reports responders' names and @mentions in the root cause and the Five whys.
func lintPersonInCause(d *lintDoc, people *lintPeople) []Finding {
	const suggestion = `name the role or the system instead: "the on-call engineer", "the deploy pipeline", "the migration script"`
	var out []Finding
	done := map[int]bool{}
	for _, s := range d.named("root cause", "five whys", "5 whys") {
		for i := s.start; i < s.end; i++ {
			l := d.lines[i]
			if done[i] || !l.checked() {
				continue
			}
			done[i] = true
			for _, m := range lintMention.FindAllStringSubmatch(l.text, -1) {
				out = append(out, Finding{Line: i + 1, Rule: RulePersonInCause,
					Message: fmt.Sprintf("%s is mentioned in the root cause", m[1]), Suggestion: suggestion})
			}
			for _, name := range people.find(l.text) {
				out = append(out, Finding{Line: i + 1, Rule: RulePersonInCause,
					Message: fmt.Sprintf("responder %q is named in the root cause", name), Suggestion: suggestion})
			}
		}
	}
	return out
}
