package redisstore

import (
	"net/url"
	"strings"
)

// redactedMark replaces a password in text meant for a log or a person.
const redactedMark = "xxxxx"

// redactedError is an error whose text has had secrets removed; errors.Is and errors.As still see the
// original.
type redactedError struct {
	err error
	msg string
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }

// RedactURLSecrets returns text with every password of the Redis URL rawURL (the user information's
// password and a sentinel_password query value), raw or percent-decoded, replaced by "xxxxx". rawURL need
// not parse: a URL too malformed for url.Parse is the one whose error quotes it.
func RedactURLSecrets(text, rawURL string) string {
	for _, secret := range urlSecrets(rawURL) {
		if secret != "" {
			text = strings.ReplaceAll(text, secret, redactedMark)
		}
	}
	return text
}

// urlSecrets finds the passwords in a URL by hand, longest forms first.
func urlSecrets(rawURL string) []string {
	var out []string
	add := func(s string) {
		if s == "" {
			return
		}
		out = append(out, s)
		if dec, err := url.PathUnescape(s); err == nil && dec != s {
			out = append(out, dec)
		}
		if dec, err := url.QueryUnescape(s); err == nil && dec != s {
			out = append(out, dec)
		}
		if enc := url.QueryEscape(s); enc != s {
			out = append(out, enc)
		}
	}
	rest := rawURL
	if _, after, ok := strings.Cut(rest, "://"); ok {
		rest = after
	}
	authority, query, _ := strings.Cut(rest, "?")
	// The user information ends at the last "@" before the path; a password may itself hold "@" or "/".
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		if _, password, ok := strings.Cut(authority[:at], ":"); ok {
			add(password)
		}
	}
	for _, pair := range strings.Split(query, "&") {
		if name, value, ok := strings.Cut(pair, "="); ok && strings.Contains(strings.ToLower(name), "password") {
			add(value)
		}
	}
	return out
}
