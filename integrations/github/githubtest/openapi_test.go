package githubtest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/internal/openapicheck"
)

// githubSpec is the part of GitHub's OpenAPI description that Hindsight uses, trimmed from the npm package
// @octokit/openapi by scripts/trim-github-openapi.sh (testdata/SOURCES.md says which version).
const githubSpec = "testdata/api.github.com.subset.json"

// operations are the operations Hindsight's client sends (integrations/github) and the fake answers, as
// "METHOD path-template" in the spec's spelling. scripts/trim-github-openapi.sh keeps the same list.
var operations = []string{
	"GET /user",
	"GET /app",
	"POST /app/installations/{installation_id}/access_tokens",
	"GET /repos/{owner}/{repo}/collaborators/{username}/permission",
	"GET /repos/{owner}/{repo}",
	"GET /repos/{owner}/{repo}/installation",
	"GET /repos/{owner}/{repo}/branches/{branch}",
	"GET /repos/{owner}/{repo}/contents/{path}",
	"GET /repos/{owner}/{repo}/deployments",
	"GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
	"GET /repos/{owner}/{repo}/releases",
	"POST /repos/{owner}/{repo}/statuses/{sha}",
	"POST /repos/{owner}/{repo}/check-runs",
	"PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
	"POST /repos/{owner}/{repo}/git/trees",
	"GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
	"POST /repos/{owner}/{repo}/git/commits",
	"GET /repos/{owner}/{repo}/git/commits/{commit_sha}",
	"POST /repos/{owner}/{repo}/git/refs",
	"GET /repos/{owner}/{repo}/git/ref/{ref}",
	"PATCH /repos/{owner}/{repo}/git/refs/{ref}",
	"DELETE /repos/{owner}/{repo}/git/refs/{ref}",
	"GET /repos/{owner}/{repo}/pulls",
	"POST /repos/{owner}/{repo}/pulls",
	"GET /repos/{owner}/{repo}/pulls/{pull_number}",
	"PATCH /repos/{owner}/{repo}/pulls/{pull_number}",
	"POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
	"GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
	"GET /repos/{owner}/{repo}/issues",
	"POST /repos/{owner}/{repo}/issues",
	"GET /repos/{owner}/{repo}/issues/{issue_number}",
	"PATCH /repos/{owner}/{repo}/issues/{issue_number}",
	"POST /repos/{owner}/{repo}/issues/{issue_number}/labels",
	"POST /repos/{owner}/{repo}/issues/{issue_number}/assignees",
	"GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
	"POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
	"PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
	"GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
	"POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
}

// unlistedStatuses are answers GitHub gives that the spec does not list for the operation, each with
// why the fake keeps them. Their bodies are still checked, against basic-error.
var unlistedStatuses = map[string]string{
	"POST /repos/{owner}/{repo}/statuses/{sha} 422":                          "GitHub answers 422 for an unknown SHA or state; the spec lists 201 only",
	"POST /repos/{owner}/{repo}/check-runs 422":                              "GitHub answers 422 for an unknown head SHA or a bad field; the spec lists 201 only",
	"POST /repos/{owner}/{repo}/check-runs 403":                              "GitHub answers 403 to a token that is not a GitHub App's; the spec lists 201 only",
	"PATCH /repos/{owner}/{repo}/check-runs/{check_run_id} 404":              "an unknown check run is 404; the spec lists 200 only",
	"PATCH /repos/{owner}/{repo}/issues/comments/{comment_id} 404":           "an unknown comment is 404 on every GitHub endpoint; the spec lists 200 and 422",
	"POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers 404": "an unknown pull request is 404; the spec lists 201, 403 and 422",
}

func TestSpecHasEveryOperation(t *testing.T) {
	spec := openapicheck.Load(t, githubSpec)
	for _, op := range operations {
		if spec.Operation(op) == nil {
			t.Errorf("%s is not in %s", op, githubSpec)
		}
	}
	// The trimmed file holds these operations and no others, so the script and this list stay in step.
	for path, item := range openapicheck.Object(spec.Doc["paths"]) {
		for method := range openapicheck.Object(item) {
			if method == "parameters" {
				continue
			}
			if op := strings.ToUpper(method) + " " + path; !slices.Contains(operations, op) {
				t.Errorf("%s holds %s, which the operations list lacks", githubSpec, op)
			}
		}
	}
}

