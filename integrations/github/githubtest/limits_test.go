package githubtest_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
)

// TestContentCreationWindows checks every window is enforced, a refused write counts in none, reads are
// never refused, and refusals are counted.
func TestContentCreationWindows(t *testing.T) {
	s := githubtest.NewServer(t, "acme", "postmortems", token)
	s.LimitContentCreationWindows(
		githubtest.ContentLimit{Max: 2, Window: 300 * time.Millisecond},
		githubtest.ContentLimit{Max: 3, Window: time.Hour},
		githubtest.ContentLimit{Max: 0, Window: time.Second}) // off
	c := client{t: t, s: s, token: token}
	write := func() (int, http.Header) {
		status, _, h := c.do("POST", "/repos/acme/postmortems/issues", `{"title":"t"}`)
		return status, h
	}
	for i := range 2 {
		if status, _ := write(); status != http.StatusCreated {
			t.Fatalf("write %d: %d, want 201", i+1, status)
		}
	}
	status, h := write()
	if status != http.StatusForbidden || h.Get("Retry-After") != "1" {
		t.Fatalf("third write in the short window: %d retry-after %q, want 403 with retry-after 1", status, h.Get("Retry-After"))
	}
	if status, _, _ := c.do("GET", "/repos/acme/postmortems", ""); status != http.StatusOK {
		t.Errorf("a read while writes are limited: %d, want 200", status)
	}
	time.Sleep(350 * time.Millisecond)
	if status, _ := write(); status != http.StatusCreated {
		t.Fatalf("write after the short window: %d, want 201 (the refused one must not count)", status)
	}
	status, h = write()
	if status != http.StatusForbidden {
		t.Fatalf("fourth write in the hour: %d, want 403", status)
	}
	if secs, _ := strconv.Atoi(h.Get("Retry-After")); secs < 3500 {
		t.Errorf("retry-after %q, want until the hour's first write leaves it", h.Get("Retry-After"))
	}
	if n := s.RateLimited(); n != 2 {
		t.Errorf("RateLimited = %d, want 2", n)
	}
	s.LimitContentCreation(0)
	if status, _ := write(); status != http.StatusCreated {
		t.Errorf("write with the limit off: %d, want 201", status)
	}
}
