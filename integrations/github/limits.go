package github

import (
	"unicode/utf8"
)

// GitHub's limits on the text of issues, pull requests and comments, in characters. Beyond them GitHub
// answers 422 "title is too long (maximum is 256 characters)" or "body is too long (maximum is 65536
// characters)", and the request can never succeed.
const (
	MaxTitle = 256
	MaxBody  = 65536
)

// bodyCutNotice ends a body that was cut to MaxBody.
const (
	bodyCutNotice    = "\n\n… (cut here: GitHub allows 65,536 characters)"
	commentCutNotice = "\n\n… (cut here: comments are limited in Hindsight's configuration)"
)

// FitTitle returns title cut to MaxTitle characters on a character boundary, ending with "…" when cut.
func FitTitle(title string) string {
	if utf8.RuneCountInString(title) <= MaxTitle {
		return title
	}
	return cutRunes(title, MaxTitle-1) + "…"
}

// FitBody returns body cut to MaxBody characters on a character boundary, saying so at its end when cut.
// What comes first, a marker included, is kept.
func FitBody(body string) string { return fitBody(body, MaxBody) }

// fitComment cuts a comment to the configured size.
func (c *Client) fitComment(body string) string {
	limit := c.maxComment
	if limit <= 0 || limit > MaxBody {
		limit = MaxBody
	}
	return fitBody(body, limit)
}

func fitBody(body string, limit int) string {
	if utf8.RuneCountInString(body) <= limit {
		return body
	}
	notice := commentCutNotice
	if limit == MaxBody {
		notice = bodyCutNotice
	}
	return cutRunes(body, max(limit-utf8.RuneCountInString(notice), 0)) + notice
}

// cutRunes returns the first n characters of s. Invalid UTF-8 bytes count as one character each, as
// utf8.RuneCountInString counts them.
func cutRunes(s string, n int) string {
	i := 0
	for range n {
		if i >= len(s) {
			break
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}
