package postmortem

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Document is the data a postmortem template is executed with. Every string in it is already safe
// Markdown: text from PagerDuty is escaped (see Inline), so a template prints fields as they are.
type Document struct {
	Incident   IncidentFields
	Facts      FactFields
	Responders []ResponderFields
	// KeyMoments are the timeline's key entries; Condensed is the whole timeline with consecutive repeats
	// folded into one row; Timeline is every entry.
	KeyMoments []Row
	Condensed  []Row
	Timeline   []Row
	Notes      []NoteFields
	// Owner is the postmortem owner's GitHub login as a mention ("@alice"), or empty.
	Owner string
	// Due is when the postmortem should be merged; Generated is when this draft was rendered.
	Due       string
	Generated string
}

// IncidentFields are the incident's own fields.
type IncidentFields struct {
	ID, Title, URL, Status, Priority, Urgency string
	Number                                    int
	Service, ServiceURL                       string
	Teams, EscalationPolicy, MergedInto       string
}

// FactFields are the impact figures, formatted: times as "2006-01-02 15:04:05 UTC", durations as
// "1h 4m 10s", "—" for unknown.
type FactFields struct {
	Started, Detected, Acknowledged, Mitigated, Resolved string
	TimeToAcknowledge, TimeToMitigate, TimeToResolve     string
	Escalations, Notifications, Reopened, ResponderCount int
}

// ResponderFields name a responder and what they did.
type ResponderFields struct {
	Name, Did string
}

// Row is one timeline row. Count is how many consecutive entries it stands for (1 for most).
type Row struct {
	Time, Kind, Actor, Text string
	Count                   int
}

// NoteFields are a note's time, author and text; Text is a Markdown quote block.
type NoteFields struct {
	Time, Author, Text string
}

// DocumentOptions carry what the document needs beyond the incident.
type DocumentOptions struct {
	Owner     string // GitHub login, without "@"
	Due       time.Time
	Generated time.Time
}

// NewDocument assembles the template data of an incident's postmortem.
func NewDocument(inc Incident, tl Timeline, f Facts, opts DocumentOptions) Document {
	teams := make([]string, 0, len(inc.Teams))
	for _, t := range inc.Teams {
		teams = append(teams, Inline(t.Name))
	}
	d := Document{
		Incident: IncidentFields{
			ID:               Inline(inc.ID),
			Number:           inc.Number,
			Title:            Inline(inc.Title),
			URL:              linkTarget(inc.URL),
			Status:           Inline(inc.Status),
			Priority:         Inline(orDefault(inc.Priority, "none")),
			Urgency:          Inline(orDefault(inc.Urgency, "unknown")),
			Service:          Inline(orDefault(inc.Service.Name, inc.Service.ID)),
			ServiceURL:       linkTarget(inc.Service.URL),
			Teams:            strings.Join(teams, ", "),
			EscalationPolicy: Inline(inc.EscalationPolicy),
			MergedInto:       Inline(inc.MergedInto),
		},
		Facts: FactFields{
			Started:           FormatTime(f.Started),
			Detected:          FormatTime(f.Detected),
			Acknowledged:      FormatTime(f.Acknowledged),
			Mitigated:         FormatTime(f.Mitigated),
			Resolved:          FormatTime(f.Resolved),
			TimeToAcknowledge: FormatDuration(f.TimeToAcknowledge),
			TimeToMitigate:    FormatDuration(f.TimeToMitigate),
			TimeToResolve:     FormatDuration(f.TimeToResolve),
			Escalations:       f.Escalations,
			Notifications:     f.Notifications,
			Reopened:          f.Reopened,
			ResponderCount:    len(f.Responders),
		},
		Due:       FormatTime(opts.Due),
		Generated: FormatTime(opts.Generated),
	}
	if opts.Owner != "" {
		d.Owner = "@" + opts.Owner
	}
	for _, r := range f.Responders {
		d.Responders = append(d.Responders, ResponderFields{Name: Inline(orDefault(r.Name, r.ID)), Did: r.Did()})
	}
	d.Timeline = make([]Row, 0, len(tl))
	for _, e := range tl {
		row := Row{Time: FormatTime(e.At), Kind: string(e.Kind), Actor: Inline(actorName(e.Actor)), Text: Inline(e.Text), Count: 1}
		d.Timeline = append(d.Timeline, row)
		if e.Kind.Key() {
			d.KeyMoments = append(d.KeyMoments, row)
		}
		if n := len(d.Condensed); n > 0 && foldable(e.Kind) && d.Condensed[n-1].Kind == row.Kind && d.Condensed[n-1].Text == row.Text {
			d.Condensed[n-1].Count++
			continue
		}
		d.Condensed = append(d.Condensed, row)
		if e.Kind == KindNote && e.Text != "" {
			d.Notes = append(d.Notes, NoteFields{Time: row.Time, Author: row.Actor, Text: Block(e.Text, "> ")})
		}
	}
	return d
}

// foldable kinds repeat in bursts (every responder notified on every channel) and read best as one row.
func foldable(k Kind) bool {
	return k == KindNotified || k == KindAssigned || k == KindEscalated || k == KindOther
}

func actorName(p Person) string {
	if p.Name != "" {
		return p.Name
	}
	return p.ID
}

// linkTarget returns u for use as a Markdown link target, or "" when it is not an http(s) URL or could
// break out of the link.
func linkTarget(u string) string {
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return ""
	}
	if strings.ContainsAny(u, " \t\r\n<>()[]\"'`") {
		return ""
	}
	return u
}

// FormatTime formats t in UTC to the second, "—" when zero.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

// FormatDuration formats d to the second as "2d 3h 4m 5s", dropping leading zero units; "—" when zero.
func FormatDuration(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	d = d.Round(time.Second)
	units := []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}}
	var parts []string
	for _, u := range units {
		if n := d / u.size; n > 0 || len(parts) > 0 {
			parts = append(parts, strconv.FormatInt(int64(n), 10)+u.name)
			d -= n * u.size
		}
	}
	// Trailing zero units add nothing: "2h 0m 0s" reads as "2h".
	for len(parts) > 1 && strings.HasPrefix(parts[len(parts)-1], "0") {
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, " ")
}

// String renders a row's text with its repeat count, e.g. "Notified Ann by phone (×37)".
func (r Row) String() string {
	if r.Count > 1 {
		return fmt.Sprintf("%s (×%d)", r.Text, r.Count)
	}
	return r.Text
}
