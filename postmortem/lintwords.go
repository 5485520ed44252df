package postmortem

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// blamePhrase is one pattern of the blame-language rule.
type lintBlamePhrase struct {
	name       string // the phrase as configuration names it
	pattern    *regexp.Regexp
	suggestion string
	// personal phrases ("failed to", "fault of") are blame only when a person is their subject (the words
	// before) or, with object set, their object (the words after).
	personal, object bool
	// exempt says whether a match is a near-miss after all ("nobody's fault", "blame-free").
	exempt func(line string, loc []int) bool
}

const lintGenericRewording = `describe the conditions that allowed it, not the person: "the runbook did not say to …", "the alert did not page anyone"`

// BuiltinBlamePhrases returns the names of the built-in blame phrases, for LintConfig.Rewordings.
func BuiltinBlamePhrases() []string {
	var names []string
	for _, p := range lintBuiltins {
		names = append(names, p.name)
	}
	return names
}

// lintBuiltins are compiled once; lintPhrases copies them before changing a suggestion.
var lintBuiltins = lintBuiltinPhrases()

func lintBuiltinPhrases() []lintBlamePhrase {
	const (
		conditions = `describe the conditions that made the mistake possible: "the command ran against production without a confirmation step"`
		fault      = `say which safeguard was missing instead of whose fault it was: "the pipeline let the change skip the canary"`
		character  = `describe the action and what allowed it, not the person's character: "the rollback command has no dry-run mode and targets every region"`
		hindsight  = `say what information or check was missing at the time: "nothing on the dashboard showed the flag was still on", "the review checklist has no item for indexes"`
		omission   = `say what should have prompted the step: "the runbook did not list renewing the certificate", "nothing renews it automatically"`
		failed     = `describe the gap, not the person: "the runbook did not say to escalate", "escalation was not automated"`
		bother     = `say why the step looked unnecessary or costly: "staging tests take 40 minutes and are optional for config changes"`
		blame      = `describe causes, not culprits: "the release process did not require a canary"`
		mistake    = `name the step and what made it easy to get wrong: "the migration script does not check that the previous step ran"`
		ignored    = `say why the alert did not lead to action: "the alert did not page anyone", "the alert fires 40 times a day and was muted"`
		obvious    = `drop it: what is obvious in hindsight was not at the time; say what was visible then: "disk usage on the dashboard was at 91%"`
		idiom      = `say what happened and what allowed it: "the capacity review was skipped because it had no owner"`
	)
	word := func(name, expr, suggestion string) lintBlamePhrase {
		return lintBlamePhrase{name: name, pattern: lintWordPattern(expr), suggestion: suggestion}
	}
	personal := func(p lintBlamePhrase, object bool) lintBlamePhrase {
		p.personal, p.object = true, object
		return p
	}
	notNobody := func(line string, loc []int) bool {
		before := strings.ToLower(line[:loc[0]])
		possessor := strings.ToLower(line[loc[0]:loc[1]])
		return strings.HasPrefix(possessor, "nobody") || strings.HasPrefix(possessor, "anybody") ||
			strings.HasPrefix(possessor, "anyone") || strings.HasPrefix(possessor, "noone") ||
			strings.HasPrefix(possessor, "one") && strings.HasSuffix(strings.TrimSpace(before), "no")
	}
	notBlameless := func(line string, loc []int) bool {
		after := strings.ToLower(line[loc[1]:])
		before := strings.ToLower(strings.TrimSpace(line[:loc[0]]))
		return strings.HasPrefix(after, "-free") || strings.HasPrefix(after, "-less") ||
			strings.HasSuffix(before, " no") || before == "no" || strings.HasSuffix(before, "without") ||
			strings.HasSuffix(before, "not")
	}
	ps := []lintBlamePhrase{
		word("human error", `(?:human|operator|user|pilot|engineer|engineering) errors?`, conditions),
		{name: "'s fault", pattern: lintWordPattern(`[\p{L}\p{N}_-]+'s? fault|(?:my|his|her|their|our|your) fault`), suggestion: fault, exempt: notNobody},
		personal(word("fault of", `(?:the )?fault of`, fault), true),
		personal(word("at fault", `(?:was|were|is|are|am) at fault`, fault), false),
		word("careless", `careless(?:ly|ness)?`, character),
		word("negligent", `negligen(?:t|tly|ce)`, character),
		word("reckless", `reckless(?:ly|ness)?`, character),
		word("sloppy", `slopp(?:y|ily|iness)`, character),
		word("incompetent", `incompeten(?:t|ce|tly)`, character),
		word("lazy", `laz(?:y|ily|iness)`, character),
		word("stupid", `stupid(?:ly|ity)?|dumb|idiot(?:ic|s)?`, character),
		word("should have known", `should(?: have|'ve) (?:known|realised|realized|understood|thought)`, hindsight),
		word("should have caught", `should(?: have|'ve) (?:caught|noticed|seen|spotted|checked|double-checked|tested|verified|looked|read|asked|paid attention|been more careful)`, hindsight),
		word("forgot to", `(?:forgot|forgotten|neglected|omitted) to|forgot (?:about|that)`, omission),
		personal(word("failed to", `failed to|did not manage to|didn't manage to`, failed), false),
		word("didn't bother", `(?:didn't|did not|couldn't be|could not be|can't be|cannot be|never|wasn't|was not|nobody|no one) (?:even )?bother(?:ed|s)?`, bother),
		{name: "blame", pattern: lintWordPattern(`blam(?:e|ed|es|ing)`), suggestion: blame, exempt: notBlameless},
		word("mistake by", `(?:mistake|error|slip) (?:by|of)|(?:his|her|their) (?:mistake|error)`, mistake),
		word("ignored the alert", `ignored (?:the|an|a|his|her|their|our|my|every|all) (?:\w+ )?(?:alerts?|alarms?|pages?|warnings?|notifications?|pager)`, ignored),
		word("obviously", `obviously`, obvious),
		word("simply", `simply`, obvious),
		word("dropped the ball", `dropped the ball`, idiom),
		word("messed up", `(?:messed|screwed) up|botched|fat[- ]fingered`, idiom),
	}
	return ps
}

