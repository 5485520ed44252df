// Package githubtest is a stateful fake of the parts of GitHub's REST API that Hindsight uses: branches,
// the Git Data API (trees, commits, refs), contents, pull requests, review requests and reviews, issues,
// labels, assignees and comments, deployments and their statuses, releases, and GitHub App installation
// tokens. It answers with GitHub's status codes,
// JSON shapes, headers and error messages, so the real go-github client can be exercised over HTTP.
//
// It serves both GitHub.com paths ("/repos/...") and GitHub Enterprise Server paths ("/api/v3/repos/...").
package githubtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	docsURL        = "https://docs.github.com/rest"
	defaultLogin   = "hindsight-bot"
	defaultBranch  = "main"
	rateLimitLimit = 5000
)

// Request is one request the server received.
type Request struct {
	Method string
	Path   string // unescaped, as sent: "/repos/acme/postmortems/git/trees"
	Query  string // raw query
	Status int    // the status answered
}

// PullRequest is a pull request as the server holds it.
type PullRequest struct {
	Number             int
	Title              string
	Body               string
	Head               string // branch name
	Base               string
	State              string // "open" or "closed"
	Merged             bool
	Labels             []string
	Assignees          []string
	RequestedReviewers []string
	RequestedTeams     []string
	Author             string
}

// Fault is an answer injected in place of the real one.
type Fault struct {
	Status int
	Header http.Header
	Body   string
	// After applies the request before answering with the fault: the change is made but the client never
	// learns it, as when a process crashes after GitHub did the work.
	After bool
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	srv   *httptest.Server
	owner string
	repo  string
	token string

	latency atomic.Int64 // nanoseconds each answer waits, set by SetLatency

	hookMu sync.Mutex // serialises fault hooks, which may keep their own counters
	hooks  []func(*http.Request) (Fault, bool)

	mu            sync.Mutex
	login         string
	collaborators map[string]bool   // lower-cased logins
	roles         map[string]string // lower-cased login to repository role, set by SetPermission
	teams         map[string]bool   // slugs
	defaultBranch string
	blobs         map[string]string
	trees         map[string]map[string]string // tree sha -> path -> blob sha
	commits       map[string]*commit
	refs          map[string]string // "refs/heads/main" -> commit sha
	issues        map[int]*issue
	subIssues     map[int][]int // parent number -> children numbers
	statuses      map[string][]Status
	checkRuns     []*CheckRun
	deployments   []*deployment // oldest first
	releases      []*release
	appAuth       bool  // an installation token was issued: the client is a GitHub App
	installation  int64 // the App installation that holds the repository; 0 for the server's: any
	apps          *installations
	noSubIssues   bool
	nextNumber    int
	nextID        int64
	requests      []Request
	remaining     int
	reset         time.Time
	writeLimits   []ContentLimit
	writes        []time.Time // accepted writes within the longest window of writeLimits
	rateLimited   int         // 403 and 429 answers
}

// ContentLimit is one window of GitHub's secondary limit on content-creating requests: at most Max of them
// in any Window.
type ContentLimit struct {
	Max    int
	Window time.Duration
}

