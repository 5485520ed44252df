package postmortem

import (
	"fmt"
	"slices"
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
	// KeyMomentsOmitted counts the key moments left out in the middle of a very long incident (they stay
	// in Timeline); a row of kind "omitted" in KeyMoments says so where they would be.
	KeyMomentsOmitted int
	Condensed         []Row
	Timeline          []Row
	Notes             []NoteFields
	// Owner is the postmortem owner's GitHub login as a mention ("@alice"), or empty.
	Owner string
	// ActionItems are checklist lines ("- [ ] Add an alert (@dana) (#12)") pre-filled from the incident's
	// notes; ActionItemIssues their issue numbers as "#12, #13".
	ActionItems      []string
	ActionItemIssues string
	// Agenda is the review meeting, built from the rendered postmortem; only the pull request description
	// has it.
	Agenda string
	// Due is when the postmortem should be merged; Generated is the time of the newest fact it holds.
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
	// Roles renders people as roles ("incident commander", "responder 1") instead of names, for a version
	// meant for readers outside the company. Services and integrations keep their names.
	Roles bool
	// ActionItems are pre-filled in the action items checklist.
	ActionItems []ActionItem
}

// NewDocument assembles the template data of an incident's postmortem.
func NewDocument(inc Incident, tl Timeline, f Facts, opts DocumentOptions) Document {
	name := personNamer(tl, f, opts.Roles)
	teams := make([]string, 0, len(inc.Teams))
	for _, t := range inc.Teams {
		teams = append(teams, Inline(t.Name))
	}
	d := Document{
		Incident: IncidentFields{
			ID:               Inline(inc.ID),
			Number:           inc.Number,
			Title:            Inline(name.text(inc.Title)),
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
	if opts.Owner != "" && !opts.Roles {
		d.Owner = "@" + opts.Owner
	}
	var linked []string
	for _, it := range opts.ActionItems {
		if opts.Roles {
			it.Owner = ""
		}
		it.Text = name.text(it.Text)
		d.ActionItems = append(d.ActionItems, it.Markdown())
		if it.Issue > 0 {
			linked = append(linked, "#"+strconv.Itoa(it.Issue))
		}
	}
	d.ActionItemIssues = strings.Join(linked, ", ")
	for _, r := range f.Responders {
		d.Responders = append(d.Responders, ResponderFields{Name: Inline(name.person(r.Person)), Did: r.Did()})
	}
	d.Timeline = make([]Row, 0, len(tl))
	var burst notificationBurst
	for _, e := range tl {
		text := name.text(e.Text)
		row := Row{Time: FormatTime(e.At), Kind: string(e.Kind), Actor: Inline(name.person(e.Actor)), Text: Inline(text), Count: 1}
		d.Timeline = append(d.Timeline, row)
		if e.Kind.Key() {
			d.KeyMoments = appendFolded(d.KeyMoments, row)
		}
		if e.Kind == KindNote && e.Text != "" {
			d.Notes = append(d.Notes, NoteFields{Time: row.Time, Author: row.Actor, Text: Block(text, "> ")})
		}
		if e.Kind == KindNotified {
			burst.add(row.Time, e, name)
			continue
		}
		d.Condensed = burst.flush(d.Condensed)
		d.Condensed = appendFolded(d.Condensed, row)
	}
	d.Condensed = burst.flush(d.Condensed)
	d.KeyMoments, d.KeyMomentsOmitted = trimMiddle(d.KeyMoments, keyMomentsHead, keyMomentsTail)
	return d
}

// A key-moments table longer than this keeps its first and last rows: a reader scans the start and the
// end of an incident; the middle stays in the complete list.
const (
	keyMomentsHead = 40
	keyMomentsTail = 20
)

// trimMiddle keeps the first head and last tail rows, with a row between them that says how many it left
// out, and returns that number.
func trimMiddle(rows []Row, head, tail int) ([]Row, int) {
	if len(rows) <= head+tail {
		return rows, 0
	}
	omitted := len(rows) - head - tail
	marker := Row{Time: "…", Kind: "omitted", Text: fmt.Sprintf("%d more key moments: see every entry below", omitted), Count: 1}
	out := append(rows[:head:head], marker)
	return append(out, rows[len(rows)-tail:]...), omitted
}

// maxCycle is the longest run of rows that folds as a repeating cycle: notify, escalate, notify, escalate…
const maxCycle = 4

// appendFolded appends row, then folds a repetition at the end: the same row again, or the same cycle of up
// to maxCycle rows again, is counted on the earlier rows instead of shown twice.
func appendFolded(rows []Row, row Row) []Row {
	rows = append(rows, row)
	for k := 1; k <= maxCycle; k++ {
		n := len(rows)
		if n < 2*k || !sameRows(rows[n-2*k:n-k], rows[n-k:]) {
			continue
		}
		for i := range k {
			rows[n-2*k+i].Count += rows[n-k+i].Count
		}
		return rows[:n-k]
	}
	return rows
}

func sameRows(a, b []Row) bool {
	for i := range a {
		if a[i].Kind != b[i].Kind || a[i].Text != b[i].Text || a[i].Actor != b[i].Actor {
			return false
		}
	}
	return true
}

// notificationBurst gathers consecutive notifications (every responder paged on every channel) into one row:
// "Notified 4 responders by phone and SMS".
type notificationBurst struct {
	time     string
	people   []string
	channels []string
}

func (b *notificationBurst) add(at string, e Entry, name namer) {
	if len(b.people) == 0 && len(b.channels) == 0 {
		b.time = at
	}
	for _, p := range e.People {
		if n := name.person(p); n != "" && !slices.Contains(b.people, n) {
			b.people = append(b.people, n)
		}
	}
	if ch := notificationChannel(e.Text); ch != "" && !slices.Contains(b.channels, ch) {
		b.channels = append(b.channels, ch)
	}
	if len(e.People) == 0 && len(b.people) == 0 {
		b.people = append(b.people, "")
	}
}

func (b *notificationBurst) flush(rows []Row) []Row {
	if len(b.people) == 0 && len(b.channels) == 0 {
		return rows
	}
	var who string
	switch {
	case len(b.people) == 1 && b.people[0] != "":
		who = b.people[0]
	case len(b.people) <= 1:
		who = "a responder"
	default:
		who = strconv.Itoa(len(b.people)) + " responders"
	}
	text := "Notified " + who
	if len(b.channels) > 0 {
		text += " by " + joinWords(b.channels)
	}
	rows = appendFolded(rows, Row{Time: b.time, Kind: string(KindNotified), Text: Inline(text), Count: 1})
	*b = notificationBurst{}
	return rows
}

// notificationChannel recovers the channel of a notify entry's text ("Notified Ann by SMS").
func notificationChannel(text string) string {
	if i := strings.LastIndex(text, " by "); i >= 0 {
		return text[i+len(" by "):]
	}
	return ""
}

// joinWords joins words as prose: "phone", "phone and SMS", "phone, SMS and email".
func joinWords(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// namer names people in a document: by name, or by role when the document is meant for outside readers.
type namer struct {
	roles map[string]string // person key -> role label; nil when people are named
	// replacer swaps responders' names in free text for their roles.
	replacer *strings.Replacer
}

func personKey(p Person) string { return orDefault(p.ID, p.Name) }

// personNamer numbers human responders in the order they first appear; whoever was given the incident
// commander role is called so.
func personNamer(tl Timeline, f Facts, roles bool) namer {
	if !roles {
		return namer{}
	}
	n := namer{roles: map[string]string{}}
	var pairs []string
	assign := func(p Person, label string) {
		key := personKey(p)
		if !p.IsUser() || key == "" {
			return
		}
		if _, ok := n.roles[key]; ok {
			return
		}
		n.roles[key] = label
		if p.Name != "" {
			pairs = append(pairs, p.Name, label)
		}
	}
	for _, e := range tl {
		if e.Type == "incident.role.assigned" && strings.Contains(strings.ToLower(e.Text), "commander") {
			for _, p := range e.People {
				assign(p, "incident commander")
			}
		}
	}
	count := 0
	next := func(p Person) {
		if _, ok := n.roles[personKey(p)]; !ok && p.IsUser() && personKey(p) != "" {
			count++
			assign(p, "responder "+strconv.Itoa(count))
		}
	}
	for _, r := range f.Responders {
		next(r.Person)
	}
	for _, e := range tl {
		next(e.Actor)
		for _, p := range e.People {
			next(p)
		}
	}
	// Longer names first, so "Ann Lee" is replaced before "Ann".
	slices.SortStableFunc(pairsOf(pairs), func(a, b [2]string) int { return len(b[0]) - len(a[0]) })
	n.replacer = strings.NewReplacer(pairs...)
	return n
}

func pairsOf(flat []string) [][2]string {
	out := make([][2]string, 0, len(flat)/2)
	for i := 0; i+1 < len(flat); i += 2 {
		out = append(out, [2]string{flat[i], flat[i+1]})
	}
	return out
}

func (n namer) person(p Person) string {
	if n.roles != nil {
		if label, ok := n.roles[personKey(p)]; ok {
			return label
		}
	}
	return actorName(p)
}

func (n namer) text(s string) string {
	if n.replacer == nil {
		return s
	}
	return n.replacer.Replace(s)
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
