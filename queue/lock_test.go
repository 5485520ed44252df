package queue_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
)

// TestLockEachAttemptHoldsItsOwnToken: a second attempt at the same lock, as a task recovered after its
// asynq lease runs beside its stalled original, is refused until the first releases it.
func TestLockEachAttemptHoldsItsOwnToken(t *testing.T) {
	r := queuetest.StartRedis(t)
	l := queue.NewLocker(r.Client(t), time.Minute)
	ctx := context.Background()
	first, err := l.Lock(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Lock(ctx, "x"); !errors.Is(err, queue.ErrLocked) {
		t.Fatalf("second attempt: %v, want ErrLocked", err)
	}
	first.Release()
	second, err := l.Lock(ctx, "x")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	// The first attempt's late release must not free the second's lock.
	first.Release()
	if _, err := l.Lock(ctx, "x"); !errors.Is(err, queue.ErrLocked) {
		t.Errorf("after the first attempt released twice: %v, want ErrLocked", err)
	}
	second.Release()
}

// TestLockIsRenewedWhileHeld holds a lock for several TTLs: it stays held, and its context stays alive.
func TestLockIsRenewedWhileHeld(t *testing.T) {
	r := queuetest.StartRedis(t)
	l := queue.NewLocker(r.Client(t), 300*time.Millisecond)
	lease, err := l.Lock(context.Background(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer lease.Release()
	time.Sleep(time.Second)
	if _, err := l.Lock(context.Background(), "x"); !errors.Is(err, queue.ErrLocked) {
		t.Fatalf("after three TTLs: %v, want the lock still held", err)
	}
	if err := lease.Context().Err(); err != nil {
		t.Errorf("lease context ended: %v", err)
	}
	if err := lease.Check(context.Background()); err != nil {
		t.Errorf("check: %v", err)
	}
}

// TestLostLockEndsTheAttempt: when the lock is taken by someone else (it expired while Redis was away),
// the next renewal ends the attempt's context with ErrLockLost.
func TestLostLockEndsTheAttempt(t *testing.T) {
	r := queuetest.StartRedis(t)
	rdb := r.Client(t)
	l := queue.NewLocker(rdb, 300*time.Millisecond)
	lease, err := l.Lock(context.Background(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer lease.Release()
	if err := rdb.Set(context.Background(), "hindsight:lock:x", "someone-else", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-lease.Context().Done():
	case <-time.After(2 * time.Second):
		t.Fatal("the attempt's context did not end after its lock was lost")
	}
	if cause := context.Cause(lease.Context()); !errors.Is(cause, queue.ErrLockLost) {
		t.Errorf("cause %v, want ErrLockLost", cause)
	}
	if err := lease.Check(context.Background()); !errors.Is(err, queue.ErrLockLost) {
		t.Errorf("check: %v, want ErrLockLost", err)
	}
	lease.Release()
	if v := rdb.Get(context.Background(), "hindsight:lock:x").Val(); v != "someone-else" {
		t.Errorf("release freed another holder's lock: %q", v)
	}
}

// stealingSource reads the incident and then lets another attempt take its lock, as when the lock
// expired while this attempt stalled.
type stealingSource struct {
	queue.IncidentSource
	steal func()
}

func (s stealingSource) Incident(ctx context.Context, id string) (postmortem.Incident, error) {
	inc, err := s.IncidentSource.Incident(ctx, id)
	s.steal()
	return inc, err
}

// TestPipelineStopsBeforeWritingWhenItsLockIsLost: an attempt that lost its lock writes nothing more to
// GitHub or PagerDuty, and is retried later (ErrLocked), not archived.
func TestPipelineStopsBeforeWritingWhenItsLockIsLost(t *testing.T) {
	p := newPipeline(t)
	rdb := p.redis.Client(t)
	var writes atomic.Int32
	p.gh.Inject(func(r *http.Request) (githubtest.Fault, bool) {
		if r.Method != http.MethodGet {
			writes.Add(1)
		}
		return githubtest.Fault{}, false
	})
	p.h.Source = stealingSource{IncidentSource: p.h.Source, steal: func() {
		rdb.Set(context.Background(), "hindsight:lock:postmortem:"+incidentID, "other-attempt", time.Minute)
	}}
	err := p.process(t)
	if !errors.Is(err, queue.ErrLockLost) || !errors.Is(err, queue.ErrLocked) {
		t.Fatalf("error %v, want ErrLockLost (retried like ErrLocked)", err)
	}
	if n := writes.Load(); n != 0 {
		t.Errorf("%d GitHub writes after the lock was lost", n)
	}
	if n := len(p.gh.PullRequests()); n != 0 {
		t.Errorf("%d pull requests", n)
	}
	for _, n := range p.pd.Notes(incidentID) {
		if strings.Contains(string(n), postmortem.BackLinkNote("")) {
			t.Errorf("a back-link note was added after the lock was lost")
		}
	}
}