// NewServer starts a fake serving repository owner/repo that accepts token (as "Bearer" or "token"). The
// repository's default branch "main" holds one commit with README.md. The server is closed by tb.Cleanup.
func NewServer(tb testing.TB, owner, repo, token string) *Server {
	tb.Helper()
	s := newRepository(owner, repo, token)
	s.apps = &installations{repos: map[string]*Server{strings.ToLower(owner + "/" + repo): s}, issued: map[string]int64{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	tb.Cleanup(s.Close)
	return s
}

// newRepository is the state of repository owner/repo, served by no server yet.
func newRepository(owner, repo, token string) *Server {
	s := &Server{
		owner:         owner,
		repo:          repo,
		token:         token,
		login:         defaultLogin,
		collaborators: map[string]bool{strings.ToLower(owner): true},
		teams:         map[string]bool{},
		defaultBranch: defaultBranch,
		blobs:         map[string]string{},
		trees:         map[string]map[string]string{},
		commits:       map[string]*commit{},
		refs:          map[string]string{},
		issues:        map[int]*issue{},
		nextNumber:    1,
		nextID:        1000,
		remaining:     rateLimitLimit,
		reset:         time.Now().Add(time.Hour).Truncate(time.Second),
	}
	readme := s.putBlob("# " + repo + "\n")
	tree := s.putTree(map[string]string{"README.md": readme})
	s.refs["refs/heads/"+defaultBranch] = s.putCommit(tree, nil, "Initial commit")
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// URL is the API root with a trailing slash, to use as the client's base URL.
func (s *Server) URL() string { return s.srv.URL + "/" }

// EnterpriseURL is the API root as GitHub Enterprise Server spells it: URL() + "api/v3/".
func (s *Server) EnterpriseURL() string { return s.srv.URL + "/api/v3/" }

// SetLogin sets the login of the token's owner (default "hindsight-bot"), who opens pull requests. An App's
// login ends in "[bot]".
func (s *Server) SetLogin(login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.login = login
}

// AddCollaborators makes logins collaborators: reviews can be requested from them and they can be assigned.
func (s *Server) AddCollaborators(logins ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range logins {
		s.collaborators[strings.ToLower(l)] = true
	}
}

// AddTeams makes team slugs valid team reviewers.
func (s *Server) AddTeams(slugs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range slugs {
		s.teams[strings.ToLower(t)] = true
	}
}

// SetRateLimit sets the primary rate limit: remaining requests until reset, after which the full 5,000 come
// back. With none remaining, requests get GitHub's 403 "API rate limit exceeded".
func (s *Server) SetRateLimit(remaining int, reset time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// GitHub's reset is in whole seconds; so is the fake's, so clients that trust the header are right.
	s.remaining, s.reset = remaining, reset.Truncate(time.Second)
}

// LimitContentCreation answers writes (POST, PATCH, PUT, DELETE) beyond perMinute in the last minute with
// GitHub's 403 secondary rate limit and a retry-after. Zero turns the limit off.
func (s *Server) LimitContentCreation(perMinute int) {
	s.LimitContentCreationWindows(ContentLimit{Max: perMinute, Window: time.Minute})
}

// LimitContentCreationWindows is LimitContentCreation with any number of windows, each of any length (GitHub
// has 80 a minute and 500 an hour; a test may shrink the minute and the hour alike). A write is refused
// when any window is full, and a refused write counts in none. Windows with a zero Max or Window are left
// out; none left turns the limit off. The writes counted so far are forgotten.
func (s *Server) LimitContentCreationWindows(limits ...ContentLimit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writeLimits = nil
	for _, l := range limits {
		if l.Max > 0 && l.Window > 0 {
			s.writeLimits = append(s.writeLimits, l)
		}
	}
	s.writes = nil
}

// RateLimited is how many requests the server has answered 403 or 429 (a rate limit, an injected fault or
// a permission error).
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rateLimited
}

// Inject adds a fault hook, consulted for every request in the order added: the first that returns true
// answers the request with its fault. Hooks are called one at a time, without the server's lock held.
func (s *Server) Inject(fn func(r *http.Request) (Fault, bool)) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	s.hooks = append(s.hooks, fn)
}

// Fail adds a fault hook that answers status with body (JSON) instead of handling the request, which then
// changes nothing. To have the change made and the answer lost (a crash after a step), use Inject with
// Fault.After.
func (s *Server) Fail(fn func(r *http.Request) (status int, body string, fail bool)) {
	s.Inject(func(r *http.Request) (Fault, bool) {
		status, body, fail := fn(r)
		return Fault{Status: status, Body: body}, fail
	})
}

// ClearFaults removes every fault hook.
func (s *Server) ClearFaults() {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	s.hooks = nil
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// PrimaryLimit is the answer GitHub gives when the primary rate limit is exhausted until reset; status is
// 403 or 429.
func PrimaryLimit(status int, reset time.Time) Fault {
	h := http.Header{}
	h.Set("X-RateLimit-Limit", strconv.Itoa(rateLimitLimit))
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Used", strconv.Itoa(rateLimitLimit))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	return Fault{Status: status, Header: h, Body: errorBody("API rate limit exceeded for user ID 1.",
		"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit")}
}