// TestSchemaCheckFindsMismatches keeps the checker honest: a good value passes and each broken one is
// caught.
func TestSchemaCheckFindsMismatches(t *testing.T) {
	spec := openapicheck.Load(t, githubSpec)
	const schemas = "#/components/schemas/"
	label := `{"id":1,"node_id":"LA_1","url":"https://api.github.com/repos/o/r/labels/bug","name":"bug","description":null,"color":"d73a4a","default":false}`
	ref := `{"ref":"refs/heads/a","node_id":"REF_1","url":"https://api.github.com/repos/o/r/git/refs/heads/a","object":{"type":"commit","sha":"a","url":"https://api.github.com/x"}}`
	for _, tc := range []struct {
		name, schema, value, want string
	}{
		{"a label", schemas + "label", label, ""},
		{"a ref", schemas + "git-ref", ref, ""},
		{"a missing property", schemas + "label", strings.Replace(label, `"name":"bug",`, "", 1), "missing required name"},
		{"a wrong type", schemas + "label", strings.Replace(label, `"id":1`, `"id":"1"`, 1), "body.id: string, want integer"},
		{"a null that may not be", schemas + "label", strings.Replace(label, `"name":"bug"`, `"name":null`, 1), "body.name: null, want string"},
		{"a fraction for an integer", schemas + "label", strings.Replace(label, `"id":1`, `"id":1.5`, 1), "body.id: number, want integer"},
		{"a value off the enum", schemas + "author-association", `"BOSS"`, "is none of"},
		{"a relative uri", schemas + "git-ref", strings.Replace(ref, `"url":"https://api.github.com/repos`, `"url":"/repos`, 1), "not an absolute URI"},
		{"an array item", schemas + "git-tree", `{"sha":"a","truncated":false,"tree":[{"path":1}]}`, "body.tree[0].path: integer, want string"},
		{"a property an empty object forbids", schemas + "empty-object", `{"a":1}`, `property "a" is not allowed`},
		{"no oneOf alternative", "#/paths/~1user/get/responses/200/content/application~1json/schema", `{"login":"a"}`, "matches none of the 2 oneOf"},
		{"a bad date-time", schemas + "issue-comment", `{"created_at":"yesterday"}`, `"yesterday" is not a date-time`},
	} {
		var v any
		if err := json.Unmarshal([]byte(tc.value), &v); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		errs := strings.Join(spec.Check("body", map[string]any{"$ref": tc.schema}, v), "\n")
		switch {
		case tc.want == "" && errs != "":
			t.Errorf("%s: %s", tc.name, errs)
		case !strings.Contains(errs, tc.want):
			t.Errorf("%s: got %q, want an error with %q", tc.name, errs, tc.want)
		}
	}
}

