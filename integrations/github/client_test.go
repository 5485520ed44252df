package github_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
)

func TestParseRepo(t *testing.T) {
	for _, tc := range []struct {
		in          string
		owner, name string
		ok          bool
	}{
		{"acme/postmortems", "acme", "postmortems", true},
		{"Acme-Corp/post.mortems_2", "Acme-Corp", "post.mortems_2", true},
		{"", "", "", false},
		{"acme", "", "", false},
		{"acme/", "", "", false},
		{"/postmortems", "", "", false},
		{"acme/post/mortems", "", "", false},
		{" acme/postmortems", "", "", false},
		{"acme/postmortems.git", "", "", false},
		{"https://github.com/acme/postmortems", "", "", false},
		{"acme/..", "", "", false},
		{"acme/post mortems", "", "", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			owner, name, err := github.ParseRepo(tc.in)
			if (err == nil) != tc.ok || owner != tc.owner || name != tc.name {
				t.Errorf("ParseRepo(%q) = %q, %q, %v", tc.in, owner, name, err)
			}
			if err != nil && !strings.Contains(err.Error(), "want owner/name") {
				t.Errorf("error %q does not say what is wanted", err)
			}
		})
	}
}

func TestNewNamesTheBadOption(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts github.Options
		want string
	}{
		{"bad repo", github.Options{Repo: "x", Token: "t"}, `repo: want owner/name, got "x"`},
		{"no credentials", github.Options{Repo: "a/b"}, "token: a token or a GitHub App"},
		{"both credentials", github.Options{Repo: "a/b", Token: "t", AppID: 1}, "not both"},
		{"app without installation", github.Options{Repo: "a/b", AppID: 1, PrivateKeyPEM: []byte("k")}, "app installation ID"},
		{"app without key", github.Options{Repo: "a/b", AppID: 1, InstallationID: 2}, "app private key: required"},
		{"app with a bad key", github.Options{Repo: "a/b", AppID: 1, InstallationID: 2, PrivateKeyPEM: []byte("not a key")}, "app private key:"},
		{"bad base URL", github.Options{Repo: "a/b", Token: "t", BaseURL: "ftp://x"}, "base URL: want an http(s) URL"},
		{"negative wait", github.Options{Repo: "a/b", Token: "t", MaxWait: -1}, "max wait"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := github.New(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
	if _, err := github.New(github.Options{Repo: "a/b", Token: "t"}); err != nil {
		t.Errorf("New with defaults: %v", err)
	}
}

func TestEnterpriseServerBaseURL(t *testing.T) {
	s := newServer(t)
	for _, base := range []string{s.EnterpriseURL(), strings.TrimSuffix(s.EnterpriseURL(), "/")} {
		t.Run(base, func(t *testing.T) {
			c, _ := newClient(t, s, func(o *github.Options) { o.BaseURL = base })
			if _, _, err := c.FindPullRequest(context.Background(), "postmortem/X"); err != nil {
				t.Fatalf("FindPullRequest: %v", err)
			}
			reqs := s.Requests()
			if last := reqs[len(reqs)-1]; last.Path != "/api/v3/repos/acme/postmortems/pulls" {
				t.Errorf("request path = %q, want the /api/v3/ prefix kept", last.Path)
			}
		})
	}
	c, _ := newClient(t, s, func(o *github.Options) { o.BaseURL = s.EnterpriseURL() })
	if _, err := c.Publish(context.Background(), draft()); err != nil {
		t.Fatalf("Publish through the Enterprise path: %v", err)
	}
	checkPublished(t, s)
}

func TestAppAuthentication(t *testing.T) {
	pemKey := githubtest.AppPrivateKey(t)
	s := newServer(t)
	s.SetLogin("hindsight[bot]")
	c, _ := newClient(t, s, func(o *github.Options) {
		o.Token, o.AppID, o.InstallationID, o.PrivateKeyPEM = "", 12, 34, pemKey
		o.BaseURL = s.EnterpriseURL()
	})
	d := draft()
	d.Reviewers = append(d.Reviewers, "hindsight[bot]")
	got, err := c.Publish(context.Background(), d)
	if err != nil {
		t.Fatalf("Publish as an App: %v", err)
	}
	if got.Author != "hindsight[bot]" {
		t.Errorf("author = %q, want the App's bot", got.Author)
	}
	reqs := s.Requests()
	if reqs[0].Path != "/api/v3/app/installations/34/access_tokens" {
		t.Errorf("first request = %+v, want the installation token", reqs[0])
	}
	if n := count(reqs, "POST", "/access_tokens", 0); n != 1 {
		t.Errorf("%d token requests, want 1 (cached)", n)
	}
	if pr := s.PullRequests()[0]; len(pr.RequestedReviewers) != 2 {
		t.Errorf("requested reviewers = %v, want alice and bob, never the bot", pr.RequestedReviewers)
	}
}
