package postmortem

import (
	"fmt"
	"unicode/utf8"
)

// lintCustomer reports, in a customer-facing version, every person's name, login or email and every
// internal host, link and address the redaction would remove: such a version names people by role and
// shows nothing of the inside.
func lintCustomer(markdown string, cfg LintConfig, people []string) []Finding {
	r := newRedactor(Redaction{People: people, PublicHosts: cfg.PublicHosts, InternalDomains: cfg.InternalDomains})
	var out []Finding
	for i, l := range documentLines(markdown) {
		if l.skip {
			continue
		}
		text, _ := lintMaskComments(l.text, false)
		for _, s := range r.scan(text) {
			if s.keep {
				continue
			}
			f := Finding{Line: i + 1, Column: utf8.RuneCountInString(text[:s.start]) + 1, EndColumn: utf8.RuneCountInString(text[:s.end]) + 1}
			switch s.kind {
			case RemovedPerson:
				f.Rule, f.Actor = RulePersonName, s.text
				f.Message = fmt.Sprintf("names a person (%s): the customer version names people by role", s.text)
				f.Suggestion = "write their role instead, such as \"" + s.with + "\""
			case RemovedLink:
				f.Rule = RuleInternalHost
				f.Message = fmt.Sprintf("links to %s, which customers cannot open", s.text)
				f.Suggestion = "remove the link, or add its host to lint.public_hosts when it is public"
			default:
				f.Rule = RuleInternalHost
				f.Message = fmt.Sprintf("names the internal %s %s", s.kind, s.text)
				f.Suggestion = "describe the system instead (\"a database server\"), or add the host to lint.public_hosts when it is public"
			}
			out = append(out, f)
		}
	}
	return out
}
