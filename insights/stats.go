package insights

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteTable writes the report as aligned text: the postmortems, then the figures by week and by service.
func WriteTable(w io.Writer, r Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	since := "every listed incident"
	if !r.Since.IsZero() {
		since = "incidents resolved since " + r.Since.Format(time.DateOnly)
	}
	fmt.Fprintf(tw, "Postmortems of %s, at %s: %d; action items %d open, %d closed, the oldest open for %s.\n\n",
		since, FormatTime(r.Generated), r.Totals.Postmortems, r.Totals.ActionItemsOpen, r.Totals.ActionItemsClosed,
		FormatDuration(time.Duration(r.Totals.OldestOpenSeconds)*time.Second))
	writePostmortemsTable(tw, r.Postmortems)
	fmt.Fprintln(tw)
	writeGroupsTable(tw, "WEEK", r.Weeks)
	fmt.Fprintln(tw)
	writeGroupsTable(tw, "SERVICE", r.Services)
	return tw.Flush()
}

// WritePostmortemsTable writes the postmortems alone as aligned text.
func WritePostmortemsTable(w io.Writer, r Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	writePostmortemsTable(tw, r.Postmortems)
	return tw.Flush()
}

func writePostmortemsTable(w io.Writer, pms []Postmortem) {
	fmt.Fprintln(w, "INCIDENT\tNUMBER\tPRIORITY\tSERVICE\tOWNER\tREVIEWERS\tRESOLVED\tDUE\tSTATE\tITEMS OPEN\tITEMS CLOSED\tOLDEST OPEN\tTITLE")
	for _, p := range pms {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", p.IncidentID, number(p.IncidentNumber),
			dash(p.Priority), dash(p.Service), dash(p.Owner), dash(strings.Join(p.Reviewers, ",")), FormatTime(p.ResolvedAt),
			FormatTime(p.Due), p.State, p.ActionItems.Open, p.ActionItems.Closed,
			FormatDuration(time.Duration(p.ActionItems.OldestOpenSeconds)*time.Second), oneLine(p.Title))
	}
}

func writeGroupsTable(w io.Writer, by string, groups []Group) {
	fmt.Fprintf(w, "%s\tPOSTMORTEMS\tTIME TO ACK\tTIME TO RESOLVE\tRESOLVED TO MERGED\tITEMS OPENED\tITEMS CLOSED\n", by)
	for _, g := range groups {
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%d\t%d\n", oneLine(g.Key), g.Postmortems, figureText(g.TimeToAcknowledge),
			figureText(g.TimeToResolve), figureText(g.ResolveToMerged), g.ActionItemsOpened, g.ActionItemsClosed)
	}
}

// figureText is a median with the count it was taken over: "12m (n=3)".
func figureText(f Figure) string {
	if f.Count == 0 {
		return "—"
	}
	return FormatDuration(f.Median()) + " (n=" + strconv.Itoa(f.Count) + ")"
}

// WriteCSV writes the figures by week, then by service, as CSV with a header; durations are medians in
// seconds, each with the count it was taken over.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"by", "key", "week_start", "postmortems", "time_to_acknowledge_count", "time_to_acknowledge_median_seconds",
		"time_to_resolve_count", "time_to_resolve_median_seconds", "resolve_to_merged_count", "resolve_to_merged_median_seconds",
		"action_items_opened", "action_items_closed"})
	row := func(by string, g Group) {
		start := ""
		if !g.Start.IsZero() {
			start = g.Start.Format(time.DateOnly)
		}
		_ = cw.Write([]string{by, cell(g.Key), start, strconv.Itoa(g.Postmortems),
			strconv.Itoa(g.TimeToAcknowledge.Count), secondsCell(g.TimeToAcknowledge),
			strconv.Itoa(g.TimeToResolve.Count), secondsCell(g.TimeToResolve),
			strconv.Itoa(g.ResolveToMerged.Count), secondsCell(g.ResolveToMerged),
			strconv.Itoa(g.ActionItemsOpened), strconv.Itoa(g.ActionItemsClosed)})
	}
	for _, g := range r.Weeks {
		row("week", g)
	}
	for _, g := range r.Services {
		row("service", g)
	}
	cw.Flush()
	return cw.Error()
}

// WritePostmortemsCSV writes one row per postmortem as CSV with a header; times are RFC 3339, empty when
// unknown.
func WritePostmortemsCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"incident_id", "incident_number", "title", "priority", "service", "owner", "reviewers", "pull_url",
		"triggered_at", "acknowledged_at", "resolved_at", "due", "merged_at", "closed_at", "state",
		"action_items_open", "action_items_closed", "oldest_open_action_item_seconds"})
	for _, p := range r.Postmortems {
		num := ""
		if p.IncidentNumber != 0 {
			num = strconv.Itoa(p.IncidentNumber)
		}
		_ = cw.Write([]string{cell(p.IncidentID), num, cell(p.Title), cell(p.Priority), cell(p.Service), cell(p.Owner),
			cell(strings.Join(p.Reviewers, " ")), cell(p.PullURL), rfc3339(p.TriggeredAt), rfc3339(p.AcknowledgedAt), rfc3339(p.ResolvedAt),
			rfc3339(p.Due), rfc3339(p.MergedAt), rfc3339(p.ClosedAt), string(p.State),
			strconv.Itoa(p.ActionItems.Open), strconv.Itoa(p.ActionItems.Closed), strconv.FormatInt(p.ActionItems.OldestOpenSeconds, 10)})
	}
	cw.Flush()
	return cw.Error()
}

// cell keeps text that came from PagerDuty from running as a formula when the CSV is opened in a
// spreadsheet: a leading =, +, -, @ or control character is escaped with an apostrophe.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func secondsCell(f Figure) string {
	if f.Count == 0 {
		return ""
	}
	return strconv.FormatInt(f.MedianSeconds, 10)
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func number(n int) string {
	if n == 0 {
		return "—"
	}
	return strconv.Itoa(n)
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// oneLine keeps a table's rows on one line each: tabs and line breaks in a title become spaces.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\t' || r == '\n' || r == '\r' }), " ")
}
