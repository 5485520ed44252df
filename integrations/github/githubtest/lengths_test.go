package githubtest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// GitHub refuses titles over 256 characters and bodies over 65,536 with these exact 422s.
func TestLengthLimits(t *testing.T) {
	s, c := setup(t)
	branch(t, c, "feature", "a.md", "a", true)
	title := strings.Repeat("é", 257)
	body := strings.Repeat("ü", 65537)
	js := func(v map[string]string) string { b, _ := json.Marshal(v); return string(b) }
	for _, tc := range []struct {
		method, path, body, message string
	}{
		{"POST", "repos/acme/pm/pulls", js(map[string]string{"title": title, "head": "feature", "base": "main"}), "title is too long (maximum is 256 characters)"},
		{"POST", "repos/acme/pm/pulls", js(map[string]string{"title": "ok", "body": body, "head": "feature", "base": "main"}), "body is too long (maximum is 65536 characters)"},
		{"POST", "repos/acme/pm/issues", js(map[string]string{"title": title}), "title is too long (maximum is 256 characters)"},
		{"POST", "repos/acme/pm/issues", js(map[string]string{"title": "ok", "body": body}), "body is too long (maximum is 65536 characters)"},
	} {
		status, out, _ := c.do(tc.method, tc.path, tc.body)
		errs, _ := out["errors"].([]any)
		if status != http.StatusUnprocessableEntity || out["message"] != "Validation Failed" || len(errs) != 1 || errs[0].(map[string]any)["message"] != tc.message {
			t.Errorf("%s %s: %d %v, want 422 %q", tc.method, tc.path, status, out, tc.message)
		}
	}
	// Exactly at the limit is fine, counted in characters, not bytes.
	if status, out, _ := c.do("POST", "repos/acme/pm/issues", js(map[string]string{"title": title[:2*256], "body": body[:2*65536]})); status != http.StatusCreated {
		t.Fatalf("issue at the limits: %d %v", status, out)
	}
	status, out, _ := c.do("POST", "repos/acme/pm/issues/1/comments", js(map[string]string{"body": body}))
	errs, _ := out["errors"].([]any)
	if status != http.StatusUnprocessableEntity || len(errs) != 1 || errs[0].(map[string]any)["message"] != "Body is too long (maximum is 65536 characters)" {
		t.Errorf("long comment: %d %v", status, out)
	}
	if status, _, _ := c.do("PATCH", "repos/acme/pm/issues/1", js(map[string]string{"title": title})); status != http.StatusUnprocessableEntity {
		t.Errorf("editing in a long title: %d, want 422", status)
	}
	if len(s.Issues()) != 1 {
		t.Errorf("issues: %d, want only the one at the limits", len(s.Issues()))
	}
}
