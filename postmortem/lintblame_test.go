package postmortem_test

import (
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/postmortem"
)

func blameFindings(doc string, cfg postmortem.LintConfig) []postmortem.Finding {
	var out []postmortem.Finding
	for _, f := range postmortem.Lint(doc, cfg) {
		if f.Rule == postmortem.RuleBlameLanguage {
			out = append(out, f)
		}
	}
	return out
}

// The rule judges wording by its actor, and each finding names the actor and the words.
func TestLintBlameActors(t *testing.T) {
	tests := []struct {
		text        string
		actor, word string // "" word: no finding
	}{
		{"The developer misjudged how long the backfill would take.", "The developer", "misjudged"},
		{"The health check failed to detect the hung worker.", "", ""},
		{"The release engineer failed to page the database team.", "The release engineer", "failed to"},
		{"Why did the operator restart the primary?", "the operator", "Why did the operator"},
		{"Why did the primary restart?", "", ""},
		{"@kim deployed a broken build to production.", "@kim", "deployed a broken"},
		{"Users failed to log in for ten minutes.", "", ""},
		{"The cleanup job simply deletes every file older than a week.", "", ""},
		{"The admin simply had to restart the cache.", "The admin", "simply"},
		{"If you forget to pass the flag, the tool prints a warning.", "", ""},
		{"You broke the build.", "You", "broke"},
		{"The engineer who wrote the migration forgot to add an index.", "engineer", "forgot to"},
		{"Whoever approved the change clearly didn't read it.", "Whoever", "clearly"},
		{"We use lazy loading for the settings.", "", ""},
		{"It was not the fault of the operator; the tool allowed it.", "", ""},
		{`The runbook says "the on-call forgot to page" is a common excuse.`, "", ""},
		{"The log line `operator failed to respond` came from the proxy.", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			fs := blameFindings("## Summary\n"+tt.text+"\n", postmortem.LintConfig{})
			if tt.word == "" {
				if len(fs) != 0 {
					t.Errorf("want no finding, got %+v", fs)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("want one finding, got %+v", fs)
			}
			f := fs[0]
			if !strings.Contains(f.Message, `"`+tt.word+`"`) || !strings.Contains(f.Actor, tt.actor) || f.Line != 2 || f.Column < 1 {
				t.Errorf("got %+v, want the words %q about %q", f, tt.word, tt.actor)
			}
		})
	}
}

// Code blocks, quotes and log lines quote others: they are never judged.
func TestLintBlameSkipsQuotedText(t *testing.T) {
	doc := lintDoc(
		"## Summary",
		"```",
		"Bob forgot to renew the certificate.",
		"```",
		"> The on-call engineer forgot to ack the page.",
		"",
		"    the operator failed to follow the runbook",
		"",
		"2024-05-01T10:00:00Z ERROR operator failed to respond to health probe",
		"The certificate expired on Sunday.",
	)
	if fs := blameFindings(doc, postmortem.LintConfig{}); len(fs) != 0 {
		t.Errorf("findings in quoted text: %+v", fs)
	}
}

// A suggestion puts the system in the subject, built from the sentence's own words.
func TestLintBlameSuggestsASystemSubject(t *testing.T) {
	tests := map[string]string{
		"Bob forgot to renew the TLS certificate.":       "made sure to renew the TLS certificate",
		"The operator didn't check the replication lag.": "required anyone to check the replication lag",
		"Alice should have known the flag was still on.": "nothing at the time showed the flag was still on",
		"Carlos deployed a broken config to production.": "went out without a check that would have caught it",
	}
	for text, want := range tests {
		fs := blameFindings("## Summary\n"+text+"\n", postmortem.LintConfig{People: []string{"Alice", "Bob", "Carlos"}})
		if len(fs) != 1 || !strings.Contains(fs[0].Suggestion, want) {
			t.Errorf("%s: got %+v, want a suggestion with %q", text, fs, want)
		}
	}
}

func TestLintSeveritiesAndDisabling(t *testing.T) {
	doc := lintDoc(
		"## Summary",
		"The human error budget was spent.",
		"<!-- hindsight-lint-disable-next-line blame-language -->",
		"Bob forgot to renew the certificate.",
		"<!-- hindsight-lint-disable-next-line placeholder -->",
		"Kim forgot to renew it. TBD",
		"<!-- hindsight-lint-disable-next-line -->",
		"TBD, and Sam forgot to renew it.",
	)
	cfg := postmortem.LintConfig{People: []string{"Bob", "Kim", "Sam"}, AllowedPhrases: []string{"human error budget"},
		Rules: map[string]string{postmortem.RuleEmptySection: "off", postmortem.RuleBlameLanguage: "warning"}}
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	fs := postmortem.Lint(doc, cfg)
	checkFindings(t, fs, "", "6 blame-language")
	if fs[0].Severity != postmortem.SeverityWarning || !postmortem.Blocking(fs) {
		t.Errorf("severity: %+v", fs)
	}
	cfg.Rules[postmortem.RuleBlameLanguage] = postmortem.SeverityNotice
	if fs := postmortem.Lint(doc, cfg); postmortem.Blocking(fs) {
		t.Errorf("notices block: %+v", fs)
	}
	for _, bad := range []map[string]string{{"blame": "off"}, {postmortem.RulePlaceholder: "fatal"}} {
		if err := (postmortem.LintConfig{Rules: bad}).Check(); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

// Several wordings on one line are one finding that names them all.
func TestLintOneFindingPerLine(t *testing.T) {
	fs := blameFindings("## Summary\nIt was human error. Bob forgot to renew it, and Bob was careless.\n", postmortem.LintConfig{People: []string{"Bob"}})
	if len(fs) != 1 || strings.Count(fs[0].Message, "blameful wording") != 3 {
		t.Errorf("got %+v", fs)
	}
}

func TestLintLoginsArePeople(t *testing.T) {
	fs := blameFindings("## Summary\nkim-dev didn't test the new retention policy.\n", postmortem.LintConfig{People: []string{"@kim-dev"}})
	if len(fs) != 1 || fs[0].Actor != "kim-dev" {
		t.Errorf("got %+v", fs)
	}
}

// Columns count characters, not bytes: what editors and GitHub show.
func TestLintColumnsCountCharacters(t *testing.T) {
	fs := blameFindings("## Summary\nAprès la coupure, Bob forgot to renew it.\n", postmortem.LintConfig{People: []string{"Bob"}})
	if len(fs) != 1 || fs[0].Column != 23 || fs[0].EndColumn != 32 {
		t.Errorf("got %+v, want columns 23 to 32", fs)
	}
}
