package github_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// gateLimiter holds every write until its gate opens, and counts.
type gateLimiter struct {
	gate    chan struct{}
	waiting chan struct{} // one send per Wait that starts
	mu      sync.Mutex
	waits   int
	dones   int
}

func (g *gateLimiter) Wait(ctx context.Context) (time.Duration, func(), error) {
	start := time.Now()
	g.waiting <- struct{}{}
	select {
	case <-g.gate:
	case <-ctx.Done():
		return time.Since(start), nil, ctx.Err()
	}
	g.mu.Lock()
	g.waits++
	g.mu.Unlock()
	return time.Since(start), func() {
		g.mu.Lock()
		g.dones++
		g.mu.Unlock()
	}, nil
}

// TestWritesWaitForTheLimiter checks every content-creating request waits for the limiter before it goes
// out, reads do not, and the waits and the quota are in the metrics.
func TestWritesWaitForTheLimiter(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	g := &gateLimiter{gate: make(chan struct{}), waiting: make(chan struct{}, 100)}
	reg := prometheus.NewRegistry()
	c, _ := newClient(t, s, func(o *github.Options) {
		o.WriteLimiter = g
		o.Registerer = reg
	})
	errc := make(chan error, 1)
	go func() {
		_, err := c.Publish(context.Background(), draft())
		errc <- err
	}()

	select {
	case <-g.waiting:
	case err := <-errc:
		t.Fatalf("Publish returned %v without waiting for the limiter", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no write waited for the limiter")
	}
	time.Sleep(100 * time.Millisecond)
	reads := s.Requests()
	for _, r := range reads {
		if r.Method != http.MethodGet {
			t.Errorf("%s %s reached GitHub while the limiter held writes", r.Method, r.Path)
		}
	}
	if len(reads) == 0 {
		t.Error("no read reached GitHub before the first write: reads must not wait for the limiter")
	}
	close(g.gate)
	if err := <-errc; err != nil {
		t.Fatalf("Publish: %v", err)
	}
	checkPublished(t, s)

	writes := 0
	for _, r := range s.Requests() {
		if r.Method != http.MethodGet {
			writes++
		}
	}
	g.mu.Lock()
	waits, dones := g.waits, g.dones
	g.mu.Unlock()
	if writes != 6 || waits != writes || dones != writes {
		t.Errorf("%d writes, %d waits, %d dones: want one wait and one done per write (6)", writes, waits, dones)
	}

	families := gather(t, reg)
	if got := counter(families, "hindsight_github_rate_limit_waits_total", "kind", "write_limiter"); got < 1 {
		t.Errorf("write_limiter waits = %v, want at least the one held at the gate", got)
	}
	if got := counter(families, "hindsight_github_rate_limit_wait_seconds_total", "kind", "write_limiter"); got < 0.05 {
		t.Errorf("write_limiter wait seconds = %v, want the time held at the gate (≥ 0.1s)", got)
	}
	remaining := gauge(families, "hindsight_github_rate_limit_remaining", "resource", "core")
	if want := float64(5000 - len(s.Requests())); remaining != want {
		t.Errorf("remaining quota = %v, want %v", remaining, want)
	}
	if got := gauge(families, "hindsight_github_rate_limit_limit", "resource", "core"); got != 5000 {
		t.Errorf("quota limit = %v, want 5000", got)
	}
}

// TestRateLimitWaitsInMetrics checks a secondary limit's wait is counted by kind, and that two clients on
// one registry share the metrics.
func TestRateLimitWaitsInMetrics(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	var once sync.Once
	s.Inject(func(r *http.Request) (githubtest.Fault, bool) {
		fire := false
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git/trees") {
			once.Do(func() { fire = true })
		}
		return githubtest.SecondaryLimit(http.StatusForbidden, time.Second), fire
	})
	reg := prometheus.NewRegistry()
	c, _ := newClient(t, s, func(o *github.Options) { o.Registerer = reg; o.MaxWait = 10 * time.Second })
	newClient(t, s, func(o *github.Options) { o.Registerer = reg }) // registers the same metrics again
	if _, err := c.Publish(context.Background(), draft()); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	families := gather(t, reg)
	if got := counter(families, "hindsight_github_rate_limit_waits_total", "kind", "secondary"); got != 1 {
		t.Errorf("secondary waits = %v, want 1", got)
	}
	if got := counter(families, "hindsight_github_rate_limit_wait_seconds_total", "kind", "secondary"); got < 0.9 {
		t.Errorf("secondary wait seconds = %v, want about 1", got)
	}
	if s.RateLimited() != 1 {
		t.Errorf("the fake answered %d rate limits, want 1", s.RateLimited())
	}
}

