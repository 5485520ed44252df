package postmortem

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// lintPos is where a byte of a sentence came from: a line index and a byte offset in that line.
type lintPos struct{ line, col int }

// lintToken is a word of a sentence, or a punctuation mark that ends a clause.
type lintToken struct {
	start, end int    // byte offsets in the sentence's text
	text       string // as written, with typographic apostrophes made straight
	lower      string
	punct      bool // , ; : ( ) and dashes: a clause ends there
}

// lintSentence is one sentence of prose, joined across the lines it spans. Quoted text, code, links' URLs
// and HTML are blanked out of text, which keeps its length so that at maps every byte to its source.
type lintSentence struct {
	text     string
	at       []lintPos
	toks     []lintToken
	question bool
}

// pos returns the source position of the byte at offset i of the sentence.
func (s *lintSentence) pos(i int) lintPos {
	if len(s.at) == 0 {
		return lintPos{}
	}
	return s.at[min(max(i, 0), len(s.at)-1)]
}

var (
	lintQuoteLine  = regexp.MustCompile(`^\s*>`)
	lintTableRule  = regexp.MustCompile(`^\s*\|?\s*:?-{3,}`)
	lintLogLine    = regexp.MustCompile(`^\s*\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}[^ ]*\]?\s.*\b(?:ERROR|WARN(?:ING)?|INFO|DEBUG|FATAL|level=)`)
	lintLinkURL    = regexp.MustCompile(`\]\([^)\s]*(?:\s+"[^"]*")?\)`)
	lintBareURL    = regexp.MustCompile(`(?:https?|ftp)://[^\s)>\]]+`)
	lintHTMLTag    = regexp.MustCompile(`</?[A-Za-z][^<>]*>`)
	lintQuoted     = regexp.MustCompile(`"[^"]{1,300}"`)
	lintWordToken  = regexp.MustCompile(`[@#]?[\p{L}\p{N}](?:[\p{L}\p{N}_'\-./]*[\p{L}\p{N}_])?|[,;:()]|\s[-–—]+\s`)
	lintAbbrev     = map[string]bool{"e.g": true, "i.e": true, "etc": true, "vs": true, "approx": true, "mr": true, "mrs": true, "ms": true, "dr": true, "no": true, "cf": true, "incl": true, "fig": true, "st": true}
	lintListMarker = regexp.MustCompile(`^\s*(?:[-*+]|\d{1,9}[.)])(?:\s+\[[ xX]\])?\s+`)
)

// sentences splits the prose of the lines the wording rules check into sentences. Paragraphs, list items,
// headings and table cells are joined across lines and split at sentence ends; quotes ("> …"), fenced
// code, log lines and lines Hindsight quotes or generates are left out.
func (d *lintDoc) sentences() []lintSentence {
	var out []lintSentence
	var unit []byte
	var at []lintPos
	flush := func() {
		if len(unit) > 0 {
			out = append(out, lintSplit(string(unit), at)...)
		}
		unit, at = nil, nil
	}
	add := func(i int, s string, from int) {
		if len(unit) > 0 {
			unit = append(unit, ' ')
			at = append(at, at[len(at)-1])
		}
		for j := 0; j < len(s); {
			r, n := utf8.DecodeRuneInString(s[j:])
			switch r {
			case '’', '‘', 'ʼ':
				unit = append(unit, '\'')
				at = append(at, lintPos{i, from + j})
			case '“', '”', '„':
				unit = append(unit, '"')
				at = append(at, lintPos{i, from + j})
			default:
				unit = append(unit, s[j:j+n]...)
				for k := range n {
					at = append(at, lintPos{i, from + j + k})
				}
			}
			j += n
		}
	}
	code := d.codeLines()
	for i, l := range d.lines {
		t := l.text
		if !l.checked() || strings.TrimSpace(t) == "" || lintQuoteLine.MatchString(t) || lintTableRule.MatchString(t) ||
			lintLogLine.MatchString(t) || code[i] {
			flush()
			continue
		}
		if l.heading != 0 {
			flush()
			m := lintHeading.FindStringSubmatchIndex(t)
			if m[4] >= 0 {
				add(i, t[m[4]:m[5]], m[4])
			}
			flush()
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(t), "|") {
			flush()
			add(i, t, 0)
			flush()
			continue
		}
		from := 0
		if m := lintListMarker.FindStringIndex(t); m != nil {
			flush()
			from = m[1]
		}
		add(i, t[from:], from)
	}
	flush()
	return out
}

