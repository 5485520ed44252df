package postmortem_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
)

func readCustomerFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "customer", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteCustomerVersion(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 20, 0, 0, time.UTC)
	in := postmortem.CustomerInput{
		Markdown: readCustomerFixture(t, "merged.md"),
		Updates: []postmortem.StatusUpdate{
			{At: at.Add(30 * time.Minute), Text: "A fix is rolling out; checkouts are recovering. Priya Raman is watching pay-proxy-07."},
			{At: at, Text: "We are investigating failed checkouts in Europe."},
		},
		Redaction: postmortem.Redaction{
			People:      []string{"Priya Raman", "Dana Kim", "@dana-k", "@priya-r"},
			Roles:       map[string]string{"Priya Raman": "incident commander", "@priya-r": "incident commander", "Dana Kim": "responder 2", "dana-k": "responder 2"},
			PublicHosts: []string{"status.acme.com"},
		},
	}
	v := postmortem.WriteCustomerVersion(in)
	golden(t, "customer/public.md", v.Content)
	if len(v.Missing) != 0 {
		t.Errorf("missing parts %v, want none", v.Missing)
	}
	for _, leak := range []string{"Priya", "Dana", "@dana", "@priya", "pay-proxy-07", "acme.internal", "10.20.4.17", "db-replica-3",
		"grafana", "kubectl", "restarted", "#812", "2026-12-01", "Root cause", "Lessons learned", "pagerduty", "Pages sent", "Datadog"} {
		if strings.Contains(v.Content, leak) {
			t.Errorf("the customer version still holds %q", leak)
		}
	}
	for _, keep := range []string{"The incident commander rolled the deploy back", "https://status.acme.com/incidents/88", "We are investigating failed checkouts",
		"Size the proxy pool from the worker count", "A load test of the new worker count", "an internal host", "an internal address", "| 2026-11-20 09:20 |"} {
		if !strings.Contains(v.Content, keep) {
			t.Errorf("the customer version lacks %q", keep)
		}
	}
	if i, j := strings.Index(v.Content, "09:20"), strings.Index(v.Content, "09:50"); i < 0 || j < i {
		t.Errorf("the status updates are not in time order")
	}
	want := map[string]int{postmortem.RemovedHost: 3, postmortem.RemovedAddress: 1, postmortem.RemovedQuote: 1, postmortem.RemovedCode: 1}
	for kind, n := range want {
		if got := v.Removed.Count(kind); got != n {
			t.Errorf("%d removals of kind %s, want %d: %v", got, kind, n, v.Removed)
		}
	}
	if got := v.Removed.Count(postmortem.RemovedPerson); got < 5 {
		t.Errorf("%d people removed, want at least 5: %v", got, v.Removed)
	}
	if !postmortem.IsCustomerVersion(v.Content) {
		t.Error("the version does not start with its marker")
	}
	// The lint of the version finds no person and no internal host: what the redaction removed is gone.
	cfg := postmortem.LintConfig{People: in.Redaction.People, PublicHosts: in.Redaction.PublicHosts}
	for _, f := range postmortem.Lint(v.Content, cfg) {
		if f.Rule == postmortem.RulePersonName || f.Rule == postmortem.RuleInternalHost || f.Severity == postmortem.SeverityError {
			t.Errorf("lint of the customer version: %+v", f)
		}
	}
}

func TestWriteCustomerVersionMissingParts(t *testing.T) {
	md := "# An outage\n\n## What happened?\n\nThe search index was rebuilt while serving.\n\n## Follow-up\n\n" +
		"1. Rebuild indexes on a copy.\n"
	v := postmortem.WriteCustomerVersion(postmortem.CustomerInput{Markdown: md})
	if want := []string{postmortem.PartImpact, postmortem.PartTimeline, postmortem.PartResolution}; !slices.Equal(v.Missing, want) {
		t.Errorf("missing %v, want %v", v.Missing, want)
	}
	for _, s := range []string{"# Incident report: An outage", "The search index was rebuilt", "1. Rebuild indexes on a copy.", "TBD: what customers could not do"} {
		if !strings.Contains(v.Content, s) {
			t.Errorf("version lacks %q:\n%s", s, v.Content)
		}
	}
}

// TestRedactionTraps holds words that look like hosts, links or people and are not.
func TestRedactionTraps(t *testing.T) {
	for _, text := range []string{
		"The config.yaml of v1.2.3 changed, e.g. in main.go and node.js.",
		"The region us-east-1 and europe-west4-a were fine; UTF-8 and sha-256 too.",
		"Our provider example.com and pypi.org were reachable; www.example.com too.",
		"Write to security@acme.com for questions.",
		"The key jupyterhub.singleuser.image was wrong.",
		"It uses /var/lib/data-1/store and pkg.Func_2.",
		"CVE-2021-29492 was fixed in a release.",
	} {
		got, removed := postmortem.RedactText(text, postmortem.Redaction{})
		if len(removed) > 0 || got != text {
			t.Errorf("RedactText(%q) = %q, removed %v; want it unchanged", text, got, removed)
		}
	}
}