// TestSharedWriteLimiterKeepsUnderContentLimits publishes from two clients, as two replicas would, each
// with its own limiter over one Redis, against a fake that enforces GitHub's two content-creation windows
// (scaled down): no write is refused.
func TestSharedWriteLimiterKeepsUnderContentLimits(t *testing.T) {
	r := queuetest.StartRedis(t)
	rdb, err := redisstore.OpenRedis(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	minute, hour := 200*time.Millisecond, time.Second
	s := newServer(t)
	s.LimitContentCreationWindows(githubtest.ContentLimit{Max: 8, Window: minute}, githubtest.ContentLimit{Max: 20, Window: hour})
	var clients []*github.Client
	for range 2 {
		l, err := redisstore.NewWriteLimiter(rdb, "acme/postmortems", []redisstore.Window{{Limit: 8, Length: minute}, {Limit: 20, Length: hour}})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := newClient(t, s, func(o *github.Options) { o.WriteLimiter = l })
		clients = append(clients, c)
	}

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := range 6 {
		wg.Go(func() {
			d := draft()
			d.Branch = fmt.Sprintf("postmortem/P%d", i)
			d.Path = fmt.Sprintf("postmortems/p%d.md", i)
			if _, err := clients[i%2].Publish(context.Background(), d); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Publish: %v", err)
	}
	if n := s.RateLimited(); n != 0 {
		t.Errorf("the fake answered %d rate limits, want none", n)
	}
	if n := len(s.PullRequests()); n != 6 {
		t.Errorf("%d pull requests, want 6", n)
	}
	// 36 writes at 20 per (scaled) hour need more than one hour window.
	if elapsed := time.Since(start); elapsed < hour {
		t.Errorf("36 writes took %v, under the %v window that allows 20", elapsed, hour)
	}
}

func gather(t *testing.T, reg *prometheus.Registry) []*dto.MetricFamily {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	return families
}

func find(families []*dto.MetricFamily, name, label, value string) *dto.Metric {
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					return m
				}
			}
		}
	}
	return nil
}

func counter(families []*dto.MetricFamily, name, label, value string) float64 {
	return find(families, name, label, value).GetCounter().GetValue()
}

func gauge(families []*dto.MetricFamily, name, label, value string) float64 {
	return find(families, name, label, value).GetGauge().GetValue()
}

// TestWriteLimiterBeyondMaxWait checks that a write whose slot frees after MaxWait fails at once with an
// error that says when to retry, as a task queue needs to reschedule the work.
func TestWriteLimiterBeyondMaxWait(t *testing.T) {
	r := queuetest.StartRedis(t)
	rdb, err := redisstore.OpenRedis(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	l, err := redisstore.NewWriteLimiter(rdb, "acme/postmortems", []redisstore.Window{{Limit: 1, Length: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t)
	c, _ := newClient(t, s, func(o *github.Options) { o.WriteLimiter = l; o.MaxWait = 2 * time.Second })
	start := time.Now()
	_, err = c.Publish(context.Background(), draft())
	var retry interface{ RetryAfter() time.Duration }
	if !errors.As(err, &retry) || retry.RetryAfter() < 59*time.Minute {
		t.Fatalf("Publish = %v, want an error with a RetryAfter of about an hour", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("Publish took %v, want it to fail at once", time.Since(start))
	}
	if !strings.Contains(err.Error(), "create commit") {
		t.Errorf("error %q should name the step that found no slot", err)
	}
}
