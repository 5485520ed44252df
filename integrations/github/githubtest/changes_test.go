package githubtest_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
)

// field reads a string field of each item of a list answer.
func field(list map[string]any, name string) string {
	var out []string
	for _, it := range list["list"].([]any) {
		out = append(out, fmt.Sprint(it.(map[string]any)[name]))
	}
	return strings.Join(out, ",")
}

func TestDeploymentsReleasesAndClosedPullRequests(t *testing.T) {
	s, c := setup(t)
	t0 := time.Date(2025, 6, 3, 12, 0, 0, 0, time.UTC)
	first := s.AddDeployment(githubtest.Deployment{Ref: "v1", SHA: "a1", Environment: "production", Creator: "ana", CreatedAt: t0,
		Statuses: []githubtest.DeploymentStatus{{State: "in_progress", Creator: "ana", CreatedAt: t0}, {State: "failure", Creator: "ana", CreatedAt: t0.Add(time.Minute)}}})
	s.AddDeployment(githubtest.Deployment{Ref: "v2", SHA: "b2", Environment: "staging", Creator: "ben", CreatedAt: t0.Add(time.Hour)})
	s.AddDeployment(githubtest.Deployment{Ref: "v0", SHA: "c0", Environment: "production", Creator: "ben", CreatedAt: t0.Add(-time.Hour)})

	if st, l, _ := c.do("GET", "repos/acme/pm/deployments", ""); st != 200 || field(l, "ref") != "v2,v1,v0" {
		t.Errorf("deployments: %d %s, want newest first", st, field(l, "ref"))
	}
	if _, l, _ := c.do("GET", "repos/acme/pm/deployments?environment=production", ""); field(l, "ref") != "v1,v0" {
		t.Errorf("production deployments: %s", field(l, "ref"))
	}
	_, page, h := c.do("GET", "repos/acme/pm/deployments?per_page=2", "")
	if field(page, "ref") != "v2,v1" || !strings.Contains(h.Get("Link"), `rel="next"`) {
		t.Errorf("first page of 2: %s, Link %q", field(page, "ref"), h.Get("Link"))
	}
	if _, l, _ := c.do("GET", "repos/acme/pm/deployments/"+strconv.FormatInt(first, 10)+"/statuses", ""); field(l, "state") != "failure,in_progress" {
		t.Errorf("statuses: %s, want newest first", field(l, "state"))
	}
	if st, e, _ := c.do("GET", "repos/acme/pm/deployments/424242/statuses", ""); st != 404 || e["message"] != "Not Found" {
		t.Errorf("unknown deployment: %d %v", st, e)
	}

	s.AddRelease(githubtest.Release{Tag: "v1", Author: "ana", CreatedAt: t0, PublishedAt: t0})
	s.AddRelease(githubtest.Release{Tag: "v2", Author: "ana", CreatedAt: t0.Add(time.Hour), Draft: true})
	_, l, _ := c.do("GET", "repos/acme/pm/releases", "")
	if field(l, "tag_name") != "v2,v1" || field(l, "published_at") != "<nil>,2025-06-03T12:00:00Z" {
		t.Errorf("releases: %s published %s", field(l, "tag_name"), field(l, "published_at"))
	}

	older := s.AddClosedPullRequest(githubtest.ClosedPullRequest{Title: "older", Head: "a", Base: "main", Author: "ana", MergedBy: "ben", MergedAt: t0})
	s.AddClosedPullRequest(githubtest.ClosedPullRequest{Title: "newer", Head: "b", Base: "main", Author: "ana", ClosedAt: t0.Add(time.Hour)})
	s.AddClosedPullRequest(githubtest.ClosedPullRequest{Title: "oldest", Head: "c", Base: "main", Author: "ana", MergedBy: "ben", MergedAt: t0.Add(-time.Hour)})
	// GitHub's direction defaults to ascending for every sort but created.
	if _, l, _ := c.do("GET", "repos/acme/pm/pulls?state=closed&sort=updated", ""); field(l, "title") != "oldest,older,newer" {
		t.Errorf("sort=updated: %s, want ascending", field(l, "title"))
	}
	if _, l, _ := c.do("GET", "repos/acme/pm/pulls?state=closed&sort=updated&direction=desc", ""); field(l, "title") != "newer,older,oldest" {
		t.Errorf("sort=updated&direction=desc: %s", field(l, "title"))
	}
	if _, l, _ := c.do("GET", "repos/acme/pm/pulls?state=closed", ""); field(l, "title") != "newer,older,oldest" {
		t.Errorf("default sort: %s, want newest created first", field(l, "title"))
	}
	_, p, _ := c.do("GET", "repos/acme/pm/pulls/"+strconv.Itoa(older), "")
	if p["merged"] != true || p["merged_at"] != "2025-06-03T12:00:00Z" || p["merged_by"].(map[string]any)["login"] != "ben" {
		t.Errorf("merged pull request: merged %v at %v by %v", p["merged"], p["merged_at"], p["merged_by"])
	}
}
