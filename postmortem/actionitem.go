package postmortem

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ActionItem is one follow-up of a postmortem: a Markdown checklist line under "Action items", such as
//
//   - [ ] Add a saturation alert on the proxy's pool (@dana, due 2026-10-28) (#123)
//
// An item may name an owner (a GitHub login) and a due date, and links its GitHub issue once it has one.
type ActionItem struct {
	// Line is the item's 1-based line in the document; 0 for an item not read from one.
	Line  int
	Text  string
	Done  bool
	Owner string    // GitHub login, without "@"; empty for none
	Due   time.Time // zero for none
	Issue int       // the GitHub issue's number; 0 before it has one
	// Key identifies the item across edits of its wording by whoever created it: "note:<id>" for an item
	// that came from a PagerDuty note, else derived from the text.
	Key string
}

var (
	actionItemLine = regexp.MustCompile(`^\s*[-*+]\s+\[( |x|X)\]\s+(.*)$`)
	// The trailing parts of an item: "(@dana, due 2026-10-28)", "(#123)"; the text is what comes before.
	itemIssue   = regexp.MustCompile(`\s*\(#(\d+)\)\s*$`)
	itemDetails = regexp.MustCompile(`\s*\(([^()]*)\)\s*$`)
	itemOwner   = regexp.MustCompile(`(?:^|[\s,(])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\b`)
	itemDue     = regexp.MustCompile(`(?i)\bdue:?\s+(\d{4}-\d{2}-\d{2})\b`)
	heading     = regexp.MustCompile(`^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
)

// ParseActionItems returns the checklist items of the document's "Action items" section, in order.
// Placeholder items ("TBD") are left out. Lines inside fenced code blocks and HTML comments are not items.
func ParseActionItems(markdown string) []ActionItem {
	var items []ActionItem
	in, level := false, 0
	for i, line := range documentLines(markdown) {
		if line.skip {
			continue
		}
		if m := heading.FindStringSubmatch(line.text); m != nil {
			if in && len(m[1]) <= level {
				in = false
			}
			if strings.EqualFold(strings.TrimSpace(m[2]), "action items") {
				in, level = true, len(m[1])
			}
			continue
		}
		if !in {
			continue
		}
		if item, ok := parseItem(line.text); ok {
			item.Line = i + 1
			items = append(items, item)
		}
	}
	return items
}

func parseItem(line string) (ActionItem, bool) {
	m := actionItemLine.FindStringSubmatch(line)
	if m == nil {
		return ActionItem{}, false
	}
	item := ActionItem{Done: m[1] != " "}
	rest := strings.TrimSpace(m[2])
	if im := itemIssue.FindStringSubmatchIndex(rest); im != nil {
		item.Issue, _ = strconv.Atoi(rest[im[2]:im[3]])
		rest = strings.TrimSpace(rest[:im[0]])
	}
	if dm := itemDetails.FindStringSubmatchIndex(rest); dm != nil {
		details := rest[dm[2]:dm[3]]
		owner := itemOwner.FindStringSubmatch(details)
		due := itemDue.FindStringSubmatch(details)
		if owner != nil || due != nil {
			if owner != nil {
				item.Owner = owner[1]
			}
			if due != nil {
				item.Due, _ = time.Parse("2006-01-02", due[1])
			}
			rest = strings.TrimSpace(rest[:dm[0]])
		}
	}
	if item.Owner == "" {
		if owner := itemOwner.FindStringSubmatch(rest); owner != nil {
			item.Owner = owner[1]
		}
	}
	item.Text = rest
	if isPlaceholder(item.Text) {
		return ActionItem{}, false
	}
	item.Key = textKey(item.Text)
	return item, true
}

func isPlaceholder(text string) bool {
	t := strings.ToUpper(strings.TrimSpace(text))
	return t == "" || t == "TBD" || strings.HasPrefix(t, "TBD:") || strings.HasPrefix(t, "TBD ")
}

// textKey identifies an item by its words, whatever their case and spacing.
func textKey(text string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.Join(strings.Fields(text), " "))))
	return "text:" + hex.EncodeToString(sum[:8])
}

// Markdown renders the item as a checklist line. The text is escaped, being data from PagerDuty or people.
func (a ActionItem) Markdown() string {
	var b strings.Builder
	if a.Done {
		b.WriteString("- [x] ")
	} else {
		b.WriteString("- [ ] ")
	}
	b.WriteString(Inline(a.Text))
	var details []string
	if a.Owner != "" {
		details = append(details, "@"+a.Owner)
	}
	if !a.Due.IsZero() {
		details = append(details, "due "+a.Due.Format("2006-01-02"))
	}
	if len(details) > 0 {
		b.WriteString(" (" + strings.Join(details, ", ") + ")")
	}
	if a.Issue > 0 {
		b.WriteString(" (#" + strconv.Itoa(a.Issue) + ")")
	}
	return b.String()
}

// DefaultActionItemPrefixes start the PagerDuty notes that become action items.
var DefaultActionItemPrefixes = []string{"Action item:", "TODO:"}

// ActionItemsFromNotes turns the incident's notes that start with one of the prefixes (case-insensitively)
// into action items, owned by the note's author when login maps them to a GitHub login.
func ActionItemsFromNotes(notes []Note, prefixes []string, login func(Person) string) []ActionItem {
	var items []ActionItem
	for _, n := range notes {
		text := strings.TrimSpace(n.Content)
		for _, p := range prefixes {
			if len(text) >= len(p) && strings.EqualFold(text[:len(p)], p) {
				body := strings.Join(strings.Fields(text[len(p):]), " ")
				if body == "" {
					break
				}
				item := ActionItem{Text: body, Key: "note:" + n.ID}
				if login != nil {
					item.Owner = login(n.User)
				}
				items = append(items, item)
				break
			}
		}
	}
	return items
}

// docLine is a line of a document and whether it is inside a fenced code block or an HTML comment.
type docLine struct {
	text string
	skip bool
}

// documentLines splits markdown into lines, marking those that are code or comment, not prose.
func documentLines(markdown string) []docLine {
	markdown = strings.ReplaceAll(markdown, "\r\n", "\n")
	// The lines are read one by one, not split into a slice first: a giant incident's draft has hundreds of
	// thousands.
	out := make([]docLine, strings.Count(markdown, "\n")+1)
	fence, comment := "", false
	for i := range out {
		line, rest, _ := strings.Cut(markdown, "\n")
		markdown = rest
		trimmed := strings.TrimSpace(line)
		switch {
		case fence != "":
			out[i] = docLine{line, true}
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
		case comment:
			out[i] = docLine{line, true}
			if strings.Contains(line, "-->") {
				comment = false
			}
		case strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~"):
			fence = trimmed[:3]
			out[i] = docLine{line, true}
		case strings.HasPrefix(trimmed, "<!--"):
			out[i] = docLine{line, true}
			comment = !strings.Contains(trimmed, "-->")
		default:
			out[i] = docLine{line, false}
		}
	}
	return out
}
