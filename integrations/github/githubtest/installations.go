package githubtest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// installations is what one fake GitHub knows of its App's installations: which repositories it serves,
// and the installation tokens it issued. The server and every repository added to it share one.
type installations struct {
	mu     sync.Mutex
	repos  map[string]*Server // lower-cased "owner/repo"
	issued map[string]int64   // installation token -> installation ID
}

// SetInstallation makes the server's repository part of App installation id: only that installation's
// token reaches it, and GET /repos/{owner}/{repo}/installation names it. Until it is set, any installation
// that holds no other repository may reach the repository.
func (s *Server) SetInstallation(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps.mu.Lock()
	defer s.apps.mu.Unlock()
	s.installation = id
}

// AddRepository serves another repository, owner/repo, from the same address, with its own state (a
// default branch "main" with README.md, issues, pull requests, requests, faults) and the server's token and
// login. installationID is the App installation that holds it; 0 means the App is not installed there.
// A repository of another installation than the server's answers 404 Not Found to the server's
// installation token, as GitHub answers a token without access to a private repository. Closing either
// closes both.
func (s *Server) AddRepository(owner, repo string, installationID int64) *Server {
	s.mu.Lock()
	token, login := s.token, s.login
	s.mu.Unlock()
	o := newRepository(owner, repo, token)
	o.login, o.installation, o.srv, o.apps = login, installationID, s.srv, s.apps
	s.apps.mu.Lock()
	s.apps.repos[strings.ToLower(owner+"/"+repo)] = o
	s.apps.mu.Unlock()
	return o
}

// repository returns the added repository a request's path names, nil for the server's own or an unknown
// one.
func (s *Server) repository(r *http.Request) *Server {
	segs := segments(r.URL)
	if len(segs) >= 2 && segs[0] == "api" && segs[1] == "v3" {
		segs = segs[2:]
	}
	if len(segs) < 3 || segs[0] != "repos" {
		return nil
	}
	s.apps.mu.Lock()
	defer s.apps.mu.Unlock()
	if o := s.apps.repos[strings.ToLower(segs[1]+"/"+segs[2])]; o != s {
		return o
	}
	return nil
}

// installationToken answers ghinstallation's token request for installation id. The JWT must look like
// one; its signature is not checked. An installation that holds none of the server's repositories is
// unknown: 404.
func (s *Server) installationToken(r *http.Request, id string) reply {
	jwt, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.Count(jwt, ".") != 2 {
		return s.errorReply(http.StatusUnauthorized, "A JSON web token could not be decoded", docsURL)
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || !s.installed(n) {
		return s.errorReply(http.StatusNotFound, "Not Found",
			"https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app")
	}
	token := fmt.Sprintf("ghs_installation%d", n)
	s.apps.mu.Lock()
	s.apps.issued[token] = n
	s.apps.mu.Unlock()
	if s.mayUse(n) {
		s.appAuth = true
	}
	return s.jsonReply(http.StatusCreated, map[string]any{
		"token":                token,
		"expires_at":           time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		"permissions":          map[string]string{"contents": "write", "pull_requests": "write", "issues": "write", "checks": "write"},
		"repository_selection": "selected",
	})
}

// installed reports whether installation id holds a repository of the server: one added with it, or the
// server's own (whose installation, while unset, is any that holds no added repository).
func (s *Server) installed(id int64) bool {
	if id <= 0 {
		return false
	}
	s.apps.mu.Lock()
	defer s.apps.mu.Unlock()
	for _, o := range s.apps.repos {
		if o != s && o.installation == id {
			return true
		}
	}
	return s.installation == 0 || s.installation == id
}

// installationOf returns the installation whose token auth is, if the server issued it.
func (s *Server) installationOf(auth string) (int64, bool) {
	for _, scheme := range []string{"Bearer ", "token "} {
		if t, ok := strings.CutPrefix(auth, scheme); ok {
			s.apps.mu.Lock()
			defer s.apps.mu.Unlock()
			id, ok := s.apps.issued[t]
			return id, ok
		}
	}
	return 0, false
}

// mayUse reports whether installation id may reach the server's repository.
func (s *Server) mayUse(id int64) bool {
	if s.installation != 0 {
		return s.installation == id
	}
	s.apps.mu.Lock()
	defer s.apps.mu.Unlock()
	for _, o := range s.apps.repos {
		if o != s && o.installation == id {
			return false
		}
	}
	return true
}

// repoInstallation answers GET /repos/{owner}/{repo}/installation, asked for with the App's JWT: the
// installation that holds the repository, or 404 when the App is not installed there.
func (s *Server) repoInstallation(r *http.Request, owner, repo string) reply {
	jwt, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.Count(jwt, ".") != 2 {
		return s.errorReply(http.StatusUnauthorized, "A JSON web token could not be decoded", docsURL)
	}
	if !strings.EqualFold(owner, s.owner) || !strings.EqualFold(repo, s.repo) || s.installation == 0 {
		return s.errorReply(http.StatusNotFound, "Not Found",
			"https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app")
	}
	id := s.installation
	slug := strings.TrimSuffix(s.login, "[bot]")
	account := s.userJSON(s.owner)
	api := s.srv.URL + "/app/installations/" + strconv.FormatInt(id, 10)
	return s.jsonReply(http.StatusOK, map[string]any{
		"id": id, "app_id": 1, "app_slug": slug, "client_id": "Iv1.0000000000000000",
		"target_id": account["id"], "target_type": account["type"], "account": account,
		"repository_selection": "selected", "single_file_name": nil,
		"access_tokens_url": api + "/access_tokens", "repositories_url": s.srv.URL + "/installation/repositories",
		"html_url":    s.srv.URL + "/settings/installations/" + strconv.FormatInt(id, 10),
		"permissions": map[string]string{"contents": "write", "pull_requests": "write", "issues": "write", "metadata": "read", "statuses": "write", "checks": "write"},
		"events":      []string{"pull_request", "issues", "issue_comment"},
		"created_at":  "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
		"suspended_by": nil, "suspended_at": nil,
	})
}