// SecondaryLimit is GitHub's secondary rate limit answer; status is 403 or 429. retryAfter is rounded up to
// whole seconds; zero sends no retry-after header.
func SecondaryLimit(status int, retryAfter time.Duration) Fault {
	h := http.Header{}
	if retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int((retryAfter+time.Second-1)/time.Second)))
	}
	return Fault{Status: status, Header: h, Body: errorBody(
		"You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.",
		"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits")}
}

// TooManyRequests is a bare 429 that names no rate limit, with a retry-after when retryAfter > 0.
func TooManyRequests(retryAfter time.Duration) Fault {
	h := http.Header{}
	if retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int((retryAfter+time.Second-1)/time.Second)))
	}
	return Fault{Status: http.StatusTooManyRequests, Header: h, Body: errorBody("Too Many Requests", docsURL)}
}

func errorBody(message, doc string) string {
	b, _ := json.Marshal(map[string]string{"message": message, "documentation_url": doc})
	return string(b)
}

// reply is a handler's answer before it is written.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// SetLatency makes every answer wait d first, as a distant API does (until the client gives up); 0 turns
// it off.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// wait holds an answer for the latency set, or until the client goes away.
func (s *Server) wait(r *http.Request) {
	d := time.Duration(s.latency.Load())
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.wait(r)
	if o := s.repository(r); o != nil {
		o.serveHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))

	var fault *Fault
	s.hookMu.Lock()
	for _, h := range s.hooks {
		if f, ok := h(r); ok {
			fault = &f
			break
		}
	}
	s.hookMu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))

	s.mu.Lock()
	var rep reply
	if fault != nil && !fault.After {
		rep = s.faultReply(*fault)
	} else {
		rep = s.handle(r, body)
		if fault != nil {
			rep = s.faultReply(*fault)
		}
	}
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: rep.status})
	if rep.status == http.StatusForbidden || rep.status == http.StatusTooManyRequests {
		s.rateLimited++
	}
	s.mu.Unlock()

	for k, v := range rep.header {
		w.Header()[k] = v
	}
	if len(rep.body) > 0 {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

func (s *Server) faultReply(f Fault) reply {
	h := s.rateHeaders()
	for k, v := range f.Header {
		h[k] = v
	}
	return reply{status: f.Status, header: h, body: []byte(f.Body)}
}

// rateHeaders are the primary rate limit headers GitHub sends on every answer.
func (s *Server) rateHeaders() http.Header {
	h := http.Header{}
	h.Set("X-RateLimit-Limit", strconv.Itoa(rateLimitLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(s.remaining))
	h.Set("X-RateLimit-Used", strconv.Itoa(rateLimitLimit-s.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(s.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	return h
}

// handle answers r with the server's lock held.
func (s *Server) handle(r *http.Request, body []byte) reply {
	segs := segments(r.URL)
	if len(segs) >= 2 && segs[0] == "api" && segs[1] == "v3" {
		segs = segs[2:]
	}
	// Installation tokens are asked for with the App's JWT, not with the token.
	if r.Method == http.MethodPost && len(segs) == 4 && segs[0] == "app" && segs[1] == "installations" && segs[3] == "access_tokens" {
		return s.installationToken(r, segs[2])
	}
	if r.Method == http.MethodGet && len(segs) == 4 && segs[0] == "repos" && segs[3] == "installation" {
		return s.repoInstallation(r, segs[1], segs[2])
	}
	if r.Method == http.MethodGet && len(segs) == 1 && segs[0] == "app" {
		return s.app(r)
	}
	if id, ok := s.installationOf(r.Header.Get("Authorization")); ok {
		if !s.mayUse(id) {
			// Another installation's token: the private repository does not exist for it.
			return s.notFound()
		}
		s.appAuth = true
	} else if !s.authorized(r) {
		return s.errorReply(http.StatusUnauthorized, "Bad credentials", docsURL)
	}

	now := time.Now()
	if !now.Before(s.reset) {
		s.remaining, s.reset = rateLimitLimit, now.Add(time.Hour).Truncate(time.Second)
	}
	if s.remaining <= 0 {
		return s.faultReply(PrimaryLimit(http.StatusForbidden, s.reset))
	}
	if write := r.Method != http.MethodGet && r.Method != http.MethodHead; write && len(s.writeLimits) > 0 {
		if wait := s.takeWrite(now); wait > 0 {
			s.remaining--
			return s.faultReply(SecondaryLimit(http.StatusForbidden, wait))
		}
	}
	s.remaining--

	rep := s.route(r, segs, body)
	h := s.rateHeaders()
	for k, v := range rep.header {
		h[k] = v
	}
	rep.header = h
	return rep
}

// takeWrite counts a write at now, or returns how long until every window has room for it.
func (s *Server) takeWrite(now time.Time) time.Duration {
	var longest time.Duration
	for _, l := range s.writeLimits {
		longest = max(longest, l.Window)
	}
	cut := 0
	for cut < len(s.writes) && now.Sub(s.writes[cut]) >= longest {
		cut++
	}
	s.writes = s.writes[cut:]
	var wait time.Duration
	for _, l := range s.writeLimits {
		in := 0 // writes within this window, the newest at the end
		for in < len(s.writes) && now.Sub(s.writes[len(s.writes)-1-in]) < l.Window {
			in++
		}
		if in >= l.Max {
			// The write that must leave the window for it to hold Max-1.
			blocking := s.writes[len(s.writes)-l.Max]
			wait = max(wait, blocking.Add(l.Window).Sub(now))
		}
	}
	if wait > 0 {
		return wait
	}
	s.writes = append(s.writes, now)
	return 0
}

func (s *Server) authorized(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	for _, scheme := range []string{"Bearer ", "token "} {
		if t, ok := strings.CutPrefix(auth, scheme); ok && t == s.token && s.token != "" {
			return true
		}
	}
	return false
}

// route dispatches an authorized request.
func (s *Server) route(r *http.Request, segs []string, body []byte) reply {
	if len(segs) == 1 && segs[0] == "user" && r.Method == http.MethodGet {
		return s.jsonReply(http.StatusOK, s.authenticatedUserJSON())
	}
	if len(segs) < 3 || segs[0] != "repos" || !strings.EqualFold(segs[1], s.owner) || !strings.EqualFold(segs[2], s.repo) {
		return s.notFound()
	}
	rest := segs[3:]
	m := r.Method
	q := r.URL.Query()
	switch {
	case len(rest) == 0 && m == http.MethodGet:
		return s.jsonReply(http.StatusOK, s.repoJSON())
	case len(rest) >= 2 && rest[0] == "branches" && m == http.MethodGet:
		return s.getBranch(strings.Join(rest[1:], "/"))
	case len(rest) >= 2 && rest[0] == "contents" && m == http.MethodGet:
		return s.getContents(strings.Join(rest[1:], "/"), q.Get("ref"))
	case len(rest) == 2 && rest[0] == "statuses" && m == http.MethodPost:
		return s.createStatus(rest[1], body)
	case len(rest) == 3 && rest[0] == "collaborators" && rest[2] == "permission" && m == http.MethodGet:
		return s.permission(rest[1])
	case len(rest) == 1 && rest[0] == "check-runs" && m == http.MethodPost:
		return s.createCheckRun(body)
	case len(rest) == 2 && rest[0] == "check-runs" && m == http.MethodPatch:
		return s.updateCheckRun(rest[1], body)
	case len(rest) == 1 && rest[0] == "deployments" && m == http.MethodGet:
		return s.listDeployments(r)
	case len(rest) == 3 && rest[0] == "deployments" && rest[2] == "statuses" && m == http.MethodGet:
		return s.listDeploymentStatuses(r, rest[1])
	case len(rest) == 1 && rest[0] == "releases" && m == http.MethodGet:
		return s.listReleases(r)
	case len(rest) >= 2 && rest[0] == "git":
		return s.routeGit(m, rest[1:], body)
	case len(rest) >= 1 && rest[0] == "pulls":
		return s.routePulls(r, rest[1:], body)
	case len(rest) >= 1 && rest[0] == "issues":
		return s.routeIssues(r, rest[1:], body)
	}
	return s.notFound()
}

// segments splits the escaped path and unescapes each part, so "branches/postmortem%2FP1" and
// "branches/postmortem/P1" both name the branch "postmortem/P1".
func segments(u *url.URL) []string {
	var out []string
	for _, p := range strings.Split(strings.Trim(u.EscapedPath(), "/"), "/") {
		if p == "" {
			continue
		}
		if v, err := url.PathUnescape(p); err == nil {
			p = v
		}
		out = append(out, strings.Split(p, "/")...)
	}
	return out
}

func (s *Server) jsonReply(status int, v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("githubtest: encode answer: %v", err))
	}
	return reply{status: status, body: append(b, '\n')}
}

// created answers 201 with v and, as GitHub does for a new resource, a Location header naming it.
func (s *Server) created(v map[string]any) reply {
	rep := s.jsonReply(http.StatusCreated, v)
	if u, ok := v["url"].(string); ok {
		rep.header = http.Header{"Location": {u}}
	}
	return rep
}

func (s *Server) errorReply(status int, message, doc string) reply {
	r := reply{status: status, body: []byte(errorBody(message, doc))}
	if status == http.StatusUnauthorized {
		r.header = s.rateHeaders()
	}
	return r
}

func (s *Server) notFound() reply { return s.errorReply(http.StatusNotFound, "Not Found", docsURL) }

// validation is GitHub's 422 "Validation Failed" with its list of errors.
func (s *Server) validation(doc string, errs ...map[string]string) reply {
	return s.jsonReply(http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation Failed", "errors": errs, "documentation_url": doc,
	})
}

func decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("empty body")
	}
	return json.Unmarshal(body, v)
}

