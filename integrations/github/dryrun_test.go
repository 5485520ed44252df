package github_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/postmortem"
)

// The dry run is a whole publisher: it names no blob, so nothing is ever updated, writes an update into the
// draft's folder when asked, and keeps one comment per marker.
func TestDryRunIsAPublisher(t *testing.T) {
	dir := t.TempDir()
	var p postmortem.Publisher = github.DryRun{Dir: dir}
	if sha := p.BlobSHA("content"); sha != "" {
		t.Errorf("BlobSHA = %q, want none", sha)
	}
	ctx := context.Background()
	if err := p.UpdateFile(ctx, "", postmortem.BranchName("P1"), "postmortems/p1.md", "new text", "update", ""); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "P1", "postmortems", "p1.md")); err != nil || string(b) != "new text" {
		t.Errorf("updated file %q, %v", b, err)
	}
	if err := p.UpdateFile(ctx, "", "main", "x.md", "text", "update", ""); err == nil {
		t.Error("an update of a branch that is not a postmortem's was written")
	}
	for _, c := range []struct{ marker, body string }{{"<!-- m1 -->", "first"}, {"<!-- m1 -->", "again"}, {"<!-- m2 -->", "second"}} {
		if err := p.CommentOnce(ctx, "", 0, c.marker, c.body); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, "comments"))
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, "comments", e.Name()))
		bodies = append(bodies, string(b))
	}
	if got := strings.Join(bodies, "|"); len(bodies) != 2 || !strings.Contains(got, "first") || !strings.Contains(got, "second") || strings.Contains(got, "again") {
		t.Errorf("comments %q, want one per marker", bodies)
	}
}