// codeLines marks the lines of indented code blocks: indented by four spaces or a tab after a blank line
// that does not follow a list item, and the indented lines after them.
func (d *lintDoc) codeLines() []bool {
	code := make([]bool, len(d.lines))
	inCode, inList, prevBlank := false, false, true
	for i, l := range d.lines {
		t := l.text
		blank := strings.TrimSpace(t) == ""
		indented := strings.HasPrefix(t, "    ") || strings.HasPrefix(t, "\t")
		switch {
		case blank:
		case indented && (inCode || prevBlank && !inList):
			inCode = true
		default:
			inCode = false
		}
		if !blank && !inCode {
			inList = lintListMarker.MatchString(t) || inList && strings.HasPrefix(t, " ")
		}
		code[i] = inCode && !blank
		prevBlank = blank
	}
	return code
}

// lintBlank replaces every match of re in b with spaces.
func lintBlank(b []byte, re *regexp.Regexp) {
	for _, m := range re.FindAllIndex(b, -1) {
		for k := m[0]; k < m[1]; k++ {
			b[k] = ' '
		}
	}
}

// lintBlankEmphasis blanks the runs of "*" and "_" that open or close emphasis: those with a space, a
// punctuation mark or an end of text on one side ("snake_case" keeps its "_").
func lintBlankEmphasis(b []byte) {
	word := func(i int) bool {
		if i < 0 || i >= len(b) {
			return false
		}
		r, _ := utf8.DecodeRune(b[i:])
		return b[i] >= 0x80 || unicode.IsLetter(r) || unicode.IsDigit(r)
	}
	for i := 0; i < len(b); {
		if b[i] != '*' && b[i] != '_' {
			i++
			continue
		}
		j := i
		for j < len(b) && (b[j] == '*' || b[j] == '_') {
			j++
		}
		if !word(i-1) || !word(j) {
			for k := i; k < j; k++ {
				b[k] = ' '
			}
		}
		i = j
	}
}

// lintSplit masks what is not the writer's own prose in a paragraph and splits it into sentences.
func lintSplit(unit string, at []lintPos) []lintSentence {
	b := []byte(unit)
	lintBlank(b, lintLinkURL)
	lintBlank(b, lintBareURL)
	lintBlank(b, lintHTMLTag)
	lintBlank(b, lintQuoted)
	lintBlankEmphasis(b)
	for i, c := range b {
		if c == '[' || c == ']' || c == '`' {
			b[i] = ' '
		}
	}
	text := string(b)
	var out []lintSentence
	start := 0
	emit := func(end int) {
		if strings.TrimSpace(text[start:end]) != "" {
			s := lintSentence{text: text[start:end], at: at[start:end]}
			s.question = strings.HasSuffix(strings.TrimSpace(s.text), "?")
			s.toks = lintTokens(s.text)
			out = append(out, s)
		}
		start = end
	}
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '|':
			emit(i)
			start = i + 1
		case '?', '!':
			if i+1 == len(text) || text[i+1] == ' ' {
				emit(i + 1)
			}
		case '.':
			if i+1 < len(text) && text[i+1] != ' ' {
				continue
			}
			word := text[strings.LastIndexAny(text[:i], " (")+1 : i]
			if lintAbbrev[strings.ToLower(word)] || len(word) == 1 && unicode.IsUpper(rune(word[0])) {
				continue
			}
			next := strings.TrimLeft(text[i+1:], " ")
			if r, _ := utf8.DecodeRuneInString(next); next != "" && unicode.IsLower(r) {
				continue
			}
			emit(i + 1)
		}
	}
	emit(len(text))
	return out
}

func lintTokens(s string) []lintToken {
	var out []lintToken
	for _, m := range lintWordToken.FindAllStringIndex(s, -1) {
		text := s[m[0]:m[1]]
		t := lintToken{start: m[0], end: m[1], text: text}
		if strings.TrimSpace(text) != text || strings.ContainsAny(text[:1], ",;:()") {
			t.punct = true
			t.text = strings.TrimSpace(text)
		}
		t.text = strings.TrimSuffix(t.text, ".")
		t.lower = strings.ToLower(t.text)
		out = append(out, t)
	}
	return out
}