func (s *Server) badJSON() reply {
	return s.errorReply(http.StatusBadRequest, "Problems parsing JSON", docsURL)
}

func (s *Server) apiURL(parts ...string) string {
	return s.srv.URL + "/repos/" + s.owner + "/" + s.repo + "/" + strings.Join(parts, "/")
}

func (s *Server) htmlURL(parts ...string) string {
	return s.srv.URL + "/" + s.owner + "/" + s.repo + "/" + strings.Join(parts, "/")
}

// userJSON is a simple-user, as GitHub nests it in every object.
func (s *Server) userJSON(login string) map[string]any {
	typ := "User"
	if strings.HasSuffix(login, "[bot]") {
		typ = "Bot"
	}
	id := idOf(login)
	api := s.srv.URL + "/users/" + login
	return map[string]any{
		"login": login, "id": id, "node_id": "U_" + strconv.FormatInt(id, 10), "type": typ, "site_admin": false,
		"html_url": s.srv.URL + "/" + login, "url": api, "gravatar_id": "",
		"avatar_url":          s.srv.URL + "/avatars/u/" + strconv.FormatInt(id, 10) + "?v=4",
		"events_url":          api + "/events{/privacy}",
		"followers_url":       api + "/followers",
		"following_url":       api + "/following{/other_user}",
		"gists_url":           api + "/gists{/gist_id}",
		"organizations_url":   api + "/orgs",
		"received_events_url": api + "/received_events",
		"repos_url":           api + "/repos",
		"starred_url":         api + "/starred{/owner}{/repo}",
		"subscriptions_url":   api + "/subscriptions",
	}
}