// TestFakeAnswersAsOpenAPISays drives the fake through what Hindsight does with a postmortem (branch,
// tree, commit, ref, pull request, reviewers, labels, assignees, comments, action item issues and their
// sub-issues, statuses, contents) and the errors it meets, and checks that every answer's status is one
// the spec lists for the operation and every JSON body has what the spec's schema requires.
func TestFakeAnswersAsOpenAPISays(t *testing.T) {
	spec := openapicheck.Load(t, githubSpec)
	s := githubtest.NewServer(t, "acme", "postmortems", token)
	s.AddCollaborators("alice", "bob")
	s.AddTeams("sre")
	c := &specClient{t: t, spec: spec, base: s.URL(), auth: "Bearer " + token, seen: map[string]bool{}}
	const repo = "repos/acme/postmortems/"

	c.call(200, "GET /user", "user", nil)
	app := *c
	app.auth = "Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2ln"
	app.call(201, "POST /app/installations/{installation_id}/access_tokens", "app/installations/7/access_tokens", nil)
	app.call(200, "GET /app", "app", nil)
	s.SetInstallation(7)
	app.call(200, "GET /repos/{owner}/{repo}/installation", repo+"installation", nil)
	app.call(404, "GET /repos/{owner}/{repo}/installation", "repos/acme/elsewhere/installation", nil)
	c.call(200, "GET /repos/{owner}/{repo}", strings.TrimSuffix(repo, "/"), nil)
	c.call(200, "GET /repos/{owner}/{repo}/collaborators/{username}/permission", repo+"collaborators/alice/permission", nil)
	c.call(200, "GET /repos/{owner}/{repo}/collaborators/{username}/permission", repo+"collaborators/acme/permission", nil)
	c.call(200, "GET /repos/{owner}/{repo}/collaborators/{username}/permission", repo+"collaborators/stranger/permission", nil)
	c.call(404, "GET /repos/{owner}/{repo}/collaborators/{username}/permission", repo+"collaborators/no_such_user/permission", nil)

	branch := c.call(200, "GET /repos/{owner}/{repo}/branches/{branch}", repo+"branches/main", nil)
	head := str(branch, "commit", "sha")
	baseTree := str(branch, "commit", "commit", "tree", "sha")
	c.call(200, "GET /repos/{owner}/{repo}/contents/{path}", repo+"contents/README.md?ref=main", nil)

	tree := c.call(201, "POST /repos/{owner}/{repo}/git/trees", repo+"git/trees", map[string]any{
		"base_tree": baseTree,
		"tree":      []map[string]any{{"path": "postmortems/P1.md", "mode": "100644", "type": "blob", "content": "# P1\n"}},
	})
	c.call(200, "GET /repos/{owner}/{repo}/git/trees/{tree_sha}", repo+"git/trees/"+str(tree, "sha"), nil)
	commit := c.call(201, "POST /repos/{owner}/{repo}/git/commits", repo+"git/commits", map[string]any{
		"message": "Postmortem for P1", "tree": str(tree, "sha"), "parents": []string{head},
	})
	sha := str(commit, "sha")
	c.call(200, "GET /repos/{owner}/{repo}/git/commits/{commit_sha}", repo+"git/commits/"+sha, nil)
	c.call(201, "POST /repos/{owner}/{repo}/git/refs", repo+"git/refs", map[string]any{"ref": "refs/heads/postmortem/P1", "sha": sha})
	c.call(422, "POST /repos/{owner}/{repo}/git/refs", repo+"git/refs", map[string]any{"ref": "refs/heads/postmortem/P1", "sha": sha})
	c.call(200, "GET /repos/{owner}/{repo}/git/ref/{ref}", repo+"git/ref/heads/postmortem/P1", nil)
	c.call(404, "GET /repos/{owner}/{repo}/git/ref/{ref}", repo+"git/ref/heads/nope", nil)
	c.call(201, "POST /repos/{owner}/{repo}/statuses/{sha}", repo+"statuses/"+sha, map[string]any{
		"state": "pending", "context": "hindsight/postmortem", "description": "Waiting for the timeline",
	})
	c.call(422, "POST /repos/{owner}/{repo}/statuses/{sha}", repo+"statuses/"+sha, map[string]any{"state": "bogus"})
	run := c.call(201, "POST /repos/{owner}/{repo}/check-runs", repo+"check-runs", map[string]any{
		"name": "hindsight/postmortem", "head_sha": sha, "status": "in_progress",
		"output": map[string]any{"title": "1 finding", "summary": "One blameful sentence.", "annotations": []map[string]any{
			{"path": "postmortems/P1.md", "start_line": 3, "end_line": 3, "start_column": 5, "end_column": 14, "annotation_level": "failure", "message": "blameful wording"},
		}},
	})
	runID := strconv.Itoa(integer(run, "id"))
	c.call(200, "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", repo+"check-runs/"+runID, map[string]any{
		"conclusion": "failure", "output": map[string]any{"title": "1 finding", "summary": "One blameful sentence."},
	})
	c.call(422, "POST /repos/{owner}/{repo}/check-runs", repo+"check-runs", map[string]any{"name": "hindsight/postmortem", "head_sha": "0000000"})
	c.call(404, "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", repo+"check-runs/999999", map[string]any{"conclusion": "success"})
	tokenOnly := githubtest.NewServer(t, "acme", "postmortems", token)
	plain := &specClient{t: t, spec: spec, base: tokenOnly.URL(), auth: "Bearer " + token, seen: c.seen}
	plain.call(403, "POST /repos/{owner}/{repo}/check-runs", repo+"check-runs", map[string]any{"name": "hindsight/postmortem", "head_sha": sha})

	pr := c.call(201, "POST /repos/{owner}/{repo}/pulls", repo+"pulls", map[string]any{
		"title": "Postmortem: P1", "head": "postmortem/P1", "base": "main", "body": "Timeline inside.",
	})
	c.call(422, "POST /repos/{owner}/{repo}/pulls", repo+"pulls", map[string]any{
		"title": "Postmortem: P1", "head": "postmortem/P1", "base": "main",
	})
	n := strconv.Itoa(integer(pr, "number"))
	c.call(200, "GET /repos/{owner}/{repo}/pulls", repo+"pulls?head=acme:postmortem/P1&state=all", nil)
	c.call(200, "GET /repos/{owner}/{repo}/pulls/{pull_number}", repo+"pulls/"+n, nil)
	c.call(404, "GET /repos/{owner}/{repo}/pulls/{pull_number}", repo+"pulls/999", nil)
	c.call(200, "PATCH /repos/{owner}/{repo}/pulls/{pull_number}", repo+"pulls/"+n, map[string]any{"body": "Timeline and actions."})
	c.call(201, "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", repo+"pulls/"+n+"/requested_reviewers",
		map[string]any{"reviewers": []string{"alice"}, "team_reviewers": []string{"sre"}})
	c.call(422, "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", repo+"pulls/"+n+"/requested_reviewers",
		map[string]any{"reviewers": []string{"hindsight-bot"}})
	c.call(422, "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", repo+"pulls/"+n+"/requested_reviewers",
		map[string]any{"reviewers": []string{"mallory"}})
	c.call(404, "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", repo+"pulls/999/requested_reviewers",
		map[string]any{"reviewers": []string{"alice"}})
	s.AddReview(integer(pr, "number"), "alice", "APPROVED")
	c.call(200, "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", repo+"pulls/"+n+"/reviews", nil)

	// What the changes section reads: deployments and their statuses, releases, merged pull requests.
	at := time.Date(2025, 6, 3, 13, 0, 0, 0, time.UTC)
	dep := s.AddDeployment(githubtest.Deployment{Ref: "v1.4.0", SHA: head, Environment: "production", Creator: "deploy-bot[bot]", CreatedAt: at,
		Statuses: []githubtest.DeploymentStatus{{State: "success", Creator: "deploy-bot[bot]", CreatedAt: at.Add(time.Minute), LogURL: "https://ci.example.com/1"}}})
	s.AddDeployment(githubtest.Deployment{Ref: "main", SHA: head, Environment: "staging", Description: "canary", Creator: "alice", CreatedAt: at.Add(-time.Hour)})
	c.call(200, "GET /repos/{owner}/{repo}/deployments", repo+"deployments?per_page=100", nil)
	c.call(200, "GET /repos/{owner}/{repo}/deployments", repo+"deployments?environment=staging", nil)
	c.call(200, "GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", repo+"deployments/"+strconv.FormatInt(dep, 10)+"/statuses?per_page=100", nil)
	c.call(404, "GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", repo+"deployments/1/statuses", nil)
	s.AddRelease(githubtest.Release{Tag: "v1.4.0", Name: "June", Author: "alice", CreatedAt: at, PublishedAt: at})
	s.AddRelease(githubtest.Release{Tag: "v1.5.0", Author: "alice", CreatedAt: at.Add(time.Hour), Draft: true, Prerelease: true})
	c.call(200, "GET /repos/{owner}/{repo}/releases", repo+"releases?per_page=100", nil)
	c.call(404, "GET /repos/{owner}/{repo}/releases", "repos/acme/elsewhere/releases", nil)
	merged := s.AddClosedPullRequest(githubtest.ClosedPullRequest{Title: "Raise the pool size", Head: "pool", Base: "main", Author: "bob", MergedBy: "alice", MergedAt: at})
	c.call(200, "GET /repos/{owner}/{repo}/pulls", repo+"pulls?state=closed&sort=updated&direction=desc&per_page=100", nil)
	c.call(200, "GET /repos/{owner}/{repo}/pulls/{pull_number}", repo+"pulls/"+strconv.Itoa(merged), nil)

	// go-github sends a bare array; the spec describes {"labels": [...]}. The fake takes both.
	c.call(200, "POST /repos/{owner}/{repo}/issues/{issue_number}/labels", repo+"issues/"+n+"/labels", []string{"postmortem"})
	c.call(200, "POST /repos/{owner}/{repo}/issues/{issue_number}/labels", repo+"issues/"+n+"/labels", map[string]any{"labels": []string{"sev1"}})
	c.call(201, "POST /repos/{owner}/{repo}/issues/{issue_number}/assignees", repo+"issues/"+n+"/assignees", map[string]any{"assignees": []string{"bob"}})
	comment := c.call(201, "POST /repos/{owner}/{repo}/issues/{issue_number}/comments", repo+"issues/"+n+"/comments", map[string]any{"body": "Draft ready."})
	c.call(422, "POST /repos/{owner}/{repo}/issues/{issue_number}/comments", repo+"issues/"+n+"/comments", map[string]any{"body": ""})
	c.call(200, "GET /repos/{owner}/{repo}/issues/{issue_number}/comments", repo+"issues/"+n+"/comments", nil)
	c.call(200, "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", repo+"issues/comments/"+strconv.Itoa(integer(comment, "id")),
		map[string]any{"body": "Draft ready for review."})
	c.call(404, "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", repo+"issues/comments/1", map[string]any{"body": "x"})
	c.call(200, "GET /repos/{owner}/{repo}/issues/{issue_number}", repo+"issues/"+n, nil)

	parent := c.call(201, "POST /repos/{owner}/{repo}/issues", repo+"issues", map[string]any{
		"title": "Action items for P1", "body": "See the postmortem.", "labels": []string{"postmortem"}, "assignees": []string{"alice"},
	})
	child := c.call(201, "POST /repos/{owner}/{repo}/issues", repo+"issues", map[string]any{"title": "Add a latency alert"})
	c.call(422, "POST /repos/{owner}/{repo}/issues", repo+"issues", map[string]any{"body": "no title"})
	c.call(422, "POST /repos/{owner}/{repo}/issues", repo+"issues", map[string]any{"title": strings.Repeat("t", 257)})
	c.call(422, "POST /repos/{owner}/{repo}/issues/{issue_number}/comments", repo+"issues/"+n+"/comments", map[string]any{"body": strings.Repeat("b", 65537)})
	pn := strconv.Itoa(integer(parent, "number"))
	c.call(201, "POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues", repo+"issues/"+pn+"/sub_issues",
		map[string]any{"sub_issue_id": integer(child, "id")})
	c.call(422, "POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues", repo+"issues/"+pn+"/sub_issues",
		map[string]any{"sub_issue_id": integer(child, "id")})
	c.call(200, "GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues", repo+"issues/"+pn+"/sub_issues", nil)
	c.call(200, "GET /repos/{owner}/{repo}/issues", repo+"issues?state=all&labels=postmortem", nil)
	c.call(200, "PATCH /repos/{owner}/{repo}/issues/{issue_number}", repo+"issues/"+strconv.Itoa(integer(child, "number")),
		map[string]any{"state": "closed", "labels": []string{"done"}, "assignees": []string{"bob"}})
	c.call(422, "PATCH /repos/{owner}/{repo}/issues/{issue_number}", repo+"issues/"+pn, map[string]any{"state": "bogus"})
	c.call(404, "GET /repos/{owner}/{repo}/issues/{issue_number}", repo+"issues/999", nil)
	c.call(404, "GET /repos/{owner}/{repo}/issues/{issue_number}/comments", repo+"issues/999/comments", nil)

	// A second commit on the branch, as an update of the postmortem does.
	tree2 := c.call(201, "POST /repos/{owner}/{repo}/git/trees", repo+"git/trees", map[string]any{
		"base_tree": str(tree, "sha"),
		"tree":      []map[string]any{{"path": "postmortems/P1.md", "mode": "100644", "type": "blob", "content": "# P1\n\nUpdated.\n"}},
	})
	c.call(422, "POST /repos/{owner}/{repo}/git/trees", repo+"git/trees", map[string]any{
		"base_tree": "0000000000000000000000000000000000000000", "tree": []map[string]any{},
	})
	commit2 := c.call(201, "POST /repos/{owner}/{repo}/git/commits", repo+"git/commits", map[string]any{
		"message": "Update the postmortem for P1", "tree": str(tree2, "sha"), "parents": []string{sha},
	})
	c.call(422, "POST /repos/{owner}/{repo}/git/commits", repo+"git/commits", map[string]any{
		"message": "x", "tree": "0000000000000000000000000000000000000000",
	})
	c.call(200, "PATCH /repos/{owner}/{repo}/git/refs/{ref}", repo+"git/refs/heads/postmortem/P1", map[string]any{"sha": str(commit2, "sha")})
	c.call(422, "PATCH /repos/{owner}/{repo}/git/refs/{ref}", repo+"git/refs/heads/postmortem/P1", map[string]any{"sha": head})
	c.call(200, "GET /repos/{owner}/{repo}/contents/{path}", repo+"contents/postmortems/P1.md?ref=postmortem/P1", nil)
	c.call(404, "GET /repos/{owner}/{repo}/contents/{path}", repo+"contents/missing.md", nil)
	c.call(404, "GET /repos/{owner}/{repo}/branches/{branch}", repo+"branches/nope", nil)
	c.call(404, "GET /repos/{owner}/{repo}", "repos/acme/other", nil)
	c.call(204, "DELETE /repos/{owner}/{repo}/git/refs/{ref}", repo+"git/refs/heads/postmortem/P1", nil)
	c.call(422, "DELETE /repos/{owner}/{repo}/git/refs/{ref}", repo+"git/refs/heads/postmortem/P1", nil)

	// An empty repository, where only the Contents API can write.
	s.DeleteBranch("main")
	c.call(409, "POST /repos/{owner}/{repo}/git/trees", repo+"git/trees", map[string]any{
		"tree": []map[string]any{{"path": "a.md", "mode": "100644", "type": "blob", "content": "a"}},
	})
	c.call(409, "GET /repos/{owner}/{repo}/git/ref/{ref}", repo+"git/ref/heads/main", nil)
	c.call(404, "GET /repos/{owner}/{repo}/contents/{path}", repo+"contents/README.md", nil)

	for _, op := range operations {
		if !c.seen[op] {
			t.Errorf("%s was never exercised", op)
		}
	}
}

