package postmortem

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Severities of findings, as LintConfig.Rules sets them.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityNotice  = "notice"
	severityOff     = "off"
)

// LintRules returns the IDs of Lint's rules with their default severity.
func LintRules() map[string]string {
	return map[string]string{
		RuleBlameLanguage:   SeverityError,
		RulePersonInCause:   SeverityError,
		RuleUnansweredWhy:   SeverityWarning,
		RulePlaceholder:     SeverityWarning,
		RuleEmptySection:    SeverityWarning,
		RuleActionItemOwner: SeverityWarning,
		RulePersonName:      SeverityError,
		RuleInternalHost:    SeverityError,
	}
}

// Check reports the first setting of cfg that names an unknown rule or severity.
func (cfg LintConfig) Check() error {
	known := LintRules()
	ids := make([]string, 0, len(cfg.Rules))
	for id := range cfg.Rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if _, ok := known[id]; !ok {
			return fmt.Errorf("rules: unknown rule %q (want one of %s)", id, strings.Join(lintRuleIDs(), ", "))
		}
		switch cfg.Rules[id] {
		case SeverityError, SeverityWarning, SeverityNotice, severityOff:
		default:
			return fmt.Errorf("rules: %s: severity %q: want error, warning, notice or off", id, cfg.Rules[id])
		}
	}
	return nil
}

func lintRuleIDs() []string {
	var ids []string
	for id := range LintRules() {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func lintAllowed(phrases []string) []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, p := range phrases {
		p = strings.TrimSpace(strings.ReplaceAll(p, "’", "'"))
		if p != "" {
			out = append(out, lintWordPattern(strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)))
		}
	}
	return out
}

// lintIsAllowed says whether the words of m fall inside an allowed phrase of the sentence.
func lintIsAllowed(allowed []*regexp.Regexp, text string, m lintMatch) bool {
	for _, re := range allowed {
		for _, loc := range lintFindWords(re, text) {
			if loc[0] <= m.start && m.end <= loc[1] {
				return true
			}
		}
	}
	return false
}

var lintDisable = regexp.MustCompile(`<!--\s*hindsight-lint-disable-next-line\b([^>]*?)\s*-->`)

// lintSettle gives findings their severity, drops the rules turned off and the findings an inline
// "<!-- hindsight-lint-disable-next-line RULE -->" silences, and keeps one finding per line.
func lintSettle(d *lintDoc, fs []Finding, rules map[string]string) []Finding {
	disabled := map[int]map[string]bool{} // line index → rules silenced there ("" for all)
	for i, l := range d.lines {
		for _, m := range lintDisable.FindAllStringSubmatch(l.raw, -1) {
			next := i + 1
			for next < len(d.lines) && strings.TrimSpace(d.lines[next].raw) == "" {
				next++
			}
			if disabled[next] == nil {
				disabled[next] = map[string]bool{}
			}
			ids := strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
			if len(ids) == 0 {
				disabled[next][""] = true
			}
			for _, id := range ids {
				disabled[next][id] = true
			}
		}
	}
	defaults := LintRules()
	var kept []Finding
	for _, f := range fs {
		sev := defaults[f.Rule]
		if s, ok := rules[f.Rule]; ok {
			sev = s
		}
		if sev == severityOff || disabled[f.Line-1][""] || disabled[f.Line-1][f.Rule] {
			continue
		}
		f.Severity = sev
		kept = append(kept, f)
	}
	// One finding per line: the most severe leads, the others' messages join it. The missing sections,
	// all reported on line 1, stay one finding each.
	rank := map[string]int{SeverityError: 0, SeverityWarning: 1, SeverityNotice: 2}
	sort.SliceStable(kept, func(i, j int) bool {
		if kept[i].Line != kept[j].Line {
			return kept[i].Line < kept[j].Line
		}
		return rank[kept[i].Severity] < rank[kept[j].Severity]
	})
	out := kept[:0]
	lead := map[int]int{}
	lastRule := map[int]string{}
	for _, f := range kept {
		missing := f.Rule == RuleEmptySection && strings.HasPrefix(f.Message, "required section")
		if i, ok := lead[f.Line]; ok && !missing {
			if lastRule[f.Line] == f.Rule {
				out[i].Message += "; " + f.Message
			} else {
				out[i].Message += "; " + f.Rule + ": " + f.Message
			}
			lastRule[f.Line] = f.Rule
			continue
		}
		lastRule[f.Line] = f.Rule
		if !missing {
			lead[f.Line] = len(out)
		}
		out = append(out, f)
	}
	return out
}

// Blocking says whether findings should fail a check: any finding but a notice.
func Blocking(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity != SeverityNotice {
			return true
		}
	}
	return false
}
