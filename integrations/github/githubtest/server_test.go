package githubtest_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
)

const token = "test-token"

type client struct {
	t     *testing.T
	s     *githubtest.Server
	token string
}

// do sends a request and returns the status and the decoded JSON body.
func (c client) do(method, path, body string) (int, map[string]any, http.Header) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.s.URL()+strings.TrimPrefix(path, "/"), strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &out); err != nil {
			c.t.Fatalf("%s %s: bad JSON %q", method, path, raw)
		}
	} else if len(raw) > 0 {
		var list []any
		if err := json.Unmarshal(raw, &list); err != nil {
			c.t.Fatalf("%s %s: bad JSON %q", method, path, raw)
		}
		out["list"] = list
	}
	return resp.StatusCode, out, resp.Header
}

func setup(t *testing.T) (*githubtest.Server, client) {
	s := githubtest.NewServer(t, "acme", "pm", token)
	return s, client{t: t, s: s, token: token}
}

// branch makes branch "feature" with file at path, on top of main, and returns its head.
func branch(t *testing.T, c client, name, path, content string, withBase bool) string {
	t.Helper()
	_, b, _ := c.do("GET", "repos/acme/pm/branches/main", "")
	head := b["commit"].(map[string]any)["sha"].(string)
	tree := b["commit"].(map[string]any)["commit"].(map[string]any)["tree"].(map[string]any)["sha"].(string)
	body := map[string]any{"tree": []map[string]string{{"path": path, "mode": "100644", "type": "blob", "content": content}}}
	if withBase {
		body["base_tree"] = tree
	}
	j, _ := json.Marshal(body)
	st, tr, _ := c.do("POST", "repos/acme/pm/git/trees", string(j))
	if st != 201 {
		t.Fatalf("create tree: %d %v", st, tr)
	}
	j, _ = json.Marshal(map[string]any{"message": "m", "tree": tr["sha"], "parents": []string{head}})
	st, cm, _ := c.do("POST", "repos/acme/pm/git/commits", string(j))
	if st != 201 {
		t.Fatalf("create commit: %d %v", st, cm)
	}
	j, _ = json.Marshal(map[string]any{"ref": "refs/heads/" + name, "sha": cm["sha"]})
	if st, r, _ := c.do("POST", "repos/acme/pm/git/refs", string(j)); st != 201 {
		t.Fatalf("create ref: %d %v", st, r)
	}
	return cm["sha"].(string)
}

func TestErrors(t *testing.T) {
	s, c := setup(t)
	bad := client{t: t, s: s, token: "nope"}
	st, body, h := bad.do("GET", "repos/acme/pm", "")
	if st != 401 || body["message"] != "Bad credentials" || body["documentation_url"] != "https://docs.github.com/rest" {
		t.Errorf("wrong token: %d %v", st, body)
	}
	if h.Get("X-RateLimit-Remaining") == "" {
		t.Error("401 without rate limit headers")
	}
	st, body, _ = c.do("GET", "repos/acme/other", "")
	if st != 404 || body["message"] != "Not Found" {
		t.Errorf("other repository: %d %v", st, body)
	}
	st, body, h = c.do("GET", "repos/acme/pm", "")
	if st != 200 || body["default_branch"] != "main" {
		t.Errorf("repository: %d %v", st, body)
	}
	for _, k := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Used"} {
		if h.Get(k) == "" {
			t.Errorf("missing %s", k)
		}
	}
}

