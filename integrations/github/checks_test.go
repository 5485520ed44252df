package github_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/postmortem"
)

func TestCheckRunAnnotatesEveryFinding(t *testing.T) {
	s := newServer(t)
	key := githubtest.AppPrivateKey(t)
	c, _ := newClient(t, s, func(o *github.Options) { o.Token, o.AppID, o.InstallationID, o.PrivateKeyPEM = "", 12, 34, key })
	if !c.ChecksEnabled() {
		t.Fatal("an App's client must create check runs")
	}
	sha := s.Branches()["main"]
	var findings []postmortem.Finding
	for i := 1; i <= 60; i++ {
		findings = append(findings, postmortem.Finding{Line: i, Rule: postmortem.RulePlaceholder, Severity: postmortem.SeverityWarning,
			Message: fmt.Sprintf("placeholder %d", i), Suggestion: "write it"})
	}
	findings[0] = postmortem.Finding{Line: 1, Column: 5, EndColumn: 14, Rule: postmortem.RuleBlameLanguage, Severity: postmortem.SeverityError,
		Message: `blameful wording "forgot to" about "Bob"`, Suggestion: "put the system in the subject"}
	url, err := c.CheckRun(context.Background(), sha, "postmortems/p.md", findings, false)
	if err != nil {
		t.Fatal(err)
	}
	runs := s.CheckRuns(sha)
	if len(runs) != 1 || url == "" {
		t.Fatalf("runs %+v, url %q", runs, url)
	}
	r := runs[0]
	if r.Name != "hindsight/postmortem" || r.Status != "completed" || r.Conclusion != "failure" || r.Title != "60 findings" ||
		!strings.Contains(r.Summary, "| Line | Rule |") {
		t.Errorf("run %+v", r)
	}
	if len(r.Annotations) != 60 {
		t.Fatalf("%d annotations, want 60 (sent 50, then 10)", len(r.Annotations))
	}
	a := r.Annotations[0]
	if a.Path != "postmortems/p.md" || a.StartLine != 1 || a.EndLine != 1 || a.StartColumn != 5 || a.EndColumn != 13 ||
		a.Level != "failure" || a.Title != "blame-language" || !strings.Contains(a.Message, "Suggestion: put the system") {
		t.Errorf("annotation %+v", a)
	}
	if w := r.Annotations[59]; w.Level != "warning" || w.StartColumn != 0 {
		t.Errorf("last annotation %+v", w)
	}

	if _, err := c.CheckRun(context.Background(), sha, "postmortems/p.md", nil, false); err != nil {
		t.Fatal(err)
	}
	if r := s.CheckRuns(sha)[1]; r.Conclusion != "success" || len(r.Annotations) != 0 {
		t.Errorf("clean run %+v", r)
	}
	if _, err := c.CheckRun(context.Background(), "0123456789abcdef0123456789abcdef01234567", "p.md", nil, false); err == nil ||
		!strings.Contains(err.Error(), "head_sha") {
		t.Errorf("unknown commit: %v", err)
	}
}

func TestCheckRunNeedsAnApp(t *testing.T) {
	s := newServer(t)
	c, _ := newClient(t, s, nil)
	if c.ChecksEnabled() {
		t.Error("a token's client must keep the commit status")
	}
	_, err := c.CheckRun(context.Background(), s.Branches()["main"], "p.md", nil, false)
	if err == nil || !strings.Contains(err.Error(), "You must authenticate via a GitHub App.") {
		t.Errorf("err %v", err)
	}
}
