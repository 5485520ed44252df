package githubtest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// CheckRun is a check run as the server holds it.
type CheckRun struct {
	ID                        int64
	Name, HeadSHA             string
	Status, Conclusion        string
	Title, Summary, DetailURL string
	Annotations               []Annotation
}

// Annotation is a check run annotation: a message on lines of a file.
type Annotation struct {
	Path                  string
	StartLine, EndLine    int
	StartColumn           int
	EndColumn             int
	Level, Title, Message string
}

// CheckRuns returns the check runs created on commit sha, oldest first.
func (s *Server) CheckRuns(sha string) []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CheckRun
	for _, c := range s.checkRuns {
		if c.HeadSHA == sha {
			c.Annotations = slices.Clone(c.Annotations)
			out = append(out, *c)
		}
	}
	return out
}

type checkRunRequest struct {
	Name       *string `json:"name"`
	HeadSHA    *string `json:"head_sha"`
	Status     *string `json:"status"`
	Conclusion *string `json:"conclusion"`
	DetailsURL *string `json:"details_url"`
	Output     *struct {
		Title       string `json:"title"`
		Summary     string `json:"summary"`
		Annotations []struct {
			Path            string `json:"path"`
			StartLine       int    `json:"start_line"`
			EndLine         int    `json:"end_line"`
			StartColumn     int    `json:"start_column"`
			EndColumn       int    `json:"end_column"`
			AnnotationLevel string `json:"annotation_level"`
			Title           string `json:"title"`
			Message         string `json:"message"`
		} `json:"annotations"`
	} `json:"output"`
}

const checkRunsDoc = "https://docs.github.com/rest/checks/runs#create-a-check-run"

// createCheckRun answers POST /repos/{o}/{r}/check-runs. Only a GitHub App may create check runs.
func (s *Server) createCheckRun(body []byte) reply {
	if !s.appAuth {
		return s.errorReply(http.StatusForbidden, "You must authenticate via a GitHub App.", checkRunsDoc)
	}
	var req checkRunRequest
	if decode(body, &req) != nil {
		return s.badJSON()
	}
	if req.Name == nil || *req.Name == "" {
		return s.validation(checkRunsDoc, map[string]string{"resource": "CheckRun", "code": "missing_field", "field": "name"})
	}
	if req.HeadSHA == nil || *req.HeadSHA == "" {
		return s.validation(checkRunsDoc, map[string]string{"resource": "CheckRun", "code": "missing_field", "field": "head_sha"})
	}
	if _, ok := s.commits[*req.HeadSHA]; !ok {
		return s.validation(checkRunsDoc, map[string]string{"resource": "CheckRun", "code": "invalid", "field": "head_sha"})
	}
	c := &CheckRun{Name: *req.Name, HeadSHA: *req.HeadSHA, Status: "queued"}
	if rep, ok := s.applyCheckRun(c, req); !ok {
		return rep
	}
	s.nextID++
	c.ID = s.nextID
	s.checkRuns = append(s.checkRuns, c)
	return s.created(s.checkRunJSON(c))
}

// updateCheckRun answers PATCH /repos/{o}/{r}/check-runs/{id}: annotations are added to those the run has.
func (s *Server) updateCheckRun(id string, body []byte) reply {
	if !s.appAuth {
		return s.errorReply(http.StatusForbidden, "You must authenticate via a GitHub App.", checkRunsDoc)
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return s.notFound()
	}
	var req checkRunRequest
	if decode(body, &req) != nil {
		return s.badJSON()
	}
	for _, c := range s.checkRuns {
		if c.ID == n {
			if req.Name != nil && *req.Name != "" {
				c.Name = *req.Name
			}
			if rep, ok := s.applyCheckRun(c, req); !ok {
				return rep
			}
			return s.jsonReply(http.StatusOK, s.checkRunJSON(c))
		}
	}
	return s.notFound()
}