func TestGitDataAndContents(t *testing.T) {
	s, c := setup(t)
	head := branch(t, c, "feature/x", "docs/a.md", "hello\n", true)
	if got, _ := s.File("feature/x", "docs/a.md"); got != "hello\n" {
		t.Errorf("file = %q", got)
	}
	if _, ok := s.File("feature/x", "README.md"); !ok {
		t.Error("base_tree not honoured")
	}
	branch(t, c, "bare", "only.md", "x", false)
	if _, ok := s.File("bare", "README.md"); ok {
		t.Error("a tree without base_tree kept the other files")
	}
	j := `{"ref":"refs/heads/feature/x","sha":"` + head + `"}`
	if st, body, _ := c.do("POST", "repos/acme/pm/git/refs", j); st != 422 || body["message"] != "Reference already exists" {
		t.Errorf("duplicate ref: %d %v", st, body)
	}
	if st, body, _ := c.do("GET", "repos/acme/pm/git/ref/heads/feature/x", ""); st != 200 || body["object"].(map[string]any)["sha"] != head {
		t.Errorf("get ref: %d %v", st, body)
	}
	if st, _, _ := c.do("GET", "repos/acme/pm/branches/feature%2Fx", ""); st != 200 {
		t.Errorf("escaped branch name: %d", st)
	}
	st, body, _ := c.do("GET", "repos/acme/pm/contents/docs/a.md?ref=feature/x", "")
	raw, _ := base64.StdEncoding.DecodeString(strings.ReplaceAll(body["content"].(string), "\n", ""))
	if st != 200 || string(raw) != "hello\n" || body["encoding"] != "base64" || body["sha"] == "" {
		t.Errorf("contents: %d %v", st, body)
	}
	if st, _, _ := c.do("GET", "repos/acme/pm/contents/docs/a.md", ""); st != 404 {
		t.Errorf("contents on main: %d, want 404", st)
	}
	if st, body, _ := c.do("GET", "repos/acme/pm/git/commits/"+head, ""); st != 200 || len(body["parents"].([]any)) != 1 {
		t.Errorf("commit: %d %v", st, body)
	}
}

func TestPullRequests(t *testing.T) {
	s, c := setup(t)
	s.AddCollaborators("alice")
	branch(t, c, "feature", "a.md", "a", true)
	st, pr, _ := c.do("POST", "repos/acme/pm/pulls", `{"title":"T","head":"feature","base":"main"}`)
	if st != 201 || pr["number"].(float64) != 1 || pr["user"].(map[string]any)["login"] != "hindsight-bot" {
		t.Fatalf("create: %d %v", st, pr)
	}
	st, body, _ := c.do("POST", "repos/acme/pm/pulls", `{"title":"T","head":"acme:feature","base":"main"}`)
	errs, _ := body["errors"].([]any)
	if st != 422 || body["message"] != "Validation Failed" || len(errs) != 1 ||
		errs[0].(map[string]any)["message"] != "A pull request already exists for acme:feature." {
		t.Errorf("second create: %d %v", st, body)
	}
	// A branch with nothing beyond main.
	_, b, _ := c.do("GET", "repos/acme/pm/branches/main", "")
	c.do("POST", "repos/acme/pm/git/refs", `{"ref":"refs/heads/same","sha":"`+b["commit"].(map[string]any)["sha"].(string)+`"}`)
	_, body, _ = c.do("POST", "repos/acme/pm/pulls", `{"title":"T","head":"same","base":"main"}`)
	if errs, _ := body["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["message"] != "No commits between main and same" {
		t.Errorf("no commits: %v", body)
	}

	for _, tc := range []struct{ query, want string }{
		{"", "1"}, {"?head=feature", "1"}, {"?head=acme:feature&state=all", "1"}, {"?head=acme:other&state=all", "0"},
	} {
		_, body, _ := c.do("GET", "repos/acme/pm/pulls"+tc.query, "")
		if got := len(body["list"].([]any)); (tc.want == "1") != (got == 1) {
			t.Errorf("list %q: %d pull requests, want %s", tc.query, got, tc.want)
		}
	}
	s.Merge(1)
	if _, body, _ := c.do("GET", "repos/acme/pm/pulls?head=feature", ""); len(body["list"].([]any)) != 0 {
		t.Error("default state is open: a merged pull request was listed")
	}
	if _, body, _ := c.do("GET", "repos/acme/pm/pulls?head=acme:feature&state=all", ""); body["list"].([]any)[0].(map[string]any)["merged"] != true {
		t.Error("merged pull request not reported merged")
	}
}