// authenticatedUserJSON answers GET /user: a public-user, the simple-user with the profile.
func (s *Server) authenticatedUserJSON() map[string]any {
	u := s.userJSON(s.login)
	for k, v := range map[string]any{
		"name": nil, "company": nil, "blog": "", "location": nil, "email": nil, "hireable": nil, "bio": nil,
		"public_repos": 0, "public_gists": 0, "followers": 0, "following": 0,
		"created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
	} {
		u[k] = v
	}
	return u
}

func idOf(login string) int64 {
	var h int64 = 7
	for _, c := range strings.ToLower(login) {
		h = h*31 + int64(c)
	}
	if h < 0 {
		h = -h
	}
	return h%1_000_000 + 1
}

// repoJSON is the repository as GitHub answers GET /repos/{owner}/{repo} (a full-repository) and nests it
// in a pull request's head and base (a repository).
func (s *Server) repoJSON() map[string]any {
	api := strings.TrimSuffix(s.apiURL(), "/")
	out := map[string]any{
		"id": 4242, "node_id": "R_4242", "name": s.repo, "full_name": s.owner + "/" + s.repo, "private": true,
		"owner": s.userJSON(s.owner), "html_url": s.htmlURL(), "url": api, "description": nil, "fork": false,
		"default_branch": s.defaultBranch, "homepage": nil, "language": nil, "mirror_url": nil, "license": nil,
		"archived": false, "disabled": false, "visibility": "private",
		"has_issues": true, "has_projects": false, "has_wiki": false, "has_pages": false, "has_downloads": true,
		"has_discussions": false,
		"forks":           0, "forks_count": 0, "stargazers_count": 0, "watchers": 0, "watchers_count": 0, "size": 0,
		"open_issues": 0, "open_issues_count": 0, "network_count": 0, "subscribers_count": 0,
		"created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z", "pushed_at": "2024-01-01T00:00:00Z",
		"clone_url": s.htmlURL() + ".git", "svn_url": s.htmlURL(),
		"git_url": "git:" + strings.TrimPrefix(s.htmlURL(), "http:") + ".git",
		"ssh_url": "git@" + strings.TrimPrefix(s.srv.URL, "http://") + ":" + s.owner + "/" + s.repo + ".git",
	}
	for name, suffix := range map[string]string{
		"archive_url": "/{archive_format}{/ref}", "assignees_url": "/assignees{/user}", "blobs_url": "/git/blobs{/sha}",
		"branches_url": "/branches{/branch}", "collaborators_url": "/collaborators{/collaborator}",
		"comments_url": "/comments{/number}", "commits_url": "/commits{/sha}", "compare_url": "/compare/{base}...{head}",
		"contents_url": "/contents/{+path}", "contributors_url": "/contributors", "deployments_url": "/deployments",
		"downloads_url": "/downloads", "events_url": "/events", "forks_url": "/forks",
		"git_commits_url": "/git/commits{/sha}", "git_refs_url": "/git/refs{/sha}", "git_tags_url": "/git/tags{/sha}",
		"hooks_url": "/hooks", "issue_comment_url": "/issues/comments{/number}", "issue_events_url": "/issues/events{/number}",
		"issues_url": "/issues{/number}", "keys_url": "/keys{/key_id}", "labels_url": "/labels{/name}",
		"languages_url": "/languages", "merges_url": "/merges", "milestones_url": "/milestones{/number}",
		"notifications_url": "/notifications{?since,all,participating}", "pulls_url": "/pulls{/number}",
		"releases_url": "/releases{/id}", "stargazers_url": "/stargazers", "statuses_url": "/statuses/{sha}",
		"subscribers_url": "/subscribers", "subscription_url": "/subscription", "tags_url": "/tags",
		"teams_url": "/teams", "trees_url": "/git/trees{/sha}",
	} {
		out[name] = api + suffix
	}
	return out
}

// paginate answers one page of items (per_page, page) with GitHub's Link header.
func (s *Server) paginate(r *http.Request, items []any) reply {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per = 30
	}
	per = min(per, 100)
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	start := min((page-1)*per, len(items))
	end := min(start+per, len(items))
	rep := s.jsonReply(http.StatusOK, append([]any{}, items[start:end]...))
	last := max((len(items)+per-1)/per, 1)
	if page < last {
		link := func(p int, rel string) string {
			q.Set("page", strconv.Itoa(p))
			return fmt.Sprintf("<%s%s?%s>; rel=%q", s.srv.URL, r.URL.Path, q.Encode(), rel)
		}
		rep.header = http.Header{"Link": {link(page+1, "next") + ", " + link(last, "last")}}
	}
	return rep
}
