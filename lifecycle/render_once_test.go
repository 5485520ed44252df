package lifecycle_test

import (
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// countingComposer counts the outlines and renders of the composer it wraps.
type countingComposer struct {
	postmortem.DraftComposer
	outlines, renders int
	linked            []map[string]int
}

func (c *countingComposer) Outline(inc postmortem.Incident, d postmortem.Decision) postmortem.Outline {
	c.outlines++
	return c.DraftComposer.Outline(inc, d)
}

func (c *countingComposer) Render(o postmortem.Outline, issues map[string]int) (postmortem.Draft, error) {
	c.renders++
	c.linked = append(c.linked, issues)
	return c.DraftComposer.Render(o, issues)
}

func TestDraftRendersOncePerRunWithItsActionItemsLinked(t *testing.T) {
	for _, tc := range []struct {
		name        string
		actionItems bool
		wantLinks   int
	}{
		{"with action items", true, 2},
		{"without action items", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPipeline(t)
			if tc.actionItems {
				p.withActionItemNotes()
			}
			c := &countingComposer{DraftComposer: p.h.Composer}
			p.h.Composer = c
			for run := 1; run <= 2; run++ {
				if err := p.process(t); err != nil {
					t.Fatal(err)
				}
				if c.outlines != run || c.renders != run {
					t.Fatalf("after %d runs: %d outlines and %d renders, want %d of each", run, c.outlines, c.renders, run)
				}
				if got := len(c.linked[run-1]); got != tc.wantLinks {
					t.Errorf("run %d rendered with %d linked action items, want %d", run, got, tc.wantLinks)
				}
			}
			content := p.file(t)
			for _, n := range actionItemIssues(p) {
				if !strings.Contains(content, "(#"+itoa(n)+")") {
					t.Errorf("the draft does not link #%d", n)
				}
			}
		})
	}
}