// newBlamePhrases returns the phrases cfg asks for, in a fixed order.
func lintPhrases(cfg LintConfig) []lintBlamePhrase {
	var ps []lintBlamePhrase
	if !cfg.ReplaceBlamePhrases {
		ps = append(ps, lintBuiltins...)
	}
	known := map[string]int{}
	for i, p := range ps {
		known[p.name] = i
	}
	add := func(phrase, suggestion string) {
		phrase = strings.TrimSpace(strings.ReplaceAll(phrase, "’", "'"))
		if phrase == "" {
			return
		}
		if i, ok := known[strings.ToLower(phrase)]; ok {
			if suggestion != "" {
				ps[i].suggestion = suggestion
			}
			return
		}
		if suggestion == "" {
			suggestion = lintGenericRewording
		}
		expr := strings.Join(strings.Fields(regexp.QuoteMeta(phrase)), `\s+`)
		known[strings.ToLower(phrase)] = len(ps)
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
	return ps
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

// personWords are the words that name a person or a group of people, as the subject or object of a
// personal blame phrase.
var lintPersonWords = map[string]bool{
	"i": true, "we": true, "he": true, "she": true, "they": true, "you": true, "me": true, "us": true, "him": true,
	"her": true, "them": true, "someone": true, "somebody": true, "everyone": true, "whoever": true,
	"engineer": true, "engineers": true, "developer": true, "developers": true, "dev": true, "devs": true,
	"operator": true, "operators": true, "on-call": true, "oncall": true, "responder": true, "responders": true,
	"reviewer": true, "reviewers": true, "author": true, "admin": true, "administrator": true, "dba": true,
	"sre": true, "sres": true, "intern": true, "contractor": true, "team": true, "teams": true, "person": true,
	"people": true, "staff": true, "employee": true, "hire": true, "manager": true, "lead": true,
	"commander": true, "owner": true, "teammate": true, "colleague": true, "human": true,
}

// peopleMatcher finds the responders' names in text.
type lintPeople struct {
	names []*regexp.Regexp // full names, case-insensitive, and first names, case-sensitive
}

func newLintPeople(names []string) *lintPeople {
	m := &lintPeople{}
	seen := map[string]bool{}
	addName := func(expr string) {
		if seen[expr] {
			return
		}
		seen[expr] = true
		m.names = append(m.names, regexp.MustCompile(`(?:^|[^\p{L}\p{N}_@])(`+expr+`)(?:[^\p{L}\p{N}_]|$)`))
	}
	for _, n := range names {
		fields := strings.Fields(n)
		if len(fields) == 0 {
			continue
		}
		quoted := make([]string, len(fields))
		for i, f := range fields {
			quoted[i] = regexp.QuoteMeta(f)
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

// isPerson says whether a word names a person: a pronoun, a role or a responder.
func (m *lintPeople) isPerson(word string) bool {
	w := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(word, "'s"), "'"))
	return lintPersonWords[w] || len(m.find(word)) > 0
}

var lintClauseBreak = regexp.MustCompile(`[.;:!?,()"]|\s(?:because|and|but|so|while|when|after|before)\s`)

// nearbyWords returns up to n words next to the match at loc in its clause: before it, or after it.
func lintNearbyWords(line string, loc []int, after bool, n int) []string {
	var part string
	if after {
		part = line[loc[1]:]
		if b := lintClauseBreak.FindStringIndex(part); b != nil {
			part = part[:b[0]]
		}
	} else {
		part = line[:loc[0]]
		if bs := lintClauseBreak.FindAllStringIndex(part, -1); bs != nil {
			part = part[bs[len(bs)-1][1]:]
		}
	}
	words := strings.Fields(part)
	if after {
		return words[:min(n, len(words))]
	}
	return words[max(0, len(words)-n):]
}

func lintBlame(d *lintDoc, phrases []lintBlamePhrase, people *lintPeople) []Finding {
	var out []Finding
	for i, l := range d.lines {
		if !l.checked() || strings.TrimSpace(l.text) == "" {
			continue
		}
		text := strings.ReplaceAll(l.text, "’", "'")
		for _, p := range phrases {
			for _, loc := range lintFindWords(p.pattern, text) {
				if p.exempt != nil && p.exempt(text, loc) {
					continue
				}
				if p.personal && !lintPersonNearby(people, lintNearbyWords(text, loc, p.object, 3)) {
					continue
				}
				out = append(out, Finding{
					Line:       i + 1,
					Rule:       RuleBlameLanguage,
					Message:    fmt.Sprintf("blameful wording %q", text[loc[0]:loc[1]]),
					Suggestion: p.suggestion,
				})
			}
		}
	}
	return out
}

func lintPersonNearby(people *lintPeople, words []string) bool {
	for _, w := range words {
		if people.isPerson(strings.Trim(w, "*_")) {
			return true
		}
	}
	return false
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
