package github_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/postmortem"
)

var trigger = time.Date(2025, 6, 3, 14, 0, 0, 0, time.UTC)

func changeQuery(repos ...string) postmortem.ChangeQuery {
	return postmortem.ChangeQuery{IncidentID: "PCHG001", Repos: repos, Trigger: trigger, Since: trigger.Add(-24 * time.Hour), Until: trigger.Add(time.Hour)}
}

func changesRouter(t *testing.T) (*githubtest.Server, *githubtest.Server, *github.Router) {
	t.Helper()
	s := githubtest.NewServer(t, "acme", "postmortems", "gh-token")
	api := s.AddRepository("acme", "api", 0)
	r, err := github.NewRouter(github.Options{BaseURL: s.URL(), Token: "gh-token", Repo: "acme/postmortems", MaxWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s, api, r
}

func TestReadChanges(t *testing.T) {
	_, api, r := changesRouter(t)
	api.AddDeployment(githubtest.Deployment{Ref: "v1.0.0", SHA: "0000000aaaaaaa", Environment: "production", Creator: "dana", CreatedAt: trigger.Add(-30 * time.Hour)})
	// Seven deployments in the window: the five nearest the trigger get their status read.
	for i := range 7 {
		at := trigger.Add(-time.Duration(7-i) * 2 * time.Hour)
		if i == 6 {
			at = trigger.Add(-10 * time.Minute)
		}
		api.AddDeployment(githubtest.Deployment{Ref: fmt.Sprintf("v1.1.%d", i), SHA: fmt.Sprintf("%07dbbbbbbb", i), Environment: "production",
			Creator: "deploy-bot[bot]", CreatedAt: at, Statuses: []githubtest.DeploymentStatus{
				{State: "in_progress", Creator: "deploy-bot[bot]", CreatedAt: at.Add(time.Minute)},
				{State: "success", Creator: "deploy-bot[bot]", CreatedAt: at.Add(3 * time.Minute), LogURL: fmt.Sprintf("https://ci.example.com/run/%d", i)},
				{State: "inactive", Creator: "deploy-bot[bot]", CreatedAt: trigger.Add(5 * time.Hour)}, // after the window: not what the incident saw
			}})
	}
	api.AddRelease(githubtest.Release{Tag: "v1.1.0", Name: "Spring", Author: "carol", CreatedAt: trigger.Add(-5 * time.Hour), PublishedAt: trigger.Add(-5 * time.Hour)})
	api.AddRelease(githubtest.Release{Tag: "v1.2.0", Author: "carol", CreatedAt: trigger.Add(-time.Hour), Draft: true})
	api.AddRelease(githubtest.Release{Tag: "v0.9.0", Author: "carol", CreatedAt: trigger.Add(-72 * time.Hour), PublishedAt: trigger.Add(-72 * time.Hour)})
	api.AddClosedPullRequest(githubtest.ClosedPullRequest{Title: "Raise the pool size", Head: "pool", Base: "main", Author: "erin", MergedBy: "frank", MergedAt: trigger.Add(-20 * time.Minute)})
	api.AddClosedPullRequest(githubtest.ClosedPullRequest{Title: "Into a release branch", Head: "fix", Base: "release-1", Author: "erin", MergedBy: "frank", MergedAt: trigger.Add(-time.Hour)})
	api.AddClosedPullRequest(githubtest.ClosedPullRequest{Title: "Abandoned", Head: "x", Base: "main", Author: "erin", ClosedAt: trigger.Add(-time.Hour)})
	api.AddClosedPullRequest(githubtest.ClosedPullRequest{Title: "Old", Head: "y", Base: "main", Author: "erin", MergedBy: "frank", MergedAt: trigger.Add(-48 * time.Hour)})

	got := r.ReadChanges(context.Background(), changeQuery("acme/api", "ACME/api"))
	var lines []string
	for _, c := range got.Items {
		lines = append(lines, fmt.Sprintf("%s %s %s by %s bot=%v", c.At.Format("02T15:04"), c.Kind, c.What, c.By, c.Bot))
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{
		"03T13:50 deployment v1.1.6 (0000006) to production: success by deploy-bot[bot] bot=true",
		"03T04:00 deployment v1.1.2 (0000002) to production: status not read by deploy-bot[bot] bot=true",
		"03T09:00 release Spring (v1.1.0) by carol bot=false",
		"03T13:40 pull request Raise the pool size (#1) by frank bot=false",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("changes lack %q:\n%s", want, text)
		}
	}
	for _, absent := range []string{"v1.0.0", "v1.2.0", "v0.9.0", "release branch", "Abandoned", "Old"} {
		if strings.Contains(text, absent) {
			t.Errorf("%q is outside the window or not a merge into the default branch:\n%s", absent, text)
		}
	}
	if n := len(got.Items); n != 9 {
		t.Errorf("%d changes, want 7 deployments, a release and a pull request", n)
	}
	for _, c := range got.Items {
		if c.What == "v1.1.6 (0000006) to production: success" && c.URL != "https://ci.example.com/run/6" {
			t.Errorf("deployment link %q, want its status's log", c.URL)
		}
	}
	unread := strings.Join(got.Unread(), "\n")
	if !strings.Contains(unread, "acme/api details: 3 of 8 deployments and merged pull requests were read without their status or merger") {
		t.Errorf("unread = %q", unread)
	}
	// The repository, named twice, is read once: three lists and five details.
	if n := len(api.Requests()); n != 3+5 {
		for _, q := range api.Requests() {
			t.Log(q.Method, q.Path, q.Query)
		}
		t.Errorf("%d requests to acme/api, want 8", n)
	}
}

func TestReadChangesFailuresAreReported(t *testing.T) {
	_, api, r := changesRouter(t)
	api.AddRelease(githubtest.Release{Tag: "v2", Author: "carol", CreatedAt: trigger.Add(-time.Hour), PublishedAt: trigger.Add(-time.Hour)})
	api.Fail(func(r *http.Request) (int, string, bool) {
		return http.StatusForbidden, `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/deployments/deployments#list-deployments","status":"403"}`,
			strings.HasSuffix(r.URL.Path, "/deployments")
	})
	got := r.ReadChanges(context.Background(), changeQuery("acme/api", "acme/gone"))
	if len(got.Items) != 1 || got.Items[0].What != "v2" {
		t.Errorf("changes = %+v, want the release read despite the deployments", got.Items)
	}
	unread := strings.Join(got.Unread(), "\n")
	for _, want := range []string{
		"acme/api deployments: GitHub answered 403: Resource not accessible by integration",
		"acme/gone deployments: GitHub answered 404: Not Found",
		"acme/gone releases: GitHub answered 404: Not Found",
		"acme/gone pull requests: GitHub answered 404: Not Found",
	} {
		if !strings.Contains(unread, want) {
			t.Errorf("unread lacks %q:\n%s", want, unread)
		}
	}
}

func TestReadChangesSaysWhatOnePageLeftOut(t *testing.T) {
	_, api, r := changesRouter(t)
	for i := range 101 {
		api.AddDeployment(githubtest.Deployment{Ref: "main", SHA: fmt.Sprintf("%040d", i), Environment: "staging", Creator: "dana",
			CreatedAt: trigger.Add(-time.Duration(i+1) * time.Minute)})
	}
	got := r.ReadChanges(context.Background(), changeQuery("acme/api"))
	unread := strings.Join(got.Unread(), "\n")
	if !strings.Contains(unread, "acme/api deployments: only the newest 100 deployments were read, and older ones may fall in the window") {
		t.Errorf("unread = %q", unread)
	}
	deployments := 0
	for _, c := range got.Items {
		if c.Kind == postmortem.ChangeDeployment {
			deployments++
		}
	}
	if deployments != 100 {
		t.Errorf("%d deployments listed, want the page of 100", deployments)
	}
}
