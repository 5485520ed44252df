package githubtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	docsIssues   = "https://docs.github.com/rest/issues/issues#update-an-issue"
	docsLabels   = "https://docs.github.com/rest/issues/labels#add-labels-to-an-issue"
	docsComments = "https://docs.github.com/rest/issues/comments#create-an-issue-comment"
)

// issue is an issue or the issue side of a pull request (pull is then set): they share numbers.
type issue struct {
	number                     int
	id                         int64
	title, body, state         string
	author                     string
	labels, assignees          []string
	comments                   []issueComment
	created, updated, closedAt time.Time
	pull                       *pull
}

type issueComment struct {
	id          int64
	login, body string
	at          time.Time
}

// Comments returns the bodies of the comments on issue or pull request number, oldest first.
func (s *Server) Comments(number int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	is, ok := s.issues[number]
	if !ok {
		return nil
	}
	var out []string
	for _, c := range is.comments {
		out = append(out, c.body)
	}
	return out
}

func (s *Server) numbers() []int {
	out := make([]int, 0, len(s.issues))
	for n := range s.issues {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func (s *Server) newIssue(title, body string) *issue {
	now := time.Now().UTC()
	s.nextID++
	is := &issue{
		number: s.nextNumber, id: s.nextID, title: title, body: body, state: "open", author: s.login,
		created: now, updated: now,
	}
	s.nextNumber++
	s.issues[is.number] = is
	return is
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.RFC3339)
}

func (s *Server) issueJSON(is *issue) map[string]any {
	n := strconv.Itoa(is.number)
	labels := []any{}
	for _, l := range is.labels {
		labels = append(labels, s.labelJSON(l))
	}
	assignees := []any{}
	for _, a := range is.assignees {
		assignees = append(assignees, s.userJSON(a))
	}
	var assignee any
	if len(is.assignees) > 0 {
		assignee = s.userJSON(is.assignees[0])
	}
	out := map[string]any{
		"id": is.id, "node_id": "I_" + n, "number": is.number, "title": is.title, "body": is.body, "state": is.state,
		"user": s.userJSON(is.author), "labels": labels, "assignee": assignee, "assignees": assignees,
		"comments": len(is.comments), "url": s.apiURL("issues", n), "html_url": s.htmlURL("issues", n),
		"created_at": is.created.Format(time.RFC3339), "updated_at": is.updated.Format(time.RFC3339),
		"closed_at": timeOrNil(is.closedAt), "locked": false, "milestone": nil,
		"author_association": s.association(is.author), "repository_url": strings.TrimSuffix(s.apiURL(), "/"),
		"comments_url": s.apiURL("issues", n, "comments"), "events_url": s.apiURL("issues", n, "events"),
		"labels_url": s.apiURL("issues", n, "labels{/name}"),
	}
	if is.pull != nil {
		out["html_url"] = s.htmlURL("pull", n)
		out["pull_request"] = map[string]any{
			"url": s.apiURL("pulls", n), "html_url": s.htmlURL("pull", n), "merged_at": timeOrNil(is.pull.mergedAt),
			"diff_url": s.htmlURL("pull", n+".diff"), "patch_url": s.htmlURL("pull", n+".patch"),
		}
	}
	return out
}

func (s *Server) labelJSON(name string) map[string]any {
	return map[string]any{
		"id": idOf("label/" + name), "node_id": "LA_" + name, "name": name, "color": "ededed", "default": false,
		"description": nil, "url": s.apiURL("labels", url.PathEscape(name)),
	}
}

// association is the author_association GitHub gives login in this repository.
func (s *Server) association(login string) string {
	switch {
	case strings.EqualFold(login, s.owner):
		return "OWNER"
	case s.collaborators[strings.ToLower(login)]:
		return "COLLABORATOR"
	}
	return "NONE"
}

func (s *Server) routeIssues(r *http.Request, rest []string, body []byte) reply {
	m := r.Method
	if len(rest) == 0 {
		switch m {
		case http.MethodPost:
			return s.createIssue(body)
		case http.MethodGet:
			return s.listIssues(r)
		}
		return s.notFound()
	}
	if len(rest) == 2 && rest[0] == "comments" && m == http.MethodPatch {
		return s.editComment(rest[1], body)
	}
	n, err := strconv.Atoi(rest[0])
	is, ok := s.issues[n]
	if err != nil || !ok {
		return s.notFound()
	}
	switch {
	case len(rest) == 1 && m == http.MethodGet:
		return s.jsonReply(http.StatusOK, s.issueJSON(is))
	case len(rest) == 1 && m == http.MethodPatch:
		return s.editIssue(is, body)
	case len(rest) == 2 && rest[1] == "sub_issues":
		return s.routeSubIssues(r, is, body)
	case len(rest) == 2 && rest[1] == "labels" && m == http.MethodPost:
		return s.addLabels(is, body)
	case len(rest) == 2 && rest[1] == "assignees" && m == http.MethodPost:
		var req struct {
			Assignees []string `json:"assignees"`
		}
		if decode(body, &req) != nil {
			return s.badJSON()
		}
		is.assignees = s.addAssignable(is.assignees, req.Assignees)
		is.updated = time.Now().UTC()
		return s.jsonReply(http.StatusCreated, s.issueJSON(is))
	case len(rest) == 2 && rest[1] == "comments" && m == http.MethodPost:
		var req struct {
			Body string `json:"body"`
		}
		if decode(body, &req) != nil {
			return s.badJSON()
		}
		if req.Body == "" {
			return s.validation(docsComments, map[string]string{"resource": "IssueComment", "field": "body", "code": "missing_field"})
		}
		if rep, bad := s.commentTooLong(req.Body); bad {
			return rep
		}
		s.nextID++
		c := issueComment{id: s.nextID, login: s.login, body: req.Body, at: time.Now().UTC()}
		is.comments = append(is.comments, c)
		return s.created(s.commentJSON(is, c))
	case len(rest) == 2 && rest[1] == "comments" && m == http.MethodGet:
		var items []any
		for _, c := range is.comments {
			items = append(items, s.commentJSON(is, c))
		}
		return s.paginate(r, items)
	}
	return s.notFound()
}

func (s *Server) commentJSON(is *issue, c issueComment) map[string]any {
	id := strconv.FormatInt(c.id, 10)
	return map[string]any{
		"id": c.id, "node_id": "IC_" + id, "body": c.body, "user": s.userJSON(c.login), "author_association": s.association(c.login),
		"url":        s.apiURL("issues", "comments", id),
		"html_url":   s.htmlURL("issues", strconv.Itoa(is.number)) + "#issuecomment-" + id,
		"issue_url":  s.apiURL("issues", strconv.Itoa(is.number)),
		"created_at": c.at.Format(time.RFC3339), "updated_at": c.at.Format(time.RFC3339),
	}
}

// addAssignable adds the logins that can be assigned (collaborators); GitHub silently drops the others.
func (s *Server) addAssignable(have, logins []string) []string {
	for _, l := range logins {
		if s.collaborators[strings.ToLower(l)] && !slices.ContainsFunc(have, func(x string) bool { return strings.EqualFold(x, l) }) {
			have = append(have, l)
		}
	}
	return have
}

func addLabels(have, names []string) []string {
	for _, l := range names {
		if l != "" && !slices.ContainsFunc(have, func(x string) bool { return strings.EqualFold(x, l) }) {
			have = append(have, l)
		}
	}
	return have
}

func (s *Server) createIssue(body []byte) reply {
	var req struct {
		Title     string   `json:"title"`
		Body      string   `json:"body"`
		Labels    []string `json:"labels"`
		Assignees []string `json:"assignees"`
	}
	if decode(body, &req) != nil {
		return s.badJSON()
	}
	if rep, bad := s.tooLong("https://docs.github.com/rest/issues/issues#create-an-issue", &req.Title, &req.Body); bad {
		return rep
	}
	if req.Title == "" {
		return s.validation("https://docs.github.com/rest/issues/issues#create-an-issue",
			map[string]string{"resource": "Issue", "field": "title", "code": "missing_field"})
	}
	is := s.newIssue(req.Title, req.Body)
	is.labels = addLabels(nil, req.Labels)
	is.assignees = s.addAssignable(nil, req.Assignees)
	return s.created(s.issueJSON(is))
}

// editIssue replaces what the body names: labels and assignees are replaced as a whole.
func (s *Server) editIssue(is *issue, body []byte) reply {
	var req struct {
		Title     *string   `json:"title"`
		Body      *string   `json:"body"`
		State     *string   `json:"state"`
		Labels    *[]string `json:"labels"`
		Assignees *[]string `json:"assignees"`
		Assignee  *string   `json:"assignee"`
	}
	if decode(body, &req) != nil {
		return s.badJSON()
	}
	if rep, bad := s.tooLong(docsIssues, req.Title, req.Body); bad {
		return rep
	}
	if req.Title != nil {
		is.title = *req.Title
	}
	if req.Body != nil {
		is.body = *req.Body
	}
	if req.Labels != nil {
		is.labels = addLabels(nil, *req.Labels)
	}
	if req.Assignee != nil {
		is.assignees = s.addAssignable(nil, []string{*req.Assignee})
	}
	if req.Assignees != nil {
		is.assignees = s.addAssignable(nil, *req.Assignees)
	}
	if req.State != nil {
		if rep, ok := s.setState(is, *req.State); !ok {
			return rep
		}
	}
	is.updated = time.Now().UTC()
	return s.jsonReply(http.StatusOK, s.issueJSON(is))
}

func (s *Server) setState(is *issue, state string) (reply, bool) {
	switch state {
	case "open":
		if is.pull != nil && is.pull.merged {
			return s.errorReply(http.StatusUnprocessableEntity, "Cannot reopen a merged pull request", docsIssues), false
		}
		is.state, is.closedAt = "open", time.Time{}
	case "closed":
		if is.state != "closed" {
			is.state, is.closedAt = "closed", time.Now().UTC()
		}
	default:
		return s.validation(docsIssues, map[string]string{"resource": "Issue", "field": "state", "code": "invalid"}), false
	}
	return reply{}, true
}

// addLabels accepts a bare array of names, as go-github sends, or {"labels": [...]}, as the OpenAPI
// description has it, and answers with every label on the issue.
func (s *Server) addLabels(is *issue, body []byte) reply {
	var names []string
	if err := json.Unmarshal(body, &names); err != nil {
		var wrapped struct {
			Labels []string `json:"labels"`
		}
		if err := json.Unmarshal(body, &wrapped); err != nil {
			return s.badJSON()
		}
		names = wrapped.Labels
	}
	if len(names) == 0 {
		return s.validation(docsLabels, map[string]string{"resource": "Label", "field": "labels", "code": "missing_field"})
	}
	is.labels = addLabels(is.labels, names)
	is.updated = time.Now().UTC()
	out := []any{}
	for _, l := range is.labels {
		out = append(out, s.labelJSON(l))
	}
	return s.jsonReply(http.StatusOK, out)
}
