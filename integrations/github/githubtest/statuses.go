package githubtest

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Status is a commit status as the server holds it.
type Status struct {
	State, Description, Context, TargetURL string
}

// Statuses returns the statuses set on commit sha, oldest first.
func (s *Server) Statuses(sha string) []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.statuses[sha])
}

// createStatus answers POST /repos/{o}/{r}/statuses/{sha}.
func (s *Server) createStatus(sha string, body []byte) reply {
	var req struct {
		State       string `json:"state"`
		Description string `json:"description"`
		Context     string `json:"context"`
		TargetURL   string `json:"target_url"`
	}
	if decode(body, &req) != nil {
		return s.badJSON()
	}
	const doc = "https://docs.github.com/rest/commits/statuses#create-a-commit-status"
	switch req.State {
	case "error", "failure", "pending", "success":
	default:
		return s.validation(doc, map[string]string{"resource": "Status", "field": "state", "code": "custom",
			"message": "state is not included in the list"})
	}
	if _, ok := s.commits[sha]; !ok {
		return s.validation(doc, map[string]string{"resource": "Status", "code": "custom", "field": "sha",
			"message": "No commit found for SHA: " + sha})
	}
	if len([]rune(req.Description)) > 140 {
		return s.validation(doc, map[string]string{"resource": "Status", "code": "custom", "field": "description",
			"message": "description is too long (maximum is 140 characters)"})
	}
	if req.Context == "" {
		req.Context = "default"
	}
	if s.statuses == nil {
		s.statuses = map[string][]Status{}
	}
	s.statuses[sha] = append(s.statuses[sha], Status{State: req.State, Description: req.Description, Context: req.Context, TargetURL: req.TargetURL})
	s.nextID++
	now := time.Now().UTC().Format(time.RFC3339)
	return s.created(map[string]any{
		"id": s.nextID, "node_id": "SC_" + strconv.FormatInt(s.nextID, 10), "url": s.apiURL("statuses", sha),
		"state": req.State, "description": orNil(req.Description), "context": req.Context,
		"target_url": orNil(req.TargetURL), "created_at": now, "updated_at": now,
		"avatar_url": s.srv.URL + "/avatars/u/" + strconv.FormatInt(idOf(s.login), 10) + "?v=4",
		"creator":    s.userJSON(s.login),
	})
}

// editComment answers PATCH /repos/{o}/{r}/issues/comments/{id}.
func (s *Server) editComment(id string, body []byte) reply {
	var req struct {
		Body string `json:"body"`
	}
	if decode(body, &req) != nil {
		return s.badJSON()
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return s.notFound()
	}
	if rep, bad := s.commentTooLong(req.Body); bad {
		return rep
	}
	for _, is := range s.issues {
		for i := range is.comments {
			if is.comments[i].id == n {
				is.comments[i].body = req.Body
				return s.jsonReply(http.StatusOK, s.commentJSON(is, is.comments[i]))
			}
		}
	}
	return s.notFound()
}

// orNil is v, or null when v is empty, as GitHub answers optional strings that were not sent.
func orNil(v string) any {
	if v == "" {
		return nil
	}
	return v
}