func TestRedactionFinds(t *testing.T) {
	for _, c := range []struct{ text, kind, found string }{
		{"The primary db-01 filled up.", postmortem.RemovedHost, "db-01"},
		{"cache.svc.cluster.local timed out", postmortem.RemovedHost, "cache.svc.cluster.local"},
		{"vault.corp answered 503", postmortem.RemovedHost, "vault.corp"},
		{"api.payments.acme.com slowed down", postmortem.RemovedHost, "api.payments.acme.com"},
		{"node 10.0.3.12:8443 was drained", postmortem.RemovedAddress, "10.0.3.12:8443"},
		{"see https://wiki.acme.io/runbooks/db.", postmortem.RemovedLink, "https://wiki.acme.io/runbooks/db"},
		{"see [the runbook](https://wiki.acme.io/x)", postmortem.RemovedLink, "https://wiki.acme.io/x"},
		{"thanks @sam-lee and @acme/sre", postmortem.RemovedPerson, "@sam-lee"},
		{"mail ana.lopez@acme.com", postmortem.RemovedPerson, "ana.lopez@acme.com"},
		{"Moisés Déniz restarted it", postmortem.RemovedPerson, "Moisés Déniz"},
	} {
		_, removed := postmortem.RedactText(c.text, postmortem.Redaction{People: []string{"Moisés Déniz"}})
		if !slices.Contains(removed, postmortem.Removal{Kind: c.kind, Text: c.found}) {
			t.Errorf("RedactText(%q) removed %v, want %s %q", c.text, removed, c.kind, c.found)
		}
	}
	got, _ := postmortem.RedactText("Jo Park (@jo) paged Ann.", postmortem.Redaction{People: []string{"Jo Park", "Ann"}, Roles: map[string]string{"jo park": "incident commander", "@jo": "incident commander"}})
	if want := "The incident commander (the incident commander) paged a team member."; got != want {
		t.Errorf("people as roles: got %q, want %q", got, want)
	}
}

func TestParseSections(t *testing.T) {
	md := "# T\n\n## Impact\n\ntext\n\n```\n## not a heading\n```\n\n### Detail\n\nmore\n\n## Resolution ##\n\ndone\n"
	got := postmortem.ParseSections(md)
	var titles []string
	for _, s := range got {
		titles = append(titles, s.Title)
	}
	if want := []string{"T", "Impact", "Detail", "Resolution"}; !slices.Equal(titles, want) {
		t.Fatalf("titles %q, want %q", titles, want)
	}
	if !strings.Contains(got[1].Body, "### Detail") || strings.Contains(got[1].Body, "done") {
		t.Errorf("Impact's body %q: want its subsection and not the next section", got[1].Body)
	}
}

func TestLintCustomerVersion(t *testing.T) {
	md := postmortem.CustomerMarker + "\n# Incident report: x\n\n## Summary\n\nAnn Lee moved traffic off db-07.\n\n## Impact\n\nNone.\n"
	findings := postmortem.Lint(md, postmortem.LintConfig{People: []string{"Ann Lee"}})
	var line6 []postmortem.Finding
	for _, f := range findings {
		if f.Line == 6 {
			line6 = append(line6, f)
		}
	}
	// One finding a line: the person joins the host's finding.
	if len(line6) != 1 || line6[0].Rule != postmortem.RuleInternalHost || line6[0].Severity != postmortem.SeverityError ||
		!strings.Contains(line6[0].Message, "db-07") || !strings.Contains(line6[0].Message, "person-name: names a person (Ann Lee)") {
		t.Errorf("findings on line 6: %+v", line6)
	}
	for _, f := range findings {
		if f.Rule == postmortem.RuleEmptySection && !strings.Contains(f.Message, "Timeline") && !strings.Contains(f.Message, "Resolution") && !strings.Contains(f.Message, "Prevention") {
			t.Errorf("a customer version needs only its own sections: %+v", f)
		}
	}
	// A postmortem that is not a customer version may name people and hosts.
	for _, f := range postmortem.Lint(strings.TrimPrefix(md, postmortem.CustomerMarker), postmortem.LintConfig{People: []string{"Ann Lee"}}) {
		if f.Rule == postmortem.RulePersonName || f.Rule == postmortem.RuleInternalHost {
			t.Errorf("internal postmortem: %+v", f)
		}
	}
}
