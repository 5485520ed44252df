package insights

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestLayoutChart(t *testing.T) {
	c := layoutChart("c", "T", []string{"a", "b", "c"}, []series{{Name: "median", Class: "ack", Values: []float64{600, 0, 1500}}}, seconds)
	if c.Empty {
		t.Fatal("chart with values is empty")
	}
	// Zero draws no bar; the others are as tall as their values on the same scale.
	if len(c.Bars) != 2 {
		t.Fatalf("%d bars, want 2: %+v", len(c.Bars), c.Bars)
	}
	a, cc := c.Bars[0], c.Bars[1]
	if a.Y+a.H != c.PlotBottom || cc.Y+cc.H != c.PlotBottom {
		t.Errorf("bars do not stand on the axis: %+v %+v (bottom %v)", a, cc, c.PlotBottom)
	}
	if ratio := cc.H / a.H; ratio < 2.45 || ratio > 2.55 {
		t.Errorf("bar heights %v and %v, want in the ratio 2.5", a.H, cc.H)
	}
	if a.X >= cc.X || cc.X+cc.W > c.PlotRight {
		t.Errorf("bars out of order or out of the plot: %+v %+v", a, cc)
	}
	if a.Tip != "a · median: 10m" {
		t.Errorf("tooltip %q", a.Tip)
	}
	// 25 minutes reads in minutes, on ticks of 5.
	var ticks []string
	for _, tk := range c.Ticks {
		ticks = append(ticks, tk.Text)
	}
	if got := strings.Join(ticks, " "); got != "0m 5m 10m 15m 20m 25m" {
		t.Errorf("ticks %q", got)
	}
	if c.Ticks[len(c.Ticks)-1].Y != c.PlotTop {
		t.Errorf("top tick at %v, want the plot's top %v", c.Ticks[len(c.Ticks)-1].Y, c.PlotTop)
	}

	if e := layoutChart("e", "T", []string{"a"}, []series{{Values: []float64{0}}}, counts); !e.Empty || len(e.Bars) != 0 {
		t.Errorf("all zero: %+v, want empty", e)
	}
	if e := layoutChart("e", "T", nil, nil, counts); !e.Empty {
		t.Errorf("no groups: %+v, want empty", e)
	}

	// Sixty weeks get at most maxLabels labels; long labels are cut.
	groups := make([]string, 60)
	values := make([]float64, 60)
	for i := range groups {
		groups[i], values[i] = "a-very-long-service-name", float64(i)
	}
	c = layoutChart("w", "T", groups, []series{{Name: "opened", Values: values}, {Name: "closed", Values: values}}, counts)
	if len(c.Labels) > maxLabels || len(c.Labels) == 0 {
		t.Errorf("%d labels", len(c.Labels))
	}
	if l := c.Labels[0].Text; l != "a-very-long-s…" {
		t.Errorf("label %q", l)
	}
	if len(c.Legend) != 2 || len(c.Bars) != 2*59 {
		t.Errorf("legend %d, bars %d", len(c.Legend), len(c.Bars))
	}
	// Durations of days read in days.
	c = layoutChart("d", "T", []string{"a"}, []series{{Values: []float64{5 * 86400}}}, seconds)
	if last := c.Ticks[len(c.Ticks)-1].Text; last != "5d" {
		t.Errorf("top tick %q, want 5d", last)
	}
}

func TestNiceStep(t *testing.T) {
	for top, want := range map[float64]float64{25: 5, 7: 2, 1: 0.2, 100: 20, 130: 50, 0.3: 0.1} {
		if got := niceStep(top); got != want {
			t.Errorf("niceStep(%v) = %v, want %v", top, got, want)
		}
	}
}

func TestWriteHTML(t *testing.T) {
	pms, items := fixture()
	pms[2].Title = `<script>alert("x")</script>`
	r := Build(pms, items, time.Time{}, now)
	var b bytes.Buffer
	if err := WriteHTML(&b, r, "/postmortems.json"); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<tr class="state-overdue" data-incident="POVERDUE" data-state="overdue">`,
		`<tr class="state-merged" data-incident="PMERGED" data-state="merged">`,
		`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`,
		`<td>dana, sre-lead</td>`,
		`<figure id="ack-by-week">`, `<figure id="items-by-service">`,
		`<rect class="bar opened"`,
		`href="/postmortems.json"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, "<script>") {
		t.Error("the incident title's markup reached the page")
	}
	if n := strings.Count(page, "<tr class="); n != len(pms) {
		t.Errorf("%d rows, want %d", n, len(pms))
	}

	b.Reset()
	if err := WriteHTML(&b, Build(nil, nil, at("2026-11-01T00:00:00Z"), now), "/postmortems.json?since=2026-11-01"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "No postmortem of an incident resolved since 2026-11-01.") || strings.Contains(b.String(), "<rect") {
		t.Errorf("empty page:\n%s", b.String())
	}
}

func TestReportJSON(t *testing.T) {
	pms, items := fixture()
	b, err := json.Marshal(Build(pms, items, time.Time{}, now))
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Postmortems []struct {
			IncidentID  string   `json:"incident_id"`
			State       string   `json:"state"`
			Reviewers   []string `json:"reviewers"`
			MergedAt    string   `json:"merged_at"`
			ActionItems struct {
				Open              int   `json:"open"`
				OldestOpenSeconds int64 `json:"oldest_open_seconds"`
			} `json:"action_items"`
		} `json:"postmortems"`
		Weeks []struct {
			Key               string `json:"key"`
			TimeToAcknowledge struct {
				MedianSeconds int64 `json:"median_seconds"`
			} `json:"time_to_acknowledge"`
		} `json:"weeks"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	last := back.Postmortems[len(back.Postmortems)-1]
	if last.IncidentID != "PMERGED" || last.State != "merged" || last.MergedAt != "2026-11-18T11:00:00Z" || last.ActionItems.Open != 1 {
		t.Errorf("last postmortem %+v", last)
	}
	if back.Weeks[0].Key != "2026-W47" || back.Weeks[0].TimeToAcknowledge.MedianSeconds != 240 {
		t.Errorf("first week %+v", back.Weeks[0])
	}
	if strings.Contains(string(b), `"reviewers":null`) {
		t.Error("reviewers null")
	}
}

func TestWriteStats(t *testing.T) {
	pms, items := fixture()
	pms[0].Title = "=HYPERLINK(\"http://evil\")"
	r := Build(pms, items, time.Time{}, now)

	var b bytes.Buffer
	if err := WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(r.Weeks)+len(r.Services) {
		t.Fatalf("%d rows", len(rows))
	}
	if got := strings.Join(rows[1], ","); got != "week,2026-W47,2026-11-16,1,1,240,1,3600,1,86400,2,0" {
		t.Errorf("first week row %s", got)
	}
	if got := strings.Join(rows[len(r.Weeks)+1], ","); got != "service,payments,,2,2,420,2,5400,1,86400,3,1" {
		t.Errorf("first service row %s", got)
	}

	b.Reset()
	if err := WritePostmortemsCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	rows, err = csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(pms) || rows[0][0] != "incident_id" {
		t.Fatalf("postmortem rows %v", rows)
	}
	merged := rows[len(rows)-1]
	if merged[0] != "PMERGED" || merged[2] != `'=HYPERLINK("http://evil")` || merged[14] != "merged" || merged[12] != "2026-11-18T11:00:00Z" {
		t.Errorf("merged row %q", merged)
	}

	b.Reset()
	if err := WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{"POVERDUE", "overdue", "2026-W48", "6m (n=2)", "payments", "1d (n=1)"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
}