// TestErrorsOfEveryOperation checks the errors GitHub can give on any operation, which the spec lists for
// few of them: bad credentials, the primary and secondary rate limits, and a body that is not JSON. Each
// body must be a basic-error.
func TestErrorsOfEveryOperation(t *testing.T) {
	spec := openapicheck.Load(t, githubSpec)
	basic := map[string]any{"$ref": "#/components/schemas/basic-error"}
	check := func(name string, rep *http.Response) {
		t.Helper()
		raw, _ := io.ReadAll(rep.Body)
		_ = rep.Body.Close()
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s: %d answer is not JSON: %q", name, rep.StatusCode, raw)
		}
		for _, e := range spec.Check("body", basic, v) {
			t.Errorf("%s (%d): %s", name, rep.StatusCode, e)
		}
		if m, _ := v.(map[string]any); m["message"] == nil || m["documentation_url"] == nil {
			t.Errorf("%s: GitHub's errors carry message and documentation_url: %s", name, raw)
		}
	}
	send := func(s *githubtest.Server, method, path, auth, body string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", auth)
		rep, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}

	s := githubtest.NewServer(t, "acme", "postmortems", token)
	if rep := send(s, "GET", "repos/acme/postmortems", "Bearer wrong", ""); rep.StatusCode != 401 {
		t.Errorf("bad credentials: %d", rep.StatusCode)
		_ = rep.Body.Close()
	} else {
		check("bad credentials", rep)
	}
	if rep := send(s, "POST", "app/installations/7/access_tokens", "Bearer not-a-jwt", ""); rep.StatusCode != 401 {
		t.Errorf("bad JWT: %d", rep.StatusCode)
		_ = rep.Body.Close()
	} else {
		check("bad JWT", rep)
	}
	if rep := send(s, "POST", "repos/acme/postmortems/issues", "Bearer "+token, "{not json"); rep.StatusCode != 400 {
		t.Errorf("bad JSON: %d", rep.StatusCode)
		_ = rep.Body.Close()
	} else {
		check("bad JSON", rep)
	}
	s.LimitContentCreation(1)
	_ = send(s, "POST", "repos/acme/postmortems/issues", "Bearer "+token, `{"title":"a"}`).Body.Close()
	if rep := send(s, "POST", "repos/acme/postmortems/issues", "Bearer "+token, `{"title":"b"}`); rep.StatusCode != 403 {
		t.Errorf("secondary limit: %d", rep.StatusCode)
		_ = rep.Body.Close()
	} else {
		check("secondary limit", rep)
	}
	s.SetRateLimit(0, time.Now().Add(time.Hour))
	if rep := send(s, "GET", "repos/acme/postmortems", "Bearer "+token, ""); rep.StatusCode != 403 {
		t.Errorf("primary limit: %d", rep.StatusCode)
		_ = rep.Body.Close()
	} else {
		check("primary limit", rep)
	}
	for _, f := range []githubtest.Fault{
		githubtest.PrimaryLimit(429, time.Now().Add(time.Hour)),
		githubtest.SecondaryLimit(429, time.Minute),
		githubtest.TooManyRequests(time.Second),
	} {
		if err := json.Unmarshal([]byte(f.Body), new(any)); err != nil {
			t.Errorf("fault body %q is not JSON", f.Body)
			continue
		}
		var v any
		_ = json.Unmarshal([]byte(f.Body), &v)
		for _, e := range spec.Check("fault", basic, v) {
			t.Error(e)
		}
	}
}

