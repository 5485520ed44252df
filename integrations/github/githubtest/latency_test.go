package githubtest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
)

// TestLatency: with a latency set, no answer comes sooner; a client that gives up is let go at once.
func TestLatency(t *testing.T) {
	s := githubtest.NewServer(t, "acme", "postmortems", token)
	s.SetLatency(40 * time.Millisecond)
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"repos/acme/postmortems", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	began := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if took := time.Since(began); took < 40*time.Millisecond || resp.StatusCode != http.StatusOK {
		t.Errorf("answered %d after %v, want 200 after at least 40ms", resp.StatusCode, took)
	}
	s.SetLatency(time.Hour)
	c := &http.Client{Timeout: 50 * time.Millisecond}
	if _, err := c.Do(req); err == nil {
		t.Error("an answer came before the hour was up")
	}
}
