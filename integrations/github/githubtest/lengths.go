package githubtest

import "unicode/utf8"

// GitHub's limits on titles and bodies, in characters, and the 422 it answers beyond them.
const (
	maxTitle = 256
	maxBody  = 65536
)

// tooLong answers GitHub's 422 for an issue or pull request whose title or body is over the limit; ok is
// false when both fit. Pull requests report the resource "Issue" too, as GitHub does.
func (s *Server) tooLong(doc string, title, body *string) (reply, bool) {
	if title != nil && utf8.RuneCountInString(*title) > maxTitle {
		return s.validation(doc, map[string]string{"resource": "Issue", "code": "custom", "field": "title",
			"message": "title is too long (maximum is 256 characters)"}), true
	}
	if body != nil && utf8.RuneCountInString(*body) > maxBody {
		return s.validation(doc, map[string]string{"resource": "Issue", "code": "custom", "field": "body",
			"message": "body is too long (maximum is 65536 characters)"}), true
	}
	return reply{}, false
}

// commentTooLong answers GitHub's 422 for a comment over the limit.
func (s *Server) commentTooLong(body string) (reply, bool) {
	if utf8.RuneCountInString(body) > maxBody {
		return s.validation(docsComments, map[string]string{"resource": "IssueComment", "code": "unprocessable", "field": "data",
			"message": "Body is too long (maximum is 65536 characters)"}), true
	}
	return reply{}, false
}
