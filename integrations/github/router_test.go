package github_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/postmortem"
)

func TestRouterSendsEachDraftToItsRepository(t *testing.T) {
	s := newServer(t)
	r, err := github.NewRouter(github.Options{BaseURL: s.URL(), Token: token, Repo: owner + "/" + repo, BaseBranch: "main"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d := draft()
	d.Repo = strings.ToUpper(owner + "/" + repo) // the same repository, spelled otherwise
	if _, err := r.Publish(ctx, d); err != nil {
		t.Fatal(err)
	}
	checkPublished(t, s)
	a, _ := r.Client("")
	b, _ := r.Client(strings.ToUpper(owner + "/" + repo))
	if a != b {
		t.Error("two clients for one repository")
	}

	// The fake holds one repository: a draft routed elsewhere reaches another repository, which it does
	// not know.
	other := draft()
	other.Repo = owner + "/elsewhere"
	if _, err := r.Publish(ctx, other); err == nil {
		t.Error("a draft routed to another repository was published in the configured one")
	}
	bad := draft()
	bad.Repo = "not-a-repo"
	if _, err := r.Publish(ctx, bad); err == nil || !strings.Contains(err.Error(), "not-a-repo") {
		t.Errorf("bad route: %v", err)
	}
}

func TestUpdateFile(t *testing.T) {
	s := newServer(t)
	c, _ := newClient(t, s, nil)
	ctx := context.Background()
	d := draft()
	if _, err := c.Publish(ctx, d); err != nil {
		t.Fatal(err)
	}
	first := github.BlobSHA(d.Content)
	if err := c.UpdateFile(ctx, d.Branch, d.Path, "# v2\n", "update", first); err != nil {
		t.Fatal(err)
	}
	// Again, as a retry after a crash would: nothing more to do.
	if err := c.UpdateFile(ctx, d.Branch, d.Path, "# v2\n", "update", first); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.File(d.Branch, d.Path); got != "# v2\n" || s.Commits(d.Branch) != 3 {
		t.Errorf("file %q after %d commits", got, s.Commits(d.Branch))
	}
	// The file is not the one expected any more: someone else's work is never overwritten.
	err := c.UpdateFile(ctx, d.Branch, d.Path, "# v3\n", "update", first)
	if !errors.Is(err, postmortem.ErrFileEdited) {
		t.Errorf("error %v, want ErrFileEdited", err)
	}
	if got, _ := s.File(d.Branch, d.Path); got != "# v2\n" {
		t.Errorf("file overwritten: %q", got)
	}
}

func TestBlobSHAMatchesGit(t *testing.T) {
	// printf 'hello\n' | git hash-object --stdin
	if got := github.BlobSHA("hello\n"); got != "ce013625030ba8dba906f756967f9e9ca394464a" {
		t.Errorf("BlobSHA = %s", got)
	}
}