// applyCheckRun checks req as GitHub does and applies it to c, or returns GitHub's 422.
func (s *Server) applyCheckRun(c *CheckRun, req checkRunRequest) (reply, bool) {
	status, conclusion := c.Status, c.Conclusion
	if req.Status != nil {
		switch *req.Status {
		case "queued", "in_progress", "completed":
			status = *req.Status
		default:
			return s.validation(checkRunsDoc, map[string]string{"resource": "CheckRun", "code": "invalid", "field": "status"}), false
		}
	}
	if req.Conclusion != nil {
		switch *req.Conclusion {
		case "action_required", "cancelled", "failure", "neutral", "success", "skipped", "timed_out":
			conclusion, status = *req.Conclusion, "completed"
		default:
			return s.validation(checkRunsDoc, map[string]string{"resource": "CheckRun", "code": "invalid", "field": "conclusion"}), false
		}
	}
	if status == "completed" && conclusion == "" {
		return s.validation(checkRunsDoc, map[string]string{"resource": "CheckRun", "code": "missing_field", "field": "conclusion"}), false
	}
	var anns []Annotation
	if o := req.Output; o != nil {
		if o.Title == "" || o.Summary == "" {
			field := "title"
			if o.Title != "" {
				field = "summary"
			}
			return s.validation(checkRunsDoc, map[string]string{"resource": "CheckRun", "code": "missing_field", "field": "output." + field}), false
		}
		if len(o.Annotations) > 50 {
			return s.errorReply(http.StatusUnprocessableEntity, "Only 50 annotations can be created per request.", checkRunsDoc), false
		}
		for _, a := range o.Annotations {
			switch {
			case a.Path == "" || a.Message == "" || a.StartLine < 1 || a.EndLine < a.StartLine:
				return s.validation(checkRunsDoc, map[string]string{"resource": "CheckRun", "code": "invalid", "field": "output.annotations"}), false
			case a.AnnotationLevel != "notice" && a.AnnotationLevel != "warning" && a.AnnotationLevel != "failure":
				return s.validation(checkRunsDoc, map[string]string{"resource": "CheckRun", "code": "invalid", "field": "output.annotations.annotation_level"}), false
			case (a.StartColumn != 0 || a.EndColumn != 0) && a.StartLine != a.EndLine:
				return s.errorReply(http.StatusUnprocessableEntity, fmt.Sprintf("Annotation %q: start_column and end_column are only allowed when start_line and end_line are the same", a.Message), checkRunsDoc), false
			}
			anns = append(anns, Annotation{Path: a.Path, StartLine: a.StartLine, EndLine: a.EndLine, StartColumn: a.StartColumn,
				EndColumn: a.EndColumn, Level: a.AnnotationLevel, Title: a.Title, Message: a.Message})
		}
		c.Title, c.Summary = o.Title, o.Summary
	}
	c.Status, c.Conclusion = status, conclusion
	c.Annotations = append(c.Annotations, anns...)
	if req.DetailsURL != nil {
		c.DetailURL = *req.DetailsURL
	}
	return reply{}, true
}

// checkRunJSON is a check-run as GitHub answers it.
func (s *Server) checkRunJSON(c *CheckRun) map[string]any {
	id := strconv.FormatInt(c.ID, 10)
	now := time.Now().UTC().Format(time.RFC3339)
	var completed, conclusion, title, summary any
	if c.Status == "completed" {
		completed, conclusion = now, c.Conclusion
	}
	if c.Title != "" {
		title, summary = c.Title, c.Summary
	}
	appOwner := s.userJSON(s.owner)
	return map[string]any{
		"id": c.ID, "node_id": "CR_" + id, "head_sha": c.HeadSHA, "name": c.Name, "external_id": "",
		"url": s.apiURL("check-runs", id), "html_url": s.htmlURL("runs", id), "details_url": orNil(c.DetailURL),
		"status": c.Status, "conclusion": conclusion, "started_at": now, "completed_at": completed,
		"output": map[string]any{"title": title, "summary": summary, "text": nil, "annotations_count": len(c.Annotations),
			"annotations_url": s.apiURL("check-runs", id, "annotations")},
		"check_suite": map[string]any{"id": c.ID},
		"app": map[string]any{
			"id": 1, "slug": "hindsight", "node_id": "A_1", "owner": appOwner, "name": "Hindsight", "description": nil,
			"external_url": s.srv.URL, "html_url": s.srv.URL + "/apps/hindsight", "created_at": "2024-01-01T00:00:00Z",
			"updated_at": "2024-01-01T00:00:00Z", "permissions": map[string]string{"checks": "write", "contents": "write"},
			"events": []string{"pull_request"},
		},
		"pull_requests": []any{},
	}
}
