package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hindsight-dev/hindsight/redisstore"
)

// roundTrips counts the pipelines of events a client sends (not those that set up its connections).
type roundTrips struct{ n atomic.Int64 }

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) > 0 && cmds[0].Name() == "hsetnx" {
			h.n.Add(1)
		}
		return next(ctx, cmds)
	}
}

// pausedStore returns a store whose Redis is paused for writes for pause, from now, and the counter of its
// round trips.
func pausedStore(t *testing.T, pause time.Duration) (*redisstore.Store, redis.UniversalClient, *roundTrips) {
	t.Helper()
	rdb := openRedis(t)
	trips := &roundTrips{}
	rdb.AddHook(trips)
	if err := rdb.Do(context.Background(), "CLIENT", "PAUSE", pause.Milliseconds(), "WRITE").Err(); err != nil {
		t.Fatal(err)
	}
	return redisstore.NewStore(rdb, time.Hour), rdb, trips
}

// TestEventsArrivingTogetherShareRoundTrips holds Redis's writes back so that deliveries pile up: the
// first four make their own round trips, the forty behind them share one, and each still learns whether
// its own event was new.
func TestEventsArrivingTogetherShareRoundTrips(t *testing.T) {
	s, admin, trips := pausedStore(t, 300*time.Millisecond)
	ctx := context.Background()
	type result struct {
		added bool
		err   error
	}
	results := make([]result, 44)
	var wg sync.WaitGroup
	for i := range results {
		if i == 4 {
			// The first four are in flight, held by the pause, before the others come.
			time.Sleep(50 * time.Millisecond)
		}
		wg.Go(func() {
			// Events 0 and 40 are the same event: one of the two finds the other stored.
			id := fmt.Sprintf("E%d", i%40)
			added, err := s.SaveEvent(ctx, fmt.Sprintf("PINC%d", i%40%7), id, []byte(`{"n":`+fmt.Sprint(i)+`}`))
			results[i] = result{added, err}
		})
	}
	wg.Wait()
	added := 0
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("event %d: %v", i, r.err)
		}
		if r.added {
			added++
		}
	}
	if added != 40 {
		t.Errorf("%d events reported new, want 40 (four were delivered twice)", added)
	}
	if n := trips.n.Load(); n != 5 {
		t.Errorf("%d round trips for 44 deliveries, want 5: four alone, forty shared", n)
	}
	for i := range 7 {
		key := fmt.Sprintf("hindsight:incident:PINC%d:events", i)
		if ttl := admin.TTL(ctx, key).Val(); ttl <= 50*time.Minute {
			t.Errorf("%s: TTL %v, want about an hour", key, ttl)
		}
	}
}

// TestEventRefusedAloneInItsBatch: a command Redis refuses fails its own delivery, not the others written
// in the same round trip.
func TestEventRefusedAloneInItsBatch(t *testing.T) {
	s, admin, _ := pausedStore(t, 0)
	ctx := context.Background()
	// A key of the wrong type: HSETNX on it is refused.
	if err := admin.Set(ctx, "hindsight:incident:PBAD:events", "x", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if err := admin.Do(ctx, "CLIENT", "PAUSE", 300, "WRITE").Err(); err != nil {
		t.Fatal(err)
	}
	errs := make([]error, 20)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			incident := "PGOOD"
			if i == 10 {
				incident = "PBAD"
			}
			_, errs[i] = s.SaveEvent(ctx, incident, fmt.Sprintf("E%d", i), []byte(`{}`))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if i == 10 {
			if err == nil || !errors.As(err, new(redis.Error)) {
				t.Errorf("event on a key of the wrong type: error %v, want Redis's refusal", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("event %d: %v", i, err)
		}
	}
	if n := admin.HLen(ctx, "hindsight:incident:PGOOD:events").Val(); n != 19 {
		t.Errorf("%d good events stored, want 19", n)
	}
}

// TestEventWaitingInABatchKeepsItsDeadline: a delivery waiting behind the writes in flight returns when its
// own deadline passes; its event is stored once Redis takes writes again, so the sender's next delivery is
// found a duplicate.
func TestEventWaitingInABatchKeepsItsDeadline(t *testing.T) {
	s, admin, _ := pausedStore(t, 600*time.Millisecond)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if _, err := s.SaveEvent(context.Background(), "PINC1", fmt.Sprintf("E%d", i), []byte(`{}`)); err != nil {
				t.Errorf("event in flight: %v", err)
			}
		})
	}
	time.Sleep(100 * time.Millisecond) // the four are in flight, held by the pause
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.SaveEvent(ctx, "PINC1", "LATE", []byte(`{}`))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting event: error %v, want its deadline", err)
	}
	if waited := time.Since(start); waited > 300*time.Millisecond {
		t.Errorf("waiting event returned after %v, want about its 50 ms deadline", waited)
	}
	wg.Wait()
	// The batch writes the late event once Redis takes writes again.
	deadline := time.Now().Add(5 * time.Second)
	for !admin.HExists(context.Background(), "hindsight:incident:PINC1:events", "LATE").Val() {
		if time.Now().After(deadline) {
			t.Fatal("the late event was never stored by its batch")
		}
		time.Sleep(10 * time.Millisecond)
	}
	added, err := s.SaveEvent(context.Background(), "PINC1", "LATE", []byte(`{}`))
	if err != nil || added {
		t.Errorf("the sender's next delivery: added=%v err=%v, want a duplicate", added, err)
	}
}
