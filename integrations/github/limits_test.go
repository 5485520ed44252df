package github_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/postmortem"
)

func TestFitCutsOnCharacterBoundaries(t *testing.T) {
	long := strings.Repeat("ä😀", 2000)
	title := github.FitTitle(long)
	if n := utf8.RuneCountInString(title); n != github.MaxTitle || !utf8.ValidString(title) || !strings.HasSuffix(title, "…") {
		t.Errorf("FitTitle: %d characters, valid %v, %q…", n, utf8.ValidString(title), title[len(title)-8:])
	}
	body := github.FitBody("<!-- marker -->\n" + strings.Repeat("ö", 70000))
	if n := utf8.RuneCountInString(body); n != github.MaxBody || !utf8.ValidString(body) || !strings.HasPrefix(body, "<!-- marker -->") || !strings.Contains(body, "65,536") {
		t.Errorf("FitBody: %d characters, valid %v", n, utf8.ValidString(body))
	}
	if got := github.FitTitle("Short ✓"); got != "Short ✓" {
		t.Errorf("FitTitle changed a short title: %q", got)
	}
}

// A 3,000-character incident title and a huge description still open one pull request, and issues and
// comments over GitHub's limits are cut rather than refused.
func TestLongTextIsCutToGitHubLimits(t *testing.T) {
	s := newServer(t)
	c, _ := newClient(t, s, nil)
	ctx := context.Background()
	d := draft()
	d.Title = "Postmortem: " + strings.Repeat("Zahlungsausfall ", 200)
	d.Body = strings.Repeat("ß", 80000)
	pr, err := c.Publish(ctx, d)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	prs := s.PullRequests()
	if len(prs) != 1 || prs[0].Number != pr.Number {
		t.Fatalf("pull requests: %+v", prs)
	}
	if n := utf8.RuneCountInString(prs[0].Title); n != 256 || !strings.HasSuffix(prs[0].Title, "…") {
		t.Errorf("title has %d characters, want 256 ending with …", n)
	}
	if n := utf8.RuneCountInString(prs[0].Body); n > 65536 {
		t.Errorf("body has %d characters", n)
	}
	is, _, err := c.EnsureIssue(ctx, postmortem.IssueSpec{Marker: "<!-- hindsight:item P1 k -->", Title: strings.Repeat("x", 300), Body: strings.Repeat("y", 70000), Labels: []string{"postmortem"}})
	if err != nil {
		t.Fatalf("EnsureIssue: %v", err)
	}
	again, created, err := c.EnsureIssue(ctx, postmortem.IssueSpec{Marker: "<!-- hindsight:item P1 k -->", Title: strings.Repeat("x", 300), Body: strings.Repeat("y", 70000), Labels: []string{"postmortem"}})
	if err != nil || created || again.Number != is.Number {
		t.Errorf("EnsureIssue again: %v created %v #%d, want the same issue found by its marker", err, created, again.Number)
	}
	if _, err := c.UpsertComment(ctx, pr.Number, "<!-- hindsight:lint -->", strings.Repeat("z", 70000)); err != nil {
		t.Fatalf("UpsertComment: %v", err)
	}
	if err := c.CommentOnce(ctx, pr.Number, "<!-- hindsight:x -->", strings.Repeat("w", 70000)); err != nil {
		t.Fatalf("CommentOnce: %v", err)
	}
	if n := len(s.Comments(pr.Number)); n != 2 {
		t.Errorf("comments: %d, want 2", n)
	}
}

// A 422 the client does not expect is marked postmortem.ErrRejected: no retry can change GitHub's answer.
func TestValidationFailureIsRejected(t *testing.T) {
	s := newServer(t)
	c, _ := newClient(t, s, nil)
	err := c.Comment(context.Background(), 999, "hello")
	if err == nil || errors.Is(err, postmortem.ErrRejected) {
		t.Fatalf("comment on a missing issue: %v, want a 404 that is not ErrRejected", err)
	}
	_, _, err = c.EnsureIssue(context.Background(), postmortem.IssueSpec{Marker: "<!-- m -->", Title: "", Labels: []string{"postmortem"}})
	if !errors.Is(err, postmortem.ErrRejected) || !strings.Contains(err.Error(), "422") {
		t.Errorf("issue without a title: %v, want ErrRejected with GitHub's reason", err)
	}
}

func TestConfiguredCommentSize(t *testing.T) {
	s := newServer(t)
	c, _ := newClient(t, s, func(o *github.Options) { o.MaxCommentCharacters = 2000 })
	ctx := context.Background()
	pr, err := c.Publish(ctx, draft())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpsertComment(ctx, pr.Number, "<!-- hindsight:lint -->", strings.Repeat("é", 5000)); err != nil {
		t.Fatal(err)
	}
	comments := s.Comments(pr.Number)
	last := comments[len(comments)-1]
	if n := utf8.RuneCountInString(last); n != 2000 || !strings.HasPrefix(last, "<!-- hindsight:lint -->") || !strings.Contains(last, "cut here") {
		t.Errorf("comment of %d characters, want 2000 with its marker and a cut notice", n)
	}
}
