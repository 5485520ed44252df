package postmortem

import (
	"fmt"
	"regexp"
	"strings"
)

// AgendaItem is one part of a postmortem review meeting.
type AgendaItem struct {
	Minutes int
	Topic   string
	// Points are what to settle in it, already safe Markdown.
	Points []string
}

// Review meetings last 15 to 30 minutes.
const (
	minAgendaMinutes = 15
	maxAgendaMinutes = 30
)

var (
	unansweredWhy = regexp.MustCompile(`^\s*(\d)\.\s+\*\*Why\*\*`)
	becauseTBD    = regexp.MustCompile(`^\s*\*\*Because\*\*\s*(TBD\b.*)?$`)
)

// Agenda builds the review meeting of a postmortem draft from what is still open in it: sections with
// placeholders (open questions), unanswered whys, and action items without an owner. The minutes add up to
// between 15 and 30.
func Agenda(markdown string) []AgendaItem {
	var open, whys []string
	section := ""
	lines := documentLines(markdown)
	for i, line := range lines {
		if line.skip {
			continue
		}
		if m := heading.FindStringSubmatch(line.text); m != nil {
			section = strings.TrimSpace(m[2])
			continue
		}
		text := strings.TrimSpace(line.text)
		if m := unansweredWhy.FindStringSubmatch(text); m != nil && i+1 < len(lines) && becauseTBD.MatchString(lines[i+1].text) {
			whys = append(whys, "why "+m[1])
			continue
		}
		if strings.HasPrefix(text, "TBD") && !strings.EqualFold(section, "action items") {
			open = append(open, "**"+Inline(section)+"**: "+Inline(strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(text, "TBD"), ":"))))
		}
	}
	var unowned []string
	items := ParseActionItems(markdown)
	for _, it := range items {
		if it.Owner == "" {
			unowned = append(unowned, Inline(it.Text))
		}
	}

	agenda := []AgendaItem{{Minutes: 5, Topic: "Walk the timeline: is every key moment right and in order?"}}
	if len(open) > 0 {
		agenda = append(agenda, AgendaItem{Minutes: min(2*len(open), 10), Topic: "Open questions", Points: open})
	}
	if len(whys) > 0 {
		agenda = append(agenda, AgendaItem{Minutes: min(2*len(whys), 10), Topic: "Five whys: answer " + joinWords(whys),
			Points: []string{"Ask about conditions and systems, not people; the last answer names what an action item changes."}})
	}
	switch {
	case len(items) == 0:
		agenda = append(agenda, AgendaItem{Minutes: 5, Topic: "Action items: there are none yet; agree on them, each with an owner and a due date"})
	case len(unowned) > 0:
		agenda = append(agenda, AgendaItem{Minutes: min(3+len(unowned), 8), Topic: "Action items without an owner", Points: unowned})
	default:
		agenda = append(agenda, AgendaItem{Minutes: 3, Topic: "Action items: confirm owners and due dates"})
	}
	return fitAgenda(agenda)
}

// fitAgenda stretches or shrinks the items so that the meeting lasts 15 to 30 minutes.
func fitAgenda(agenda []AgendaItem) []AgendaItem {
	total := 0
	for _, a := range agenda {
		total += a.Minutes
	}
	for i := 0; total < minAgendaMinutes; i = (i + 1) % len(agenda) {
		agenda[i].Minutes++
		total++
	}
	for i := len(agenda) - 1; total > maxAgendaMinutes; i = (i + len(agenda) - 1) % len(agenda) {
		if agenda[i].Minutes > 2 {
			agenda[i].Minutes--
			total--
		}
	}
	return agenda
}

// AgendaMarkdown renders an agenda as a numbered list with its time boxes.
func AgendaMarkdown(agenda []AgendaItem) string {
	var b strings.Builder
	total := 0
	for _, a := range agenda {
		total += a.Minutes
	}
	fmt.Fprintf(&b, "Review meeting, %d minutes:\n\n", total)
	for i, a := range agenda {
		fmt.Fprintf(&b, "%d. %s (%d min)\n", i+1, a.Topic, a.Minutes)
		for _, p := range a.Points {
			b.WriteString("   - " + p + "\n")
		}
	}
	return b.String()
}
