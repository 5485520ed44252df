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
	Incident IncidentFields
	Facts    FactFields
	// Detection is what fired: the incident's first alert. Zero (Known false) when PagerDuty has none.
	Detection  DetectionFields
	Responders []ResponderFields
	// ResponderRoles says some responder has a role PagerDuty gave (incident roles): only then has the
	// responders table a Role column.
	ResponderRoles bool
	// KeyMoments are the timeline's key entries; Condensed is the whole timeline with consecutive repeats
	// folded into one row; Timeline is every entry.
	KeyMoments []Row
	// KeyMomentsOmitted counts the key moments left out in the middle of a very long incident (they stay
	// in Timeline); a row of kind "omitted" in KeyMoments says so where they would be.
	KeyMomentsOmitted int
	Condensed         []Row
	Timeline          []Row
	// Changes are the changes made around the incident, to look at alongside the timeline.
	Changes ChangesFields
	// Notes are the notes the key moments do not show in full (those left out of a very long incident's
	// key moments), so that each note is read once.
	Notes []NoteFields
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
// "1h 4m 10s", "TBD" for what no source gives. Each moment has a *From: where it was read, in words
// ("Ravi Castellanos's note at 2026-10-14 08:31:52 UTC"), or what would give it when unknown.
type FactFields struct {
	ImpactStarted, Detected, Acknowledged, Mitigated, Resolved                     string
	ImpactStartedFrom, DetectedFrom, AcknowledgedFrom, MitigatedFrom, ResolvedFrom string
	TimeToDetect, TimeToAcknowledge, TimeToMitigate, TimeToResolve                 string
	Escalations, Reopened, ResponderCount                                          int
	// Notifications counts the pages sent, NotificationsAfterAck those sent after the first acknowledgement,
	// NotificationsFailed those that did not reach the person.
	Notifications, NotificationsAfterAck, NotificationsFailed int
	// Priorities is the time spent at each priority: "P2 for 10m 24s, P1 for 59m 38s"; empty when unknown.
	Priorities string
	// FromLog is false when PagerDuty's log entries were not read: the counts are then unknown.
	FromLog bool
}

// DetectionFields describe the alert that opened the incident.
type DetectionFields struct {
	Known                               bool
	Time, Summary, URL, Source, Service string
	Severity                            string
	Details                             []DetailFields
	Links                               []LinkFields
	// OtherAlerts counts the incident's further alerts.
	OtherAlerts int
}

// DetailFields are one custom detail of an alert.
type DetailFields struct{ Key, Value string }

// LinkFields are one link of an alert; Text is the URL when the alert names none.
type LinkFields struct{ Text, URL string }

// ResponderFields name a responder, their role where PagerDuty gives one, what they did, when they joined
// (their first acknowledgement, note, reply or resolution, "—" for none) and the pages they got.
type ResponderFields struct {
	Name, Role, Did, Joined, Paged string
}

// Row is one timeline row. Count is how many consecutive rows it stands for (1 for most); Link is the
// PagerDuty log entry it comes from, empty when there is none.
type Row struct {
	Time, Kind, Actor, Text, Link string
	Count                         int
	// first and last span the entries the row stands for; pages counts the notifications in it, afterAck
	// those after the first acknowledgement, missed those that did not reach the person.
	// first and last are Unix seconds: a 10,000-entry incident has tens of thousands of rows.
	// entry is 1 + the index in the timeline of the entry the row starts with, 0 for none.
	first, last                    int64
	pages, afterAck, missed, entry int32
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
	// Facts names the prefixes of explicit facts, to say what would give an unknown one.
	Facts FactsConfig
	// Logins are the GitHub logins of the people map, lower-cased: the changes section names only those.
	Logins map[string]bool
}

// tbd is the text of a fact no source gives.
const tbd = "TBD"

