package postmortem_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// lintDoc joins lines into a document, so that a test's line numbers are its slice indexes + 1.
func lintDoc(lines ...string) string { return strings.Join(lines, "\n") }

// brief renders findings as "LINE rule", the part of a finding the rule tables pin.
func brief(fs []postmortem.Finding, rule string) []string {
	var out []string
	for _, f := range fs {
		if rule == "" || f.Rule == rule {
			out = append(out, fmt.Sprintf("%d %s", f.Line, f.Rule))
		}
	}
	return out
}

func checkFindings(t *testing.T, got []postmortem.Finding, rule string, want ...string) {
	t.Helper()
	if g := brief(got, rule); strings.Join(g, "; ") != strings.Join(want, "; ") {
		t.Errorf("got  %q\nwant %q\nall: %+v", g, want, got)
	}
	for _, f := range got {
		if f.Message == "" || f.Suggestion == "" {
			t.Errorf("finding without a message or a suggestion: %+v", f)
		}
	}
}

// complete is a postmortem with every required section filled, for the rules to add one problem to.
func complete(rootCause ...string) string {
	lines := []string{
		"# Postmortem: Disk full", // 1
		"",
		"## Summary", // 3
		"The disk filled up.",
		"## Impact", // 5
		"Uploads failed for an hour.",
		"## Root cause", // 7
	}
	lines = append(lines, rootCause...)
	lines = append(lines,
		"## Resolution",
		"Old logs were deleted.",
		"## Timeline",
		"| 09:00 | Bob forgot to ack, human error | Bob |",
		"## What could have prevented it",
		"Log rotation.",
		"## Action items",
		"- [ ] Rotate logs (@sre-lead, due 2024-06-01)",
	)
	return lintDoc(lines...)
}

func TestLintBlameLanguage(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"phrase in the root cause", complete("It was human error."), []string{"8 blame-language"}},
		{"two phrases, one line each", complete("Root cause: Dave forgot to rotate logs.", "", "The team was careless."),
			[]string{"8 blame-language", "10 blame-language"}},
		{"case-insensitive, wrapped across spaces", complete("HUMAN   ERROR again"), []string{"8 blame-language"}},
		{"word boundaries", complete("Blameless, blame-free review; carefree, not laziest: carelessness"), []string{"8 blame-language"}},
		{"failed to about a system", complete("The deploy failed to start."), nil},
		{"failed to about a role", complete("The operator failed to follow the runbook."), []string{"8 blame-language"}},
		{"failed to about a responder", lintDoc("Responders:", "", "- Kim Park: acknowledged", "", "## Summary", "Kim failed to page the DBA."), []string{"6 blame-language"}},
		{"X's fault", complete("It was the intern's fault."), []string{"8 blame-language"}},
		{"nobody's fault", complete("It was nobody's fault; it was no one's fault."), nil},
		{"typographic apostrophe", complete("It was Dave’s fault."), []string{"8 blame-language"}},
		{"fault of hardware", complete("No fault was found in the disk; a fault of the controller was ruled out."), nil},
		{"alert ignored by a rule", complete("The alert was ignored by the routing rule."), nil},
		{"code span, comment and fence", complete("`human error` <!-- careless -->", "```", "forgot to", "```", "<!-- two", "lines: lazy -->"), nil},
		{"timeline table, quote and details are PagerDuty's words", lintDoc(
			"## Timeline",
			"| 09:00 | careless | |",
			"> forgot to",
			"**09:00 — Bob, obviously**",
			"Narrative: the on-call forgot to ack.",
			"## Notes",
			"<details>",
			"sloppy",
			"</details>",
			"careless",
		), []string{"5 blame-language", "10 blame-language"}},
		{"facts table above the first section", lintDoc("# Postmortem: human error", "| Title | careless |", "## Summary"), []string{"1 blame-language"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFindings(t, postmortem.Lint(tt.doc, postmortem.LintConfig{}), postmortem.RuleBlameLanguage, tt.want...)
		})
	}
}

