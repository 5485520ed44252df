package githubtest

import (
	"net/http"
	"regexp"
	"strings"
	"time"
)

// loginPattern is what a GitHub login can be; the fake takes any other as a user that does not exist.
var loginPattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$`)

// SetPermission gives login a role in the repository ("admin", "maintain", "write", "triage", "read" or
// "none"), as the collaborator permission API reports it; collaborators default to "write", the owner to
// "admin" and everybody else to "none" (the repository is private).
func (s *Server) SetPermission(login, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.roles == nil {
		s.roles = map[string]string{}
	}
	s.roles[strings.ToLower(login)] = role
}

// CommentAs adds a comment written by login to issue or pull request number, as a person would, and
// returns its ID; 0 when there is no such issue.
func (s *Server) CommentAs(number int, login, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	is, ok := s.issues[number]
	if !ok {
		return 0
	}
	s.nextID++
	is.comments = append(is.comments, issueComment{id: s.nextID, login: login, body: body, at: time.Now().UTC()})
	return s.nextID
}

// OpenIssueAs opens an issue written by login and returns its number.
func (s *Server) OpenIssueAs(login, title, body string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.newIssue(title, body)
	is.author = login
	return is.number
}

// role is login's role in the repository.
func (s *Server) role(login string) string {
	if r, ok := s.roles[strings.ToLower(login)]; ok {
		return r
	}
	switch {
	case strings.EqualFold(login, s.owner):
		return "admin"
	case s.collaborators[strings.ToLower(login)]:
		return "write"
	}
	return "none"
}

// permission answers GET /repos/{owner}/{repo}/collaborators/{username}/permission:
// repository-collaborator-permission, whose "permission" is the legacy name of the role (maintain reads as
// write, triage as read).
func (s *Server) permission(login string) reply {
	if !loginPattern.MatchString(login) {
		return s.errorReply(http.StatusNotFound, "Not Found",
			"https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user")
	}
	role := s.role(login)
	legacy := role
	switch role {
	case "maintain":
		legacy = "write"
	case "triage":
		legacy = "read"
	}
	user := s.userJSON(login)
	user["role_name"] = role
	user["permissions"] = map[string]bool{
		"admin": role == "admin", "maintain": role == "admin" || role == "maintain",
		"push": legacy == "admin" || legacy == "write", "triage": role != "none" && role != "read",
		"pull": role != "none",
	}
	return s.jsonReply(http.StatusOK, map[string]any{"permission": legacy, "role_name": role, "user": user})
}

// app answers GET /app, asked for with the App's JWT: the App whose bot is the server's login
// ("<slug>[bot]").
func (s *Server) app(r *http.Request) reply {
	jwt, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.Count(jwt, ".") != 2 {
		return s.errorReply(http.StatusUnauthorized, "A JSON web token could not be decoded", docsURL)
	}
	slug := strings.TrimSuffix(s.login, "[bot]")
	return s.jsonReply(http.StatusOK, map[string]any{
		"id": 1, "slug": slug, "node_id": "A_1", "client_id": "Iv1.0000000000000000", "name": slug,
		"owner": s.userJSON(s.owner), "description": "", "external_url": s.srv.URL, "html_url": s.srv.URL + "/apps/" + slug,
		"created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
		"permissions": map[string]string{"contents": "write", "pull_requests": "write", "issues": "write", "metadata": "read", "statuses": "write"},
		"events":      []string{"pull_request", "issues", "issue_comment"},
	})
}

// SetIssueState closes ("closed") or reopens ("open") issue number, as a person would on GitHub.
func (s *Server) SetIssueState(number int, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is, ok := s.issues[number]; ok {
		s.setState(is, state)
	}
}