// specClient sends plain HTTP requests to the fake and checks each answer against the spec.
type specClient struct {
	t    *testing.T
	spec *openapicheck.Spec
	base string
	auth string
	seen map[string]bool
}

// call sends body (JSON-encoded unless nil) to path for the operation op, fails the test unless the
// answer is want, checks the answer against the spec and returns its decoded body.
func (c *specClient) call(want int, op, path string, body any) any {
	c.t.Helper()
	method, _, _ := strings.Cut(op, " ")
	operation := c.spec.Operation(op)
	if operation == nil {
		c.t.Fatalf("%s is not in the spec", op)
	}
	c.seen[op] = true
	var reader io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, reader)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	rep, raw, where := openapicheck.Send(c.t, req, want)

	response, listed := c.spec.Response(operation, rep.StatusCode)
	key := op + " " + strconv.Itoa(rep.StatusCode)
	if !listed && unlistedStatuses[key] == "" {
		c.t.Errorf("%s: the spec does not list %d for %s", where, rep.StatusCode, op)
	}
	schema := c.spec.JSONSchema(response)
	if schema == nil && rep.StatusCode >= 400 {
		// GitHub's error bodies are basic-errors even where the spec describes none.
		schema = map[string]any{"$ref": "#/components/schemas/basic-error"}
	}
	for name, h := range openapicheck.Object(response["headers"]) {
		if name == "Location" && rep.Header.Get(name) == "" {
			c.t.Errorf("%s: no %s header, which the spec lists (%v)", where, name, openapicheck.Object(h)["example"])
		}
	}
	if schema == nil {
		if len(raw) > 0 {
			c.t.Errorf("%s: the spec gives no body, the fake sent %q", where, raw)
		}
		return nil
	}
	return c.spec.CheckJSON(c.t, where, schema, raw)
}

// str returns the string at keys inside v, or "".
func str(v any, keys ...string) string {
	for _, k := range keys {
		v = openapicheck.Object(v)[k]
	}
	s, _ := v.(string)
	return s
}

// integer returns the number at key of v, or 0.
func integer(v any, key string) int {
	f, _ := openapicheck.Object(v)[key].(float64)
	return int(f)
}
