package postmortem

import (
	"fmt"
	"strings"
)

// FindingsMarkdown lists findings of the file at path for a pull request comment.
func FindingsMarkdown(path string, findings []Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The blameless and completeness check found %d %s in `%s`:\n\n", len(findings), Plural(len(findings), "thing"), path)
	b.WriteString("| Line | Rule | Finding | Suggestion |\n|---|---|---|---|\n")
	for _, f := range findings {
		fmt.Fprintf(&b, "| %d | `%s` | %s | %s |\n", f.Line, f.Rule, Inline(f.Message), Inline(f.Suggestion))
	}
	return b.String()
}