func TestLintBlamePhrasesConfigured(t *testing.T) {
	doc := lintDoc("## Summary", "Sam went rogue.", "He was a cowboy.", "Sam forgot to tell anyone.")
	fs := postmortem.Lint(doc, postmortem.LintConfig{BlamePhrases: []string{"went  rogue"}, Rewordings: map[string]string{"cowboy": "say which check the change skipped", "forgot to": "say what reminds people"}})
	checkFindings(t, fs, postmortem.RuleBlameLanguage, "2 blame-language", "3 blame-language", "4 blame-language")
	fs = fs[len(fs)-3:]
	if fs[1].Suggestion != "say which check the change skipped" || fs[2].Suggestion != "say what reminds people" {
		t.Errorf("suggestions: %+v", fs)
	}
	if fs[2].Actor != "Sam" || !strings.Contains(fs[2].Message, `"forgot to" about "Sam"`) {
		t.Errorf("actor: %+v", fs[2])
	}
	fs = postmortem.Lint(doc, postmortem.LintConfig{BlamePhrases: []string{"cowboy"}, ReplaceBlamePhrases: true})
	checkFindings(t, fs, postmortem.RuleBlameLanguage, "3 blame-language")
	if !strings.Contains(strings.Join(postmortem.BuiltinBlamePhrases(), ","), "forgot to") {
		t.Errorf("built-in phrases: %q", postmortem.BuiltinBlamePhrases())
	}
}

func TestLintPersonInCause(t *testing.T) {
	responders := []string{"Responders:", "", "- Alice Example: acknowledged", "- responder 2: resolved", ""}
	tests := []struct {
		name   string
		doc    string
		people []string
		want   []string
	}{
		{"mention", complete("The config @carol merged."), nil, []string{"8 person-in-cause"}},
		{"team mention", complete("Approved by @acme/sre."), nil, []string{"8 person-in-cause"}},
		{"email and escaped mention are not mentions", complete("Mail ops@example.com; the title said @\u200dacme/sre."), nil, nil},
		{"configured name, any case", complete("Because DAVE restarted it."), []string{"Dave"}, []string{"8 person-in-cause"}},
		{"configured name outside the root cause", lintDoc("## Summary", "Dave restarted it.", "## Root cause", "A bug."), []string{"Dave"}, nil},
		{"responder's full and first name", lintDoc(append(responders, "## Root cause", "Alice Example restarted it.", "### Five whys", "1. **Why**?", "   **Because** Alice did.", "## Resolution", "Alice fixed it.")...), nil,
			[]string{"7 person-in-cause", "10 person-in-cause"}},
		{"first name is case-sensitive", lintDoc(append(responders, "## Root cause", "alice-service restarted.")...), nil, nil},
		{"role names are not people", lintDoc(append(responders, "## Root cause", "responder 2 restarted it.")...), nil, nil},
		{"five whys as a section of its own", lintDoc("## Five whys", "1. **Why**?", "   **Because** @bob merged it."), nil, []string{"3 person-in-cause"}},
		{"code span", complete("The `@bob` handle is in the config."), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFindings(t, postmortem.Lint(tt.doc, postmortem.LintConfig{People: tt.people}), postmortem.RulePersonInCause, tt.want...)
		})
	}
}

func TestLintUnansweredWhy(t *testing.T) {
	five := func(answers ...string) []string {
		lines := []string{"### Five whys"} // 8
		for i, a := range answers {
			lines = append(lines, fmt.Sprintf("%d. **Why** did that happen?", i+1), a)
		}
		return lines
	}
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"five answers", complete(five("**Because** a", "**Because** b", "**Because** c", "**Because** d", "**Because** e")...), nil},
		{"placeholders and empties", complete(five("**Because** a", "**Because** TBD", "**Because**", "   **Because** …", "**Because** e")...),
			[]string{"12 unanswered-why", "14 unanswered-why", "16 unanswered-why"}},
		{"no Because line: the question's line", complete(append(five("**Because** a"), "2. **Why** did that happen?", "3. **Why**?", "   **Because** c")...),
			[]string{"11 unanswered-why"}},
		{"answer on the question's line", complete("### Five whys", "1. **Why** did it fail? **Because** the disk filled up (root cause).", "   **Action item:** rotate logs"), nil},
		{"answer wraps onto the next line", complete(five("**Because** TBD,", "the disk", "**Because**")...), []string{"10 unanswered-why"}},
		{"nothing answered: one finding", complete(append([]string{"The disk filled up."}, five("**Because** TBD", "**Because**")...)...), []string{"11 unanswered-why"}},
		{"nothing at all in the root cause: the section's finding only", complete(five("**Because** TBD", "**Because**")...), nil},
		{"chain stops early", complete(five("**Because** a", "**Because** b", "**Because** c")...), []string{"14 unanswered-why"}},
		{"chain stops at a named root cause", complete(five("**Because** a", "**Because** b (root cause)")...), nil},
		{"chain stops at an action item", complete(append(five("**Because** a", "**Because** b"), "   **Action item:** rotate logs")...), nil},
		{"action item still a placeholder", complete(append(five("**Because** a", "**Because** b"), "   **Action item:** TBD")...), []string{"12 unanswered-why"}},
		{"no questions", complete("### Five whys", "", "Nothing yet."), []string{"8 unanswered-why"}},
		{"no Five whys at all", complete("The disk filled up."), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFindings(t, postmortem.Lint(tt.doc, postmortem.LintConfig{}), postmortem.RuleUnansweredWhy, tt.want...)
		})
	}
}

