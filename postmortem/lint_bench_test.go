package postmortem_test

import (
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// BenchmarkLintProse lints a long filled-in postmortem: 2,000 paragraphs of prose (about 620 KB) with
// blameful and blameless sentences, lists and indented code (about 0.4 s of CPU on this project's machine).
// Target: linear in the text, under a second; a usual postmortem (5–20 KB) takes milliseconds.
func BenchmarkLintProse(b *testing.B) {
	paragraph := "The deploy failed to start because the image tag did not exist. The on-call engineer forgot to " +
		"renew the certificate, and the health check simply exits when the lock file exists. Why did the operator " +
		"restart the primary? Kim didn't test the change.\n\n- [ ] Add an alert (@kim, due 2024-06-01)\n\n    code line\n\n"
	doc := "# Postmortem\n\n## Summary\n\n" + strings.Repeat(paragraph, 2000)
	cfg := postmortem.LintConfig{People: []string{"Kim Park", "Bob", "@ana"}}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if len(postmortem.Lint(doc, cfg)) == 0 {
			b.Fatal("no findings")
		}
	}
}