func TestReviewersLabelsAssignees(t *testing.T) {
	s, c := setup(t)
	s.AddCollaborators("alice", "bob")
	branch(t, c, "feature", "a.md", "a", true)
	c.do("POST", "repos/acme/pm/pulls", `{"title":"T","head":"feature","base":"main"}`)

	st, body, _ := c.do("POST", "repos/acme/pm/pulls/1/requested_reviewers", `{"reviewers":["hindsight-bot"]}`)
	if st != 422 || body["message"] != "Review cannot be requested from pull request author." {
		t.Errorf("author: %d %v", st, body)
	}
	st, body, _ = c.do("POST", "repos/acme/pm/pulls/1/requested_reviewers", `{"reviewers":["alice","mallory"]}`)
	want := "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the acme/pm repository."
	if st != 422 || body["message"] != want {
		t.Errorf("non-collaborator: %d %v", st, body)
	}
	if pr := s.PullRequests()[0]; len(pr.RequestedReviewers) != 0 {
		t.Errorf("a refused request added %v", pr.RequestedReviewers)
	}
	if st, _, _ := c.do("POST", "repos/acme/pm/pulls/1/requested_reviewers", `{"reviewers":["alice"]}`); st != 201 {
		t.Errorf("valid reviewer: %d", st)
	}

	c.do("PATCH", "repos/acme/pm/issues/1", `{"labels":["a","b"],"assignees":["alice"]}`)
	c.do("PATCH", "repos/acme/pm/issues/1", `{"labels":["c"],"assignees":["bob"]}`)
	if pr := s.PullRequests()[0]; strings.Join(pr.Labels, ",") != "c" || strings.Join(pr.Assignees, ",") != "bob" {
		t.Errorf("PATCH should replace: %v %v", pr.Labels, pr.Assignees)
	}
	c.do("POST", "repos/acme/pm/issues/1/labels", `["d"]`)
	c.do("POST", "repos/acme/pm/issues/1/labels", `{"labels":["e","d"]}`)
	c.do("POST", "repos/acme/pm/issues/1/assignees", `{"assignees":["alice"]}`)
	if pr := s.PullRequests()[0]; strings.Join(pr.Labels, ",") != "c,d,e" || strings.Join(pr.Assignees, ",") != "bob,alice" {
		t.Errorf("POST should add: %v %v", pr.Labels, pr.Assignees)
	}
	if st, _, _ := c.do("POST", "repos/acme/pm/issues/1/comments", `{"body":"hi"}`); st != 201 || len(s.Comments(1)) != 1 {
		t.Errorf("comment: %d %v", st, s.Comments(1))
	}
}

func TestEmptyRepository(t *testing.T) {
	s, c := setup(t)
	s.DeleteBranch("main")
	if st, body, _ := c.do("GET", "repos/acme/pm/branches/main", ""); st != 404 || body["message"] != "Branch not found" {
		t.Errorf("branch: %d %v", st, body)
	}
	if st, body, _ := c.do("GET", "repos/acme/pm/git/ref/heads/main", ""); st != 409 || body["message"] != "Git Repository is empty." {
		t.Errorf("ref: %d %v", st, body)
	}
}

func TestFaultsAndConcurrency(t *testing.T) {
	s, c := setup(t)
	s.Fail(func(r *http.Request) (int, string, bool) {
		return 500, `{"message":"boom"}`, r.Method == "POST"
	})
	if st, _, _ := c.do("POST", "repos/acme/pm/issues", `{"title":"x"}`); st != 500 {
		t.Errorf("fault not applied: %d", st)
	}
	s.ClearFaults()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { c.do("POST", "repos/acme/pm/issues", `{"title":"x"}`) })
	}
	wg.Wait()
	if n := len(s.Requests()); n != 21 {
		t.Errorf("%d requests recorded, want 21", n)
	}
}
