package main

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/postmortem"
)

const lintFormatDoc = "## Summary\nThe on-call engineer forgot to renew the certificate.\n"

func TestLintGitHubAnnotations(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "pm, draft.md")
	writeLintFile(t, doc, lintFormatDoc)
	out, err := runLintCmd(t, nil, "--format", "github", doc)
	if !errors.Is(err, errFindings) {
		t.Fatalf("err %v", err)
	}
	want := "::error file=" + strings.ReplaceAll(strings.ReplaceAll(doc, ":", "%3A"), ",", "%2C") +
		",line=2,col=22,endColumn=30,title=hindsight blame-language::blameful wording \"forgot to\" about \"The on-call engineer\". Suggestion: "
	if !strings.Contains(out, want) {
		t.Errorf("output:\n%s\nwant a line starting %s", out, want)
	}
	if !strings.Contains(out, "::warning file=") || strings.Count(out, "\n") != 7 {
		t.Errorf("want 6 warnings for the missing sections and 1 error:\n%s", out)
	}
}

func TestLintSARIF(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "pm.md")
	writeLintFile(t, doc, lintFormatDoc)
	out, err := runLintCmd(t, nil, "--format", "sarif", doc)
	if !errors.Is(err, errFindings) {
		t.Fatalf("err %v", err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string } `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
						Region           struct {
							StartLine, StartColumn, EndColumn int
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Tool.Driver.Rules) != len(postmortem.LintRules()) {
		t.Fatalf("log: %+v", log)
	}
	last := log.Runs[0].Results[len(log.Runs[0].Results)-1]
	r := last.Locations[0].PhysicalLocation
	if last.RuleID != "blame-language" || last.Level != "error" || r.ArtifactLocation.URI != doc || r.Region.StartLine != 2 ||
		r.Region.StartColumn != 22 || r.Region.EndColumn != 31 {
		t.Errorf("result: %+v", last)
	}
}

func TestLintRulesConfigured(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "pm.md")
	writeLintFile(t, doc, "## Summary\nThe deploy was a human error budget breach.\n<!-- hindsight-lint-disable-next-line blame-language -->\nBob forgot to renew it.\nKim forgot to renew it.\n")
	words := filepath.Join(dir, "words.yaml")
	writeLintFile(t, words, "allowed_phrases: [human error budget]\nrules:\n  empty-section: off\n  blame-language: notice\n")
	out, err := runLintCmd(t, nil, "--words", words, "--format", "json", doc)
	if err != nil {
		t.Fatalf("notices only must not fail: %v\n%s", err, out)
	}
	var fs []fileFinding
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Line != 5 || fs[0].Severity != "notice" || fs[0].Actor != "Kim" {
		t.Errorf("findings: %+v", fs)
	}
	for _, bad := range []string{"rules:\n  blame: off\n", "rules:\n  placeholder: fatal\n"} {
		writeLintFile(t, words, bad)
		if _, err := runLintCmd(t, nil, "--words", words, doc); err == nil || !strings.Contains(err.Error(), "rules: ") {
			t.Errorf("%q: err %v", bad, err)
		}
	}
}
