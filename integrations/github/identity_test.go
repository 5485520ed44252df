package github_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/postmortem"
)

// A marker in a comment or issue somebody else wrote means nothing: they cannot silence a reminder, have
// Hindsight edit their comment, or stand in for its issue.
func TestMarkersMatchOnlyHindsightsOwnText(t *testing.T) {
	s := newServer(t)
	c, _ := newClient(t, s, nil)
	ctx := context.Background()
	pr, err := c.Publish(ctx, draft())
	if err != nil {
		t.Fatal(err)
	}
	const reminder = "<!-- hindsight:reminder PABC123 1700000000 -->"
	s.CommentAs(pr.Number, "mallory", reminder+"\nno need to remind anyone")
	if err := c.CommentOnce(ctx, pr.Number, reminder, "Please review."); err != nil {
		t.Fatal(err)
	}
	s.CommentAs(pr.Number, "mallory", "<!-- hindsight:lint -->\nmy own words")
	if _, err := c.UpsertComment(ctx, pr.Number, "<!-- hindsight:lint -->", "findings"); err != nil {
		t.Fatal(err)
	}
	comments := s.Comments(pr.Number)
	if len(comments) != 4 {
		t.Fatalf("comments: %q, want mallory's two and Hindsight's two", comments)
	}
	// In order: mallory's reminder, Hindsight's, mallory's lint comment, Hindsight's.
	if comments[2] != "<!-- hindsight:lint -->\nmy own words" {
		t.Errorf("mallory's comment was edited: %q", comments[2])
	}
	if !strings.Contains(comments[1], "Please review.") || !strings.Contains(comments[3], "findings") {
		t.Errorf("Hindsight's comments: %q", comments)
	}
	// Once Hindsight's own comment is there, the marker finds it.
	if err := c.CommentOnce(ctx, pr.Number, reminder, "Please review."); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Comments(pr.Number)); n != 4 {
		t.Errorf("%d comments after a repeated reminder, want 4", n)
	}

	spec := postmortem.IssueSpec{Marker: postmortem.ActionItemMarker("PABC123", "k1"), Title: "Add an alert", Body: "b", Labels: []string{"postmortem"}}
	fake := s.OpenIssueAs("mallory", "Add an alert", spec.Marker+"\nfake")
	is, created, err := c.EnsureIssue(ctx, spec)
	if err != nil || !created || is.Number == fake {
		t.Errorf("EnsureIssue: #%d created %v %v, want its own issue beside mallory's #%d", is.Number, created, err, fake)
	}
	if _, _, ours, err := c.OwnIssue(ctx, fake); err != nil || ours {
		t.Errorf("OwnIssue(mallory's) = ours %v, %v", ours, err)
	}
	if body, open, ours, err := c.OwnIssue(ctx, is.Number); err != nil || !ours || !open || !strings.Contains(body, spec.Marker) {
		t.Errorf("OwnIssue(Hindsight's) = %q open %v ours %v, %v", body, open, ours, err)
	}
	if n := count(s.Requests(), "GET", "/user", 0); n != 1 {
		t.Errorf("%d GET /user, want 1 (the identity is cached)", n)
	}
}

func TestAppIdentityIsItsBot(t *testing.T) {
	pemKey := githubtest.AppPrivateKey(t)
	s := newServer(t)
	s.SetLogin("hindsight-app[bot]")
	c, _ := newClient(t, s, func(o *github.Options) {
		o.Token, o.AppID, o.InstallationID, o.PrivateKeyPEM = "", 12, 34, pemKey
	})
	ctx := context.Background()
	for range 2 {
		self, err := c.Self(ctx)
		if err != nil || self != "hindsight-app[bot]" {
			t.Fatalf("Self = %q, %v, want the App's bot", self, err)
		}
	}
	if n := count(s.Requests(), "GET", "/app", 0); n != 1 {
		t.Errorf("%d GET /app, want 1 (cached)", n)
	}
}

func TestPermission(t *testing.T) {
	s := newServer(t)
	s.SetPermission("tina", "triage")
	s.SetPermission("max", "maintain")
	c, _ := newClient(t, s, nil)
	for login, want := range map[string]string{"acme": "admin", "alice": "write", "max": "write", "tina": "read", "stranger": "none", "no_such_user": "none"} {
		got, err := c.Permission(context.Background(), login)
		if err != nil || got != want {
			t.Errorf("Permission(%s) = %q, %v, want %q", login, got, err, want)
		}
	}
}