// NewDocument assembles the template data of an incident's postmortem.
func NewDocument(inc Incident, tl Timeline, f Facts, opts DocumentOptions) Document {
	name := personNamer(tl, f, opts.Roles)
	d := Document{
		Incident:  incidentFields(inc, name),
		Facts:     factFields(f, name, opts.Facts),
		Detection: detectionFields(inc.Alerts, name),
		Changes:   changesFields(inc.Changes, opts.Logins, name),
		Due:       FormatTime(opts.Due),
		Generated: FormatTime(opts.Generated),
	}
	if opts.Owner != "" && !opts.Roles {
		d.Owner = "@" + opts.Owner
	}
	d.ActionItems, d.ActionItemIssues = actionItemLines(opts.ActionItems, name, opts.Roles)
	for _, r := range f.Responders {
		d.Responders = append(d.Responders, responderFields(r, name))
		d.ResponderRoles = d.ResponderRoles || r.Role != ""
	}
	d.Timeline, d.KeyMoments, d.Condensed = timelineRows(tl, name, f.Acknowledged.At)
	d.KeyMoments, d.KeyMomentsOmitted = trimMiddle(d.KeyMoments, keyMomentsHead, keyMomentsTail)
	d.Notes = unshownNotes(tl, d.KeyMoments, name)
	return d
}

// incidentFields are the incident's own fields, escaped, with a default for a missing priority, urgency
// or service name, and people in the title named as name says.
func incidentFields(inc Incident, name namer) IncidentFields {
	teams := make([]string, 0, len(inc.Teams))
	for _, t := range inc.Teams {
		teams = append(teams, Inline(t.Name))
	}
	return IncidentFields{
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
	}
}

// actionItemLines are the checklist lines of items, and their issue numbers as "#12, #13". With roles,
// no item names its owner.
func actionItemLines(items []ActionItem, name namer, roles bool) (lines []string, issues string) {
	var linked []string
	for _, it := range items {
		if roles {
			it.Owner = ""
		}
		it.Text = name.text(it.Text)
		lines = append(lines, it.Markdown())
		if it.Issue > 0 {
			linked = append(linked, "#"+strconv.Itoa(it.Issue))
		}
	}
	return lines, strings.Join(linked, ", ")
}

// timelineRows are the rows of tl three ways: every entry; the key entries, consecutive repeats folded;
// and the condensed timeline, consecutive repeats folded and each burst of notifications one row.
func timelineRows(tl Timeline, name namer, acknowledged time.Time) (all, key, condensed []Row) {
	all = make([]Row, 0, len(tl))
	var burst notificationBurst
	var lastAt time.Time
	lastTime := FormatTime(lastAt)
	for i, e := range tl {
		text := name.text(e.Text)
		if !e.At.Equal(lastAt) {
			// Entries of the same second share their time's text.
			lastAt, lastTime = e.At, FormatTime(e.At)
		}
		row := Row{Time: lastTime, Kind: string(e.Kind), Actor: Inline(name.person(e.Actor)), Text: Inline(text),
			Link: linkTarget(e.URL), Count: 1, first: e.At.Unix(), last: e.At.Unix(), entry: int32(i + 1)}
		all = append(all, row)
		if e.Kind.Key() {
			key = appendFolded(key, row)
		}
		if e.Kind == KindNotified {
			burst.add(e, name, acknowledged)
			continue
		}
		condensed = burst.flush(condensed)
		condensed = appendFolded(condensed, row)
	}
	condensed = burst.flush(condensed)
	return all, key, condensed
}

// unshownNotes are the notes of tl with text that no row of keyMoments shows, in timeline order, so that
// each note is read once.
func unshownNotes(tl Timeline, keyMoments []Row, name namer) []NoteFields {
	shown := make(map[string]bool, len(keyMoments))
	for _, r := range keyMoments {
		id := ""
		if r.entry > 0 {
			id = tl[r.entry-1].ID
		}
		shown[id] = true
	}
	var notes []NoteFields
	for i := range tl {
		if e := &tl[i]; e.Kind == KindNote && e.Text != "" && !shown[e.ID] {
			notes = append(notes, NoteFields{Time: FormatTime(e.At), Author: Inline(name.person(e.Actor)), Text: Block(name.text(e.Text), "> ")})
		}
	}
	return notes
}

