package postmortem

import (
	"regexp"
	"strings"
)

// Text from PagerDuty (titles, notes, names) is data, never markup: the functions below make it safe to place
// in a GitHub Markdown document. They neutralise @-mentions (a zero-width joiner after the @ keeps the text
// readable but stops GitHub from pinging a user or team), HTML, link and emphasis syntax, and table pipes,
// and they leave every other character, non-ASCII included, as it is.
//
// They also neutralise what would let the text act on GitHub's issues: references ("#12", "owner/repo#12",
// "GH-12") get a zero-width joiner after "#" or "GH-", so GitHub neither links them nor adds a
// cross-reference to the issue, and a closing keyword ("fixes", "closes", "resolved"…) followed by
// something that could be a reference gets one after its first letter, so merging the postmortem closes
// nothing. Full URLs of issues stay links: a responder who pastes one means the link, GitHub only records
// that it was mentioned, and without a keyword in front of it a URL closes nothing.

const (
	zeroWidthJoiner = "\u200d"
	mentionBreak    = "@" + zeroWidthJoiner
)

var (
	// issueReference finds the start of "#12", "owner/repo#12" and "GH-12" (GitHub's autolinked references).
	issueReference = regexp.MustCompile(`(?i)(#|\bgh-)([0-9])`)
	// closingKeyword finds GitHub's closing keywords followed (after an optional colon) by a reference or a
	// URL.
	closingKeyword = regexp.MustCompile(`(?i)\b([cfr])(lose[sd]?|ix(?:e[sd])?|esolve[sd]?)([\s\p{Zs}]*:?[\s\p{Zs}]*(?:#|gh-|https?:|[a-z0-9_.\\-]+/[a-z0-9_.\\-]+#))`)
)

// neutraliseReferences breaks GitHub's issue references and closing keywords in s, which may be Markdown
// that is already escaped or plain text.
func neutraliseReferences(s string) string {
	// Both patterns need a "#", a "gh-" or a URL's scheme: most text (dates, times, prose) has none.
	if !strings.Contains(s, "#") && !precededByFold(s, '-', "gh") && !precededByFold(s, ':', "http") && !precededByFold(s, ':', "https") {
		return s
	}
	// The joiner goes inside the keyword, after its first letter: "f\u200dixes #\u200d12".
	s = closingKeyword.ReplaceAllString(s, "${1}"+zeroWidthJoiner+"${2}${3}")
	return issueReference.ReplaceAllString(s, "${1}"+zeroWidthJoiner+"${2}")
}

// precededByFold reports whether some c in s comes right after word, compared case-insensitively (word is
// lower-case ASCII).
func precededByFold(s string, c byte, word string) bool {
	for i := strings.IndexByte(s, c); i >= 0; {
		if i >= len(word) && strings.EqualFold(s[i-len(word):i], word) {
			return true
		}
		next := strings.IndexByte(s[i+1:], c)
		if next < 0 {
			return false
		}
		i += 1 + next
	}
	return false
}

// Plain returns s as one line of plain text for a pull request or issue title or a commit message: line
// breaks become spaces, and mentions, references and closing keywords are neutralised as in Inline. No
// Markdown is escaped, since none of those places render it.
func Plain(s string) string {
	return neutraliseReferences(strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "@", mentionBreak))
}

// inlineEscapes are the characters that start Markdown or HTML syntax inside a line.
var inlineEscaper = strings.NewReplacer(
	`\`, `\\`,
	"`", "\\`",
	"*", `\*`,
	"_", `\_`,
	"[", `\[`,
	"]", `\]`,
	"<", "&lt;",
	">", "&gt;",
	"&", "&amp;",
	"|", `\|`,
	"~", `\~`,
	"@", mentionBreak,
	"\r\n", " ",
	"\n", " ",
	"\r", " ",
	"\t", " ",
)

// inlineEscaped are the characters inlineEscaper replaces: text without any (most of a giant incident's
// timeline) is kept as it is instead of copied.
const inlineEscaped = "\\`*_[]<>&|~@\r\n\t"

// Inline returns s as literal text for one line of Markdown, a table cell included: line breaks become
// spaces, Markdown and HTML syntax is escaped, and mentions cannot ping.
func Inline(s string) string {
	if strings.ContainsAny(s, inlineEscaped) {
		s = inlineEscaper.Replace(s)
	}
	s = neutraliseReferences(s)
	// A line that starts with these is a heading, list item, quote or rule.
	if s != "" && strings.ContainsRune("#+-=!", rune(s[0])) {
		s = `\` + s
	}
	return s
}

// Block returns multi-line text as literal Markdown lines, each escaped as Inline does, so that a note keeps
// its line breaks without becoming markup. Every line is prefixed with prefix (e.g. "> " for a quote).
func Block(s, prefix string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			b.WriteString("  \n")
		}
		b.WriteString(prefix)
		b.WriteString(Inline(strings.TrimRight(line, " \t")))
	}
	return b.String()
}

// CodeSpan returns s inside a Markdown code span that s cannot close, for identifiers such as incident IDs.
func CodeSpan(s string) string {
	s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// Slug returns a short lowercase ASCII slug of s for file names: letters and digits joined by single
// hyphens, at most maxLen bytes, "incident" when nothing is left.
func Slug(s string, maxLen int) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
		if b.Len() >= maxLen {
			break
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > maxLen {
		out = strings.TrimRight(out[:maxLen], "-")
	}
	if out == "" {
		return "incident"
	}
	return out
}
