package main

import (
	"errors"
	"testing"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
)

func newGitHubClient(t *testing.T, gh *githubtest.Server) *github.Client {
	t.Helper()
	c, err := github.New(github.Options{BaseURL: gh.URL(), Token: ghToken, Repo: "acme/postmortems"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func blobSHA(content string) string { return github.BlobSHA(content) }

func isUsage(err error, ue *usageError) bool { return errors.As(err, ue) }