func factFields(f Facts, name namer, cfg FactsConfig) FactFields {
	moment := func(s Sourced) string {
		if !s.Known() {
			return tbd
		}
		return FormatTime(s.At)
	}
	prefixes := func(configured, defaults []string) string {
		ps := orPrefixes(configured, defaults)
		quoted := make([]string, 0, len(ps))
		for _, p := range ps {
			quoted = append(quoted, "“"+Inline(p)+"”")
		}
		if len(quoted) == 0 {
			return "no note or status update gives it"
		}
		return "no note or status update starts with " + joinWordsOr(quoted)
	}
	duration := func(d time.Duration, ends ...Sourced) string {
		for _, e := range ends {
			if !e.Known() {
				return tbd
			}
		}
		return FormatDuration(d)
	}
	ff := FactFields{
		ImpactStarted:         moment(f.ImpactStarted),
		Detected:              moment(f.Detected),
		Acknowledged:          moment(f.Acknowledged),
		Mitigated:             moment(f.Mitigated),
		Resolved:              moment(f.Resolved),
		ImpactStartedFrom:     orDefault(sourceText(f.ImpactStarted, name), prefixes(cfg.ImpactStartPrefixes, DefaultImpactStartPrefixes)+" and a time"),
		DetectedFrom:          orDefault(sourceText(f.Detected, name), "no trigger, alert or creation time"),
		AcknowledgedFrom:      orDefault(sourceText(f.Acknowledged, name), "no acknowledgement in the log entries or the incident"),
		MitigatedFrom:         orDefault(sourceText(f.Mitigated, name), prefixes(cfg.MitigatedPrefixes, DefaultMitigatedPrefixes)),
		ResolvedFrom:          orDefault(sourceText(f.Resolved, name), "not resolved"),
		TimeToDetect:          duration(f.TimeToDetect, f.ImpactStarted, f.Detected),
		TimeToAcknowledge:     duration(f.TimeToAcknowledge, f.Detected, f.Acknowledged),
		TimeToMitigate:        duration(f.TimeToMitigate, f.Detected, f.Mitigated),
		TimeToResolve:         duration(f.TimeToResolve, f.Detected, f.Resolved),
		Escalations:           f.Escalations,
		Notifications:         f.Notifications,
		NotificationsAfterAck: f.NotificationsAfterAck,
		NotificationsFailed:   f.NotificationsFailed,
		Reopened:              f.Reopened,
		ResponderCount:        len(f.Responders),
		FromLog:               f.FromLog,
	}
	var ps []string
	for _, p := range f.Priorities {
		ps = append(ps, Inline(p.Priority)+" for "+FormatDuration(p.Duration))
	}
	ff.Priorities = strings.Join(ps, ", ")
	return ff
}

// sourceText says where a known moment was read from: "Ravi Castellanos’s note at 2026-10-14 08:31:52 UTC",
// "the trigger log entry", "the incident’s acknowledgements"; linked to the log entry where there is one,
// "" when the moment is unknown.
func sourceText(s Sourced, name namer) string {
	if !s.Known() {
		return ""
	}
	var text string
	who := ""
	if s.By.IsUser() {
		who = Inline(name.person(s.By))
	}
	switch s.From {
	case "note", "status update":
		text = "a " + s.From
		if who != "" {
			text = who + "’s " + s.From
		}
		text += " at " + FormatTime(s.Entry)
		if !s.At.Equal(s.Entry) {
			text += ", which states the time"
		}
	case "log entry":
		text = "the " + Inline(strings.ReplaceAll(s.Type, "_", " "))
		if who != "" {
			text = who + "’s " + Inline(strings.ReplaceAll(s.Type, "_", " "))
		}
	case "webhook":
		text = "the " + Inline(s.Type) + " webhook event"
	case "alert":
		return "the first alert"
	default:
		return "the incident’s " + Inline(s.From)
	}
	if u := linkTarget(s.URL); u != "" {
		return "[" + text + "](" + u + ")"
	}
	return text
}

func detectionFields(alerts []Alert, name namer) DetectionFields {
	if len(alerts) == 0 {
		return DetectionFields{}
	}
	a := alerts[0]
	d := DetectionFields{
		Known:       true,
		Time:        FormatTime(a.At),
		Summary:     Inline(name.text(orDefault(a.Summary, a.ID))),
		URL:         linkTarget(a.URL),
		Source:      Inline(a.Source),
		Service:     Inline(a.Service),
		Severity:    Inline(a.Severity),
		OtherAlerts: len(alerts) - 1,
	}
	for _, kv := range a.Details {
		d.Details = append(d.Details, DetailFields{Key: Inline(kv.Key), Value: Inline(name.text(kv.Value))})
	}
	for _, l := range a.Links {
		if u := linkTarget(l.URL); u != "" {
			d.Links = append(d.Links, LinkFields{Text: Inline(orDefault(l.Text, l.URL)), URL: u})
		}
	}
	return d
}

