package postmortem_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hindsight-dev/hindsight/postmortem"
)

const fuzzMarkdown = "# Postmortem: checkout latency\n\n| Incident | #42 |\n|---|---|\n\n## Summary\n\nThe proxy ran out of connections.\n\n" +
	"## Root cause\n\nAna forgot to raise the pool size.\n\n## Five whys\n\n1. Why? Because.\n2. Why?\n\n" +
	"## Action items\n\n- [ ] Alert on pool saturation (@dana, due 2026-10-28) (#123)\n- [x] TBD\n\n```\n- [ ] not an item\n```\n" +
	"<!-- - [ ] hidden -->\n<details>\n> quoted note: human error\n</details>\n"

// FuzzLint runs the lint over arbitrary Markdown: findings point at lines of the document, name a rule and
// say something, and the lint never panics.
func FuzzLint(f *testing.F) {
	f.Add(fuzzMarkdown)
	f.Add("## Action items\n- [ ] (@)\n## Five whys\n1.\n")
	f.Add("```\n## Root cause\n<!--\n`x` -->\r\n## Summary\n\t- [X] a (due 9999-99-99)")
	f.Fuzz(func(t *testing.T, md string) {
		lines := strings.Count(md, "\n") + 1
		cfg := postmortem.LintConfig{People: []string{"Ana"}, BlamePhrases: []string{"should have"}}
		for _, fd := range postmortem.Lint(md, cfg) {
			if fd.Line < 0 || fd.Line > lines {
				t.Errorf("finding on line %d of a %d-line document: %+v", fd.Line, lines, fd)
			}
			if fd.Rule == "" || fd.Message == "" {
				t.Errorf("finding without rule or message: %+v", fd)
			}
		}
	})
}

// FuzzParseActionItems reads action items from arbitrary Markdown (a merged postmortem is people's text):
// every item sits on a line of the document and has a key, and renders back to one checklist line with
// the same state, owner, due date and issue.
func FuzzParseActionItems(f *testing.F) {
	f.Add(fuzzMarkdown)
	f.Add("### Action Items ###\n* [X] Rotate keys (due: 2026-01-31, @a-b)\n#### sub\n+ [ ] nested (#0)\n## Next\n- [ ] out")
	f.Fuzz(func(t *testing.T, md string) {
		lines := strings.Count(strings.ReplaceAll(md, "\r\n", "\n"), "\n") + 1
		for _, it := range postmortem.ParseActionItems(md) {
			if it.Line < 1 || it.Line > lines {
				t.Errorf("item on line %d of a %d-line document: %+v", it.Line, lines, it)
			}
			if it.Key == "" {
				t.Errorf("item without a key: %+v", it)
			}
			if !utf8.ValidString(md) {
				continue
			}
			again := postmortem.ParseActionItems("## Action items\n" + it.Markdown())
			if len(again) != 1 {
				t.Fatalf("item %+v renders as %q, which parses to %d items", it, it.Markdown(), len(again))
			}
			if again[0].Done != it.Done || again[0].Issue != it.Issue || again[0].Owner != it.Owner || !again[0].Due.Equal(it.Due) {
				t.Errorf("item %+v renders as %q, which parses to %+v", it, it.Markdown(), again[0])
			}
		}
	})
}

// FuzzActionItemsFromNotes turns arbitrary PagerDuty note text into action items: each has text, a key
// naming its note, and no line breaks.
func FuzzActionItemsFromNotes(f *testing.F) {
	f.Add("Action item: add an alert on pool saturation")
	f.Add("todo:   \n\t ")
	f.Add("TODO: resolves #5\r\nsecond line")
	f.Fuzz(func(t *testing.T, content string) {
		notes := []postmortem.Note{{ID: "N1", Content: content}}
		for _, it := range postmortem.ActionItemsFromNotes(notes, postmortem.DefaultActionItemPrefixes, nil) {
			if it.Text == "" || it.Key != "note:N1" {
				t.Errorf("item %+v", it)
			}
			if strings.ContainsAny(it.Text, "\r\n") {
				t.Errorf("item text %q spans lines", it.Text)
			}
		}
	})
}

// FuzzWriteCustomerVersion writes the customer version of arbitrary Markdown: never a panic, always the
// marker first and every part's heading, and a text lint accepts as a customer version.
func FuzzWriteCustomerVersion(f *testing.F) {
	f.Add("# Postmortem: x\n\n## Summary\n\nAnn on db-1.prod.internal ([dash](https://grafana.x.internal))\n\n> quote\n\n```\ncode\n```\n", "Ann")
	f.Add("## Impact\n\n[ref]: https://a.b.c\n\nsee [ref] and <https://x.y.z/q> 10.0.0.1:80 @bob\n", "bob")
	f.Add("<details>\n## Action items\n- [ ] fix (@a) (#1)\n", "")
	f.Fuzz(func(t *testing.T, md, person string) {
		v := postmortem.WriteCustomerVersion(postmortem.CustomerInput{Markdown: md, Redaction: postmortem.Redaction{People: []string{person}}})
		if !postmortem.IsCustomerVersion(v.Content) {
			t.Fatalf("no marker:\n%s", v.Content)
		}
		for _, h := range []string{"\n## Summary\n", "\n## Impact\n", "\n## Timeline\n", "\n## Resolution\n", "\n## Prevention\n"} {
			if !strings.Contains(v.Content, h) {
				t.Fatalf("no %q:\n%s", h, v.Content)
			}
		}
		postmortem.Lint(v.Content, postmortem.LintConfig{People: []string{person}})
	})
}
