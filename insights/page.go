package insights

import (
	"bytes"
	_ "embed"
	"html/template"
	"io"
	"strings"
	"time"
)

//go:embed page.html.tmpl
var pageTemplate string

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"time":     FormatTime,
	"date":     func(t time.Time) string { return t.Format(time.DateOnly) },
	"duration": FormatDuration,
	"seconds":  func(s int64) string { return FormatDuration(time.Duration(s) * time.Second) },
	"join":     strings.Join,
}).Parse(pageTemplate))

// pageData is what the page template draws.
type pageData struct {
	Report
	// JSONPath is the address of the same data as JSON, the start included.
	JSONPath string
	States   []stateCount
	ByWeek   []chart
	ByServ   []chart
}

type stateCount struct {
	State State
	Count int
}

// WriteHTML writes the report as a page: the postmortems, then the charts by week and by service. jsonPath
// is where the page links the same data as JSON.
func WriteHTML(w io.Writer, r Report, jsonPath string) error {
	d := pageData{Report: r, JSONPath: jsonPath}
	for _, s := range []State{Open, Overdue, Merged, Closed, Draft} {
		if n := r.Totals.States[s]; n > 0 {
			d.States = append(d.States, stateCount{s, n})
		}
	}
	d.ByWeek = charts("week", r.Weeks)
	d.ByServ = charts("service", r.Services)
	var b bytes.Buffer
	if err := page.Execute(&b, d); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// charts are the four charts of a grouping: the three durations' medians, and the action items opened
// against closed.
func charts(by string, groups []Group) []chart {
	keys := make([]string, len(groups))
	ack, resolve, merged := make([]float64, len(groups)), make([]float64, len(groups)), make([]float64, len(groups))
	opened, closed := make([]float64, len(groups)), make([]float64, len(groups))
	for i, g := range groups {
		keys[i] = g.Key
		ack[i], resolve[i], merged[i] = float64(g.TimeToAcknowledge.MedianSeconds), float64(g.TimeToResolve.MedianSeconds), float64(g.ResolveToMerged.MedianSeconds)
		opened[i], closed[i] = float64(g.ActionItemsOpened), float64(g.ActionItemsClosed)
	}
	return []chart{
		layoutChart("ack-by-"+by, "Time to acknowledge (median) by "+by, keys, []series{{Name: "median", Class: "ack", Values: ack}}, seconds),
		layoutChart("resolve-by-"+by, "Time to resolve (median) by "+by, keys, []series{{Name: "median", Class: "resolve", Values: resolve}}, seconds),
		layoutChart("merge-by-"+by, "Resolution to merged postmortem (median) by "+by, keys, []series{{Name: "median", Class: "merge", Values: merged}}, seconds),
		layoutChart("items-by-"+by, "Action items opened and closed by "+by, keys, []series{
			{Name: "opened", Class: "opened", Values: opened}, {Name: "closed", Class: "closed", Values: closed}}, counts),
	}
}
