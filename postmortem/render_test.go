package postmortem_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func composer(t *testing.T) *postmortem.Composer {
	t.Helper()
	r, err := postmortem.NewRenderer(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	return &postmortem.Composer{
		Renderer:     r,
		People:       map[string]string{"PALICE1": "alice", "bob@example.com": "bob-gh"},
		Labels:       []string{"postmortem"},
		Reviewers:    []string{"sre-lead"},
		DefaultOwner: "sre-lead",
		Now:          func() time.Time { return time.Date(2024, 5, 2, 8, 0, 0, 0, time.UTC) },
	}
}

func TestComposeSample(t *testing.T) {
	d, err := composer(t).Compose(postmortem.SampleIncident(), postmortem.Decision{Required: true, Due: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "sample.md", d.Content)
	golden(t, "sample-pull-request.md", d.Body)
	if d.Branch != "postmortem/PSAMPLE" || d.Path != "postmortems/2024-05-01-1-checkout-errors-above-5.md" {
		t.Errorf("branch %q path %q", d.Branch, d.Path)
	}
	if d.Assignee != "alice" {
		t.Errorf("assignee = %q, want alice (she resolved)", d.Assignee)
	}
	if got := strings.Join(d.Reviewers, ","); got != "sre-lead,alice,bob-gh" {
		t.Errorf("reviewers = %s", got)
	}
}

// TestComposeHostileText shows that text from PagerDuty cannot ping, inject HTML, break tables or run
// template actions, and that non-ASCII text survives.
func TestComposeHostileText(t *testing.T) {
	inc := postmortem.SampleIncident()
	inc.Title = "DB down @acme/sre <img src=x onerror=alert(1)> | {{.Owner}} — Ошибка 数据库"
	inc.Service.Name = "pay|ments @bob"
	inc.Notes[0].Content = "@channel please look\n<script>x()</script>\n| a | b |\n{{template \"full\" .}}"
	inc.LogEntries[0].Agent.Name = "Eve @eve|x"
	d, err := composer(t).Compose(inc, postmortem.Decision{Required: true, Due: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{d.Content, d.Body} {
		for _, bad := range []string{"@acme", "@bob", "@channel", "@eve", "<img", "<script", "| a | b |"} {
			if strings.Contains(doc, bad) {
				t.Errorf("output contains %q", bad)
			}
		}
	}
	// A pull request title is plain text, shown as it is; only mentions matter there.
	if strings.Contains(d.Title, "@acme") {
		t.Errorf("title pings: %q", d.Title)
	}
	if !strings.Contains(d.Content, "{{.Owner}} — Ошибка 数据库") || !strings.Contains(d.Content, `{{template "full" .}}`) {
		t.Error("template actions or non-ASCII text were not kept as literal text")
	}
	// Every table row keeps its column count.
	for _, line := range strings.Split(d.Content, "\n") {
		if strings.HasPrefix(line, "| 2024-") {
			cells := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
			if cells != 4 && cells != 5 && cells != 6 {
				t.Errorf("table row has %d separators: %s", cells, line)
			}
		}
	}
	golden(t, "hostile.md", d.Content)
}

func TestRendererOverridesAndErrors(t *testing.T) {
	team := fstest.MapFS{"full.md.tmpl": {Data: []byte("# {{.Incident.Title}} (team template)\n")}}
	r, err := postmortem.NewRenderer(templates.FS, team)
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render("full", postmortem.Document{Incident: postmortem.IncidentFields{Title: "X"}})
	if err != nil || out != "# X (team template)\n" {
		t.Errorf("override: %q, %v", out, err)
	}
	if !r.Has(postmortem.PullRequestTemplate) {
		t.Error("the embedded pull request template is gone after an override")
	}

	broken := fstest.MapFS{"full.md.tmpl": {Data: []byte("line one\n{{.Incident.Title\n")}}
	if _, err := postmortem.NewRenderer(broken); err == nil || !strings.Contains(err.Error(), "full.md.tmpl:2") {
		t.Errorf("parse error = %v, want one naming full.md.tmpl:2", err)
	}
	badField := fstest.MapFS{"full.md.tmpl": {Data: []byte("\n\n{{.Incident.NoSuchField}}\n")}}
	r, err = postmortem.NewRenderer(badField)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Render("full", postmortem.Document{}); err == nil || !strings.Contains(err.Error(), "full.md.tmpl:3") {
		t.Errorf("execute error = %v, want one naming full.md.tmpl:3", err)
	}
}
