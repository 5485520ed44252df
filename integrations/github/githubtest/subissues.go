package githubtest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const docsSubIssues = "https://docs.github.com/rest/issues/sub-issues#add-sub-issue"

// DisableSubIssues makes the sub-issues endpoints answer 404, as GitHub Enterprise Server 3.17–3.19 do.
func (s *Server) DisableSubIssues() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noSubIssues = true
}

// SubIssues returns the numbers of the sub-issues of issue number, in the order added.
func (s *Server) SubIssues(number int) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.subIssues[number])
}

// Issue returns an issue (not a pull request) as the server holds it.
func (s *Server) Issue(number int) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is, ok := s.issues[number]
	if !ok || is.pull != nil {
		return Issue{}, false
	}
	return Issue{Number: is.number, ID: is.id, Title: is.title, Body: is.body, State: is.state,
		Labels: slices.Clone(is.labels), Assignees: slices.Clone(is.assignees)}, true
}

// Issues returns every issue that is not a pull request, by number.
func (s *Server) Issues() []Issue {
	s.mu.Lock()
	numbers := s.numbers()
	s.mu.Unlock()
	var out []Issue
	for _, n := range numbers {
		if is, ok := s.Issue(n); ok {
			out = append(out, is)
		}
	}
	return out
}

// Issue is an issue as the server holds it.
type Issue struct {
	Number            int
	ID                int64
	Title, Body       string
	State             string
	Labels, Assignees []string
}

// listIssues answers GET /repos/{o}/{r}/issues: open by default, state=all|closed, labels=a,b (all of
// them), newest first, paged; pull requests are included, as GitHub does.
func (s *Server) listIssues(r *http.Request) reply {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var want []string
	if l := q.Get("labels"); l != "" {
		want = strings.Split(l, ",")
	}
	numbers := s.numbers()
	slices.Reverse(numbers)
	var items []any
	for _, n := range numbers {
		is := s.issues[n]
		if state != "all" && is.state != state {
			continue
		}
		if !slices.ContainsFunc(want, func(l string) bool { return !containsFold(is.labels, l) }) {
			items = append(items, s.issueJSON(is))
		}
	}
	return s.paginate(r, items)
}

// routeSubIssues answers GET and POST /repos/{o}/{r}/issues/{n}/sub_issues.
func (s *Server) routeSubIssues(r *http.Request, parent *issue, body []byte) reply {
	if s.noSubIssues {
		return s.notFound()
	}
	switch r.Method {
	case http.MethodGet:
		var items []any
		for _, n := range s.subIssues[parent.number] {
			items = append(items, s.issueJSON(s.issues[n]))
		}
		return s.paginate(r, items)
	case http.MethodPost:
		var req struct {
			SubIssueID int64 `json:"sub_issue_id"`
		}
		if decode(body, &req) != nil {
			return s.badJSON()
		}
		var child *issue
		for _, is := range s.issues {
			if is.id == req.SubIssueID && is.pull == nil {
				child = is
			}
		}
		if child == nil {
			return s.validation(docsSubIssues, map[string]string{"resource": "Issue", "field": "sub_issue_id", "code": "invalid",
				"message": "Sub issue not found: " + strconv.FormatInt(req.SubIssueID, 10)})
		}
		for p, kids := range s.subIssues {
			if slices.Contains(kids, child.number) {
				msg := "Sub issue may only have one parent"
				if p == parent.number {
					msg = "Sub issue already exists"
				}
				return s.validation(docsSubIssues, map[string]string{"resource": "Issue", "field": "sub_issue_id", "code": "invalid", "message": msg})
			}
		}
		if s.subIssues == nil {
			s.subIssues = map[int][]int{}
		}
		s.subIssues[parent.number] = append(s.subIssues[parent.number], child.number)
		return s.created(s.issueJSON(parent))
	}
	return s.notFound()
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}
