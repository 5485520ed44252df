package distribution

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil { //nolint:gosec // a test's golden file
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path) //nolint:gosec // a test's golden file
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

// A postmortem as Hindsight renders it (postmortem/testdata/ref-rest-example.md) becomes both parts.
func TestMessageGolden(t *testing.T) {
	md, err := os.ReadFile(filepath.Join("testdata", "postmortem.md"))
	if err != nil {
		t.Fatal(err)
	}
	r := postmortem.Mailing{IncidentID: "PT4KHLK", Audience: postmortem.AudienceInternal, Repo: "acme/pm", Ref: "abc123",
		Path: "postmortems/2015-10-06-1234-the-server-is-on-fire.md", PullURL: "https://github.com/acme/pm/pull/7",
		IncidentNumber: 1234, IncidentTitle: "The server is on fire.", IncidentURL: "https://subdomain.pagerduty.com/incidents/PT4KHLK"}
	m, err := compose(r, string(md), "postmortems@example.com", "example.com", "", []string{"eng@example.com"}, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Postmortem of incident #1234: The server is on fire." {
		t.Errorf("subject %q", m.Subject)
	}
	golden(t, "message.txt", m.Text)
	golden(t, "message.html", m.HTML)
}

// Raw HTML and script links in the Markdown do not reach the HTML part.
func TestMessageHTMLIsSafe(t *testing.T) {
	md := "# T\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2)) <img src=x onerror=alert(3)>\n"
	r := postmortem.Mailing{IncidentID: "P1", Audience: postmortem.AudienceInternal, Repo: "a/b", Ref: "r", Path: "p.md", IncidentTitle: `<b>"x"</b>`}
	m, err := compose(r, md, "f@example.com", "example.com", "", []string{"a@example.com"}, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "javascript:", "onerror", "<b>"} {
		if strings.Contains(m.HTML, bad) {
			t.Errorf("HTML part holds %q:\n%s", bad, m.HTML)
		}
	}
}