func TestLintPlaceholder(t *testing.T) {
	doc := lintDoc(
		"| Owner | TBD |", // 1: the facts table is checked
		"## Summary",
		"tbd",
		"TODO: write it",
		"FIXME",
		"<fill in>",
		"Lorem ipsum dolor.",
		"- [ ] TBD",
		"todo list, TBDX, fixme-free", // 9: lowercase TODO and words containing TBD are not placeholders
		"`TODO` <!-- TBD -->",
		"```",
		"TODO",
		"```",
		"## Timeline",
		"| 09:00 | ETA TBD | |", // 15: PagerDuty's words
		"   **Because** TBD",    // 16: reported by unanswered-why, not twice
	)
	// The placeholders of one section are one thing to do: one finding, on the first, naming every line.
	fs := postmortem.Lint(doc, postmortem.LintConfig{})
	checkFindings(t, fs, postmortem.RulePlaceholder, "1 placeholder", "3 placeholder")
	for _, f := range fs {
		if f.Line == 3 && !strings.Contains(f.Message, `6 placeholders left in section "Summary" (lines 3, 4, 5, 6, 7, 8)`) {
			t.Errorf("line 3: %q, want the section's six placeholders named", f.Message)
		}
	}
}

func TestLintEmptySection(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"complete", complete("A bug."), nil},
		{"placeholders, comments and generated lists only", lintDoc(
			"## Summary", "TBD: what broke", "<!-- a comment -->",
			"### Impact", "Responders:", "", "- Alice: acknowledged",
			"## Root cause", "TBD", "### Five whys", "1. **Why** did it happen?", "   **Because** TBD", "   **Action item:** TBD",
			"## RESOLUTION:", "Restarted.",
			"## Timeline", "| a | b |",
			"## What could have prevented it", "",
			"## Action items", "- [ ] TBD",
		), []string{"1 empty-section", "4 empty-section", "8 empty-section", "18 empty-section", "20 empty-section"}},
		{"missing sections are reported on line 1", lintDoc("# Postmortem", "## Summary", "ok", "## Impact", "ok", "## Root cause", "ok", "## Resolution", "ok"),
			[]string{"1 empty-section", "1 empty-section", "1 empty-section"}},
		{"a heading in a code block is not a section", lintDoc("```", "## Summary", "```"),
			[]string{"1 empty-section", "1 empty-section", "1 empty-section", "1 empty-section", "1 empty-section", "1 empty-section", "1 empty-section"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFindings(t, postmortem.Lint(tt.doc, postmortem.LintConfig{}), postmortem.RuleEmptySection, tt.want...)
		})
	}
}

