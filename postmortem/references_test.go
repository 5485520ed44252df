package postmortem_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// GitHub's autolinked references (#12, owner/repo#12, GH-12) and closing keywords before a reference or a
// URL, as GitHub reads them: only ASCII characters count, so a zero-width joiner breaks them.
var (
	liveReference = regexp.MustCompile(`(?i)(#|\bgh-)[0-9]`)
	liveClosing   = regexp.MustCompile(`(?i)\b(close[sd]?|fix(e[sd])?|resolve[sd]?)\s*:?\s*(#|gh-|https?:|\S+/\S+#)`)
)

func checkInert(t *testing.T, where, s string) {
	t.Helper()
	if m := liveReference.FindString(s); m != "" {
		t.Errorf("%s keeps the reference %q: %q", where, m, s)
	}
	if m := liveClosing.FindString(s); m != "" {
		t.Errorf("%s keeps the closing keyword %q: %q", where, m, s)
	}
}

func TestOutsideTextCannotReferenceOrCloseIssues(t *testing.T) {
	for _, in := range []string{
		"Fixes #1",
		"TODO: resolves #5",
		"closes acme/api#12 and FIXED: #3",
		"Resolved GH-7, gh-8",
		"fix https://github.com/acme/api/issues/3",
		"Closes:\u00a0https://github.com/acme/api/pull/4",
		"FIXES HTTP://ghe.example/acme/api/issues/5 and Gh-9",
		"see #12 (owner/repo#9)",
		"Zahlungsfehler bei Ünïcödé — 修复 #1 😀 @oncall",
	} {
		for name, out := range map[string]string{
			"Inline":   postmortem.Inline(in),
			"Block":    postmortem.Block(in+"\n"+in, "> "),
			"Plain":    postmortem.Plain(in),
			"Plain \n": postmortem.Plain("x\n" + in),
		} {
			checkInert(t, name+"("+in+")", out)
		}
		// Nothing is lost: without the joiners the plain text is the original.
		if got := strings.ReplaceAll(postmortem.Plain(in), "\u200d", ""); got != strings.Join(strings.Fields(in), " ") {
			t.Errorf("Plain(%q) = %q without joiners, want the text unchanged", in, got)
		}
	}
	// Words that merely look alike are left alone.
	for _, in := range []string{"prefixes are fine", "the fix was quick", "closed the valve", "C# and F# services", "ISSUE-42"} {
		if out := postmortem.Plain(in); out != in {
			t.Errorf("Plain(%q) = %q, want it unchanged", in, out)
		}
	}
	// Issue URLs stay links.
	if out := postmortem.Inline("see https://github.com/acme/api/issues/3"); !strings.Contains(out, "https://github.com/acme/api/issues/3") {
		t.Errorf("Inline broke an issue URL: %q", out)
	}
}

// Every place PagerDuty text reaches GitHub goes through the same neutralisation: the file, the pull
// request's title, description and commit message, and the action item issues.
func TestDraftAndIssuesCarryNoLiveReferences(t *testing.T) {
	inc := postmortem.SampleIncident()
	inc.Number = 1234
	inc.Title = "Fixes #1: checkout down for acme/api#2 users, closes GH-3 — Zahlung fehlgeschlagen"
	inc.Service.Name = "payments (resolves #4)"
	inc.Teams[0].Name = "fixes #5 team"
	inc.Notes = append(inc.Notes, postmortem.Note{ID: "N2", At: inc.CreatedAt.Add(30 * 60e9), User: inc.Assignees[0],
		Content: "TODO: resolves #5 and close https://github.com/acme/api/issues/6"})
	inc.LogEntries[0].Agent.Name = "Closes #7 bot"
	d, err := composer(t).Compose(inc, postmortem.Decision{Required: true})
	if err != nil {
		t.Fatal(err)
	}
	// The incident's own link, [#1234](PagerDuty URL), is an explicit link: GitHub links no reference inside.
	ownLink := regexp.MustCompile(`\[#1234\]\(https://example\.pagerduty\.com/[^)]*\)`)
	for where, text := range map[string]string{"title": d.Title, "commit message": d.CommitMessage, "description": d.Body, "file": d.Content} {
		checkInert(t, where, ownLink.ReplaceAllString(text, ""))
	}
	if !strings.Contains(d.Content, "Zahlung fehlgeschlagen") || !strings.Contains(d.Title, "Zahlung fehlgeschlagen") {
		t.Error("non-ASCII text was changed")
	}
	if len(d.ActionItems) == 0 {
		t.Fatal("the TODO note gave no action item")
	}
	ctx := postmortem.IssueContext{IncidentID: inc.ID, IncidentTitle: inc.Title, Number: inc.Number}
	for _, spec := range []postmortem.IssueSpec{postmortem.ActionItemIssue(ctx, d.ActionItems[len(d.ActionItems)-1]), postmortem.TrackingIssue(ctx)} {
		checkInert(t, "issue title", spec.Title)
		checkInert(t, "issue body", spec.Body)
	}
	items := d.ActionItems
	for i := range items {
		items[i].Issue = 40 + i
	}
	comment := postmortem.IssuesComment(items, postmortem.Issue{Number: 39})
	// The comment's own links to the issues it opened are meant; the item texts are not.
	checkInert(t, "issues comment", regexp.MustCompile(`#(39|4[0-9])\b`).ReplaceAllString(comment, ""))
}

// Without a PagerDuty URL the incident's number is not written "#1234", which would link the repository's
// issue 1234 from the pull request's description.
func TestIncidentNumberIsNoReferenceWithoutALink(t *testing.T) {
	inc := postmortem.SampleIncident()
	inc.Number, inc.URL = 1234, ""
	d, err := composer(t).Compose(inc, postmortem.Decision{Required: true})
	if err != nil {
		t.Fatal(err)
	}
	checkInert(t, "description", d.Body)
	checkInert(t, "title", d.Title)
}
