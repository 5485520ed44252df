package github_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
)

// TestRateLimitsAreWaitedOut answers one request with a rate limit and checks Publish waits, sends it again
// (with its body) and completes.
func TestRateLimitsAreWaitedOut(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		fault  func() githubtest.Fault
		method string
		suffix string
	}{
		{"primary 403", func() githubtest.Fault { return githubtest.PrimaryLimit(403, time.Now().Add(time.Second)) }, "GET", "/pulls"},
		{"primary 429", func() githubtest.Fault { return githubtest.PrimaryLimit(429, time.Now().Add(time.Second)) }, "POST", "/git/commits"},
		{"secondary 403", func() githubtest.Fault { return githubtest.SecondaryLimit(403, time.Second) }, "POST", "/git/trees"},
		{"secondary 429", func() githubtest.Fault { return githubtest.SecondaryLimit(429, time.Second) }, "POST", "/pulls"},
		{"plain 429 with retry-after", func() githubtest.Fault { return githubtest.TooManyRequests(time.Second) }, "PATCH", "/issues/1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			var once sync.Once
			s.Inject(func(r *http.Request) (githubtest.Fault, bool) {
				fire := false
				if r.Method == tc.method && strings.HasSuffix(r.URL.Path, tc.suffix) {
					once.Do(func() { fire = true })
				}
				if !fire {
					return githubtest.Fault{}, false
				}
				return tc.fault(), true
			})
			c, logs := newClient(t, s, func(o *github.Options) { o.MaxWait = 10 * time.Second })
			start := time.Now()
			if _, err := c.Publish(context.Background(), draft()); err != nil {
				t.Fatalf("Publish: %v", err)
			}
			if waited := time.Since(start); waited < 500*time.Millisecond {
				t.Errorf("Publish took %v: the limit was not waited out", waited)
			}
			reqs := s.Requests()
			if n := count(reqs, tc.method, tc.suffix, 0); n < 2 {
				t.Errorf("%s %s sent %d times, want it sent again after the limit", tc.method, tc.suffix, n)
			}
			if len(reqs) != 9 {
				t.Errorf("%d requests, want the 8 of a publication plus the limited one", len(reqs))
			}
			checkPublished(t, s)
			if !strings.Contains(logs.String(), "github rate limit") {
				t.Errorf("the wait was not logged: %s", logs)
			}
		})
	}
}

// TestRateLimitExhaustedBySuccess covers a quota that runs out on a successful answer ("remaining: 0"):
// go-github then refuses the next calls locally until the reset, and they must still go out after it.
func TestRateLimitExhaustedBySuccess(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.SetRateLimit(3, time.Now().Add(1500*time.Millisecond))
	c, _ := newClient(t, s, func(o *github.Options) { o.MaxWait = 10 * time.Second })
	start := time.Now()
	if _, err := c.Publish(context.Background(), draft()); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if time.Since(start) < time.Second {
		t.Errorf("Publish did not wait for the reset")
	}
	for _, r := range s.Requests() {
		if r.Status == http.StatusForbidden {
			t.Errorf("a request was sent while the quota was exhausted: %+v", r)
		}
	}
	checkPublished(t, s)
}

func TestRateLimitBeyondMaxWait(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fault githubtest.Fault
		kind  string
	}{
		{"primary", githubtest.PrimaryLimit(403, time.Now().Add(time.Hour)), "primary"},
		{"secondary", githubtest.SecondaryLimit(429, 10*time.Minute), "secondary"},
		{"secondary without retry-after", githubtest.SecondaryLimit(403, 0), "secondary"},
		{"plain 429 without retry-after", githubtest.TooManyRequests(0), "too many requests"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			s.Inject(func(*http.Request) (githubtest.Fault, bool) { return tc.fault, true })
			c, _ := newClient(t, s, func(o *github.Options) { o.MaxWait = 2 * time.Second })
			start := time.Now()
			_, err := c.Publish(context.Background(), draft())
			if !errors.Is(err, github.ErrRateLimited) {
				t.Fatalf("Publish error = %v, want ErrRateLimited", err)
			}
			var le *github.LimitError
			if !errors.As(err, &le) || le.Kind != tc.kind || le.MaxWait != 2*time.Second {
				t.Errorf("LimitError = %+v, want kind %q", le, tc.kind)
			}
			if !strings.Contains(err.Error(), "find pull request for postmortem/PABC123") ||
				!strings.Contains(err.Error(), "exceeds the longest wait of 2s") {
				t.Errorf("error %q should say what failed and why", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("gave up after %v, want at once", d)
			}
			if n := len(s.Requests()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

func TestRateLimitBeyondContextDeadline(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.Inject(func(*http.Request) (githubtest.Fault, bool) {
		return githubtest.SecondaryLimit(403, 30*time.Second), true
	})
	c, _ := newClient(t, s, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Publish(ctx, draft())
	if !errors.Is(err, github.ErrRateLimited) || time.Since(start) > time.Second {
		t.Errorf("Publish = %v after %v, want ErrRateLimited at once", err, time.Since(start))
	}
}

func TestContentCreationLimit(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.LimitContentCreation(2)
	c, _ := newClient(t, s, func(o *github.Options) { o.MaxWait = time.Second })
	_, err := c.Publish(context.Background(), draft())
	var le *github.LimitError
	if !errors.As(err, &le) || le.Kind != "secondary" {
		t.Fatalf("Publish error = %v, want a secondary LimitError", err)
	}
	if !strings.Contains(err.Error(), "create branch postmortem/PABC123") {
		t.Errorf("error %q should name the step", err)
	}
	if branches := s.Branches(); len(branches) != 1 {
		t.Errorf("branches = %v, want only main: the ref was refused", branches)
	}
}