func TestLintActionItemOwner(t *testing.T) {
	doc := lintDoc(
		"## Action items",
		"- [ ] Rotate logs (@sre-lead, due 2024-06-01)",
		"- [x] Alert on disk usage", // 3
		"* [ ] Owned by a team (@acme/sre)",
		"- [ ] Owner on the next line,",
		"      (@bob, due 2024-02-30)", // 6: reported on the item's line, 5
		"- [ ] Mail ops@example.com",   // 7: an email is not an owner
		"- [ ] Due soon (@ann, due: 2024/06/01)",
		"- [ ] `@bob` in code (due 2024-06-01)", // 9
		"- Not a checklist item",
		"## Lessons learned",
		"- [ ] Not an action item",
	)
	fs := postmortem.Lint(doc, postmortem.LintConfig{})
	checkFindings(t, fs, postmortem.RuleActionItemOwner,
		"3 action-item-owner", "5 action-item-owner", "7 action-item-owner", "8 action-item-owner", "9 action-item-owner")
	var messages []string
	for _, f := range fs {
		if f.Rule == postmortem.RuleActionItemOwner {
			messages = append(messages, f.Message)
		}
	}
	want := `action item has no owner|due date "2024-02-30" is not a date|action item has no owner|due date "2024/06/01" is not a date|action item has no owner`
	if strings.Join(messages, "|") != want {
		t.Errorf("messages %q", messages)
	}
}

func TestLintCRLFAndSort(t *testing.T) {
	fs := postmortem.Lint("## Summary\r\nTBD, human error\r\n", postmortem.LintConfig{})
	checkFindings(t, fs, "", "1 empty-section", "1 empty-section", "1 empty-section", "1 empty-section",
		"1 empty-section", "1 empty-section", "1 empty-section", "2 blame-language")
}

// Fresh drafts are blameless by construction: they must be reported for what is left to write, never for
// their wording, whatever PagerDuty's titles, notes and names hold.
func TestLintRenderedDrafts(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, path := range paths {
		if strings.HasSuffix(path, "pull-request.md") {
			continue // a pull request description, not a postmortem
		}
		checked++
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			rules := map[string]int{}
			lines := map[int]bool{}
			fs := postmortem.Lint(string(b), postmortem.LintConfig{})
			for _, f := range fs {
				rules[f.Rule]++
				if f.Rule == postmortem.RuleBlameLanguage || f.Rule == postmortem.RulePersonInCause {
					t.Errorf("%s:%d: %s: %s", path, f.Line, f.Rule, f.Message)
				}
				if lines[f.Line] && f.Line != 1 {
					t.Errorf("%s:%d reported twice: %+v", path, f.Line, fs)
				}
				lines[f.Line] = true
			}
			// A to-do list: one finding per required section left as the template wrote it, and the
			// placeholders outside them; nothing inside them reported again.
			// Action items that came from PagerDuty notes fill their section; each one without an owner is
			// a task of its own.
			items := len(regexp.MustCompile(`(?m)^- \[ \] (?:[^T]|T[^B])`).FindAllString(string(b), -1))
			if rules[postmortem.RuleEmptySection] < 4 || rules[postmortem.RuleUnansweredWhy] != 0 || rules[postmortem.RuleActionItemOwner] > items || len(fs) > 10+items {
				t.Errorf("not a short to-do list: %v", rules)
			}
		})
	}
	if checked < 10 {
		t.Errorf("only %d drafts in testdata", checked)
	}
}

func TestLintFilledInPostmortem(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "lint", "clean.md"))
	if err != nil {
		t.Fatal(err)
	}
	if fs := postmortem.Lint(string(b), postmortem.LintConfig{People: []string{"Carol Jones"}}); len(fs) != 0 {
		t.Errorf("clean.md: %+v", fs)
	}
}

func TestLintProblems(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "lint", "problems.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`1 empty-section: required section "What could have prevented it" is missing`,
		`6 placeholder: placeholder "TBD" left in`,
		`8 empty-section: section "Summary" has nothing but placeholders`,
		`23 blame-language: blameful wording "human error"; blameful wording "forgot to" about "Bob"; person-in-cause: @carol is mentioned in the root cause; responder "Bob" is named in the root cause`,
		`31 blame-language: blameful wording "should have known" about "Alice"; person-in-cause: responder "Alice" is named in the root cause`,
		`33 unanswered-why: why 3 is not answered`,
		`34 unanswered-why: why 4 has no "**Because**" answer`,
		`36 empty-section: section "Resolution" has nothing but placeholders`,
		`48 action-item-owner: action item has no owner`,
		`49 action-item-owner: due date "2024-13-40" is not a date`,
		`51 placeholder: placeholder "TBD" left in`,
	}
	var got []string
	for _, f := range postmortem.Lint(string(b), postmortem.LintConfig{}) {
		got = append(got, fmt.Sprintf("%d %s: %s", f.Line, f.Rule, f.Message))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