func responderFields(r Responder, name namer) ResponderFields {
	rf := ResponderFields{Name: Inline(name.person(r.Person)), Role: Inline(r.Role), Did: r.Did(), Joined: FormatTime(r.Joined)}
	if r.Notified > 0 {
		rf.Paged = strconv.Itoa(r.Notified)
		if r.NotReached > 0 {
			rf.Paged += " (" + strconv.Itoa(r.NotReached) + " not reached)"
		}
	} else {
		rf.Paged = "0"
	}
	if rf.Role == "" {
		rf.Role = "—"
	}
	if rf.Did == "" {
		rf.Did = "—"
	}
	return rf
}

// joinWordsOr joins words as prose with "or".
func joinWordsOr(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
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
			into, from := &rows[n-2*k+i], rows[n-k+i]
			into.Count += from.Count
			into.pages += from.pages
			into.afterAck += from.afterAck
			into.missed += from.missed
			if from.last > into.last {
				into.last = from.last
			}
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
// "Paged 4 responders by phone and SMS (6 pages, 02:45:00–02:45:12 UTC)".
type notificationBurst struct {
	first, last             time.Time
	people                  []string
	channels                []string
	pages, afterAck, missed int32
}

func (b *notificationBurst) add(e Entry, name namer, acknowledged time.Time) {
	if b.pages == 0 {
		b.first = e.At
	}
	b.last = e.At
	b.pages++
	if !acknowledged.IsZero() && e.At.After(acknowledged) {
		b.afterAck++
	}
	if e.Outcome != "" && e.Outcome != "answered" && e.Outcome != "delivered" {
		b.missed++
	}
	for _, p := range e.People {
		if n := name.person(p); n != "" && !slices.Contains(b.people, n) {
			b.people = append(b.people, n)
		}
	}
	if e.Channel != "" && !slices.Contains(b.channels, e.Channel) {
		b.channels = append(b.channels, e.Channel)
	}
}

func (b *notificationBurst) flush(rows []Row) []Row {
	if b.pages == 0 {
		return rows
	}
	var who string
	switch len(b.people) {
	case 0:
		who = "a responder"
	case 1:
		who = b.people[0]
	default:
		who = strconv.Itoa(len(b.people)) + " responders"
	}
	text := "Paged " + who
	if len(b.channels) > 0 {
		text += " by " + joinWords(b.channels)
	}
	rows = appendFolded(rows, Row{Time: FormatTime(b.first), Kind: string(KindNotified), Text: Inline(text), Count: 1,
		first: b.first.Unix(), last: b.last.Unix(), pages: b.pages, afterAck: b.afterAck, missed: b.missed})
	*b = notificationBurst{}
	return rows
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

// String renders a row's text with its size: how many pages or repeats it stands for, over what span, how
// many pages came after the first acknowledgement and how many did not reach the person, e.g.
// "Paged 3 responders by phone and SMS (29 times, 174 pages, 02:45:00–03:04:10 UTC, 12 after the first
// acknowledgement, 4 not reached)".
func (r Row) String() string {
	var parts []string
	if r.Count > 1 {
		parts = append(parts, strconv.Itoa(r.Count)+" times")
	}
	if r.pages > 1 {
		parts = append(parts, strconv.Itoa(int(r.pages))+" pages")
	}
	if len(parts) > 0 && r.last > r.first {
		parts = append(parts, span(time.Unix(r.first, 0), time.Unix(r.last, 0)))
	}
	if r.afterAck > 0 {
		parts = append(parts, strconv.Itoa(int(r.afterAck))+" after the first acknowledgement")
	}
	if r.missed > 0 {
		parts = append(parts, strconv.Itoa(int(r.missed))+" not reached")
	}
	if len(parts) == 0 {
		return r.Text
	}
	return r.Text + " (" + strings.Join(parts, ", ") + ")"
}

// span formats a time range in UTC, the end without its date when it is the same day:
// "02:45:00–03:04:10 UTC".
func span(from, to time.Time) string {
	from, to = from.UTC(), to.UTC()
	if from.Format(time.DateOnly) == to.Format(time.DateOnly) {
		return from.Format(time.TimeOnly) + "–" + to.Format(time.TimeOnly) + " UTC"
	}
	return from.Format(time.DateTime) + "–" + to.Format(time.DateTime) + " UTC"
}
