package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
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

// heldRedis is a Redis whose writes are held back (CLIENT PAUSE … WRITE) until release, and a store on it
// counting its round trips.
type heldRedis struct {
	t     *testing.T
	rdb   redis.UniversalClient
	store *redisstore.Store
	trips *roundTrips
}

func newHeldRedis(t *testing.T) *heldRedis {
	t.Helper()
	rdb := openRedis(t)
	trips := &roundTrips{}
	rdb.AddHook(trips)
	return &heldRedis{t: t, rdb: rdb, store: redisstore.NewStore(rdb, time.Hour), trips: trips}
}

// hold holds writes back for up to a minute.
func (h *heldRedis) hold() {
	h.t.Helper()
	if err := h.rdb.Do(context.Background(), "CLIENT", "PAUSE", 60000, "WRITE").Err(); err != nil {
		h.t.Fatal(err)
	}
}

func (h *heldRedis) release() {
	h.t.Helper()
	if err := h.rdb.Do(context.Background(), "CLIENT", "UNPAUSE").Err(); err != nil {
		h.t.Fatal(err)
	}
}

// waitHeld waits until n writers wait on the pause.
func (h *heldRedis) waitHeld(n int) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, err := h.rdb.Info(context.Background(), "clients").Result()
		if err != nil {
			h.t.Fatal(err)
		}
		for line := range strings.SplitSeq(info, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "blocked_clients:"); ok {
				if held, _ := strconv.Atoi(v); held >= n {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%d writers never came to wait on the pause", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestEventsArrivingTogetherShareRoundTrips holds Redis's writes back so that deliveries pile up: the
// first four make their own round trips, the forty behind them share one, and each still learns whether
// its own event was new.
func TestEventsArrivingTogetherShareRoundTrips(t *testing.T) {
	h := newHeldRedis(t)
	ctx := context.Background()
	type result struct {
		added bool
		err   error
	}
	results := make([]result, 44)
	save := func(i int) {
		// Events 0 to 3 come again as 40 to 43: one of each two finds the other stored.
		added, err := h.store.SaveEvent(ctx, fmt.Sprintf("PINC%d", i%40%7), fmt.Sprintf("E%d", i%40), []byte(`{"n":`+strconv.Itoa(i)+`}`))
		results[i] = result{added, err}
	}
	h.hold()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() { save(i) })
	}
	h.waitHeld(4)
	for i := 4; i < len(results); i++ {
		wg.Go(func() { save(i) })
	}
	time.Sleep(200 * time.Millisecond) // the forty gather behind the four
	h.release()
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
	// Four alone and forty in one; a delivery slow to join its batch may make one more.
	if n := h.trips.n.Load(); n > 8 {
		t.Errorf("%d round trips for 44 deliveries, want 5: four alone, forty shared", n)
	} else {
		t.Logf("%d round trips for 44 deliveries", n)
	}
	for i := range 7 {
		key := fmt.Sprintf("hindsight:incident:PINC%d:events", i)
		if ttl := h.rdb.TTL(ctx, key).Val(); ttl <= 50*time.Minute {
			t.Errorf("%s: TTL %v, want about an hour", key, ttl)
		}
	}
}

// TestEventRefusedAloneInItsBatch: a command Redis refuses fails its own delivery, not the others written
// in the same round trip.
func TestEventRefusedAloneInItsBatch(t *testing.T) {
	h := newHeldRedis(t)
	ctx := context.Background()
	// A key of the wrong type: HSETNX on it is refused.
	if err := h.rdb.Set(ctx, "hindsight:incident:PBAD:events", "x", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	h.hold()
	errs := make([]error, 20)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			incident := "PGOOD"
			if i == 10 {
				incident = "PBAD"
			}
			_, errs[i] = h.store.SaveEvent(ctx, incident, fmt.Sprintf("E%d", i), []byte(`{}`))
		})
	}
	h.waitHeld(4)
	time.Sleep(100 * time.Millisecond)
	h.release()
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
	if n := h.rdb.HLen(ctx, "hindsight:incident:PGOOD:events").Val(); n != 19 {
		t.Errorf("%d good events stored, want 19", n)
	}
}

// TestEventWaitingInABatchKeepsItsDeadline: a delivery waiting behind the writes in flight returns when its
// own deadline passes; its event is stored once Redis takes writes again, so the sender's next delivery is
// found a duplicate.
func TestEventWaitingInABatchKeepsItsDeadline(t *testing.T) {
	h := newHeldRedis(t)
	h.hold()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if _, err := h.store.SaveEvent(context.Background(), "PINC1", fmt.Sprintf("E%d", i), []byte(`{}`)); err != nil {
				t.Errorf("event in flight: %v", err)
			}
		})
	}
	h.waitHeld(4)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.store.SaveEvent(ctx, "PINC1", "LATE", []byte(`{}`))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting event: error %v, want its deadline", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("waiting event returned after %v, want about its 50 ms deadline", waited)
	}
	h.release()
	wg.Wait()
	// The batch writes the late event once Redis takes writes again.
	deadline := time.Now().Add(5 * time.Second)
	for !h.rdb.HExists(context.Background(), "hindsight:incident:PINC1:events", "LATE").Val() {
		if time.Now().After(deadline) {
			t.Fatal("the late event was never stored by its batch")
		}
		time.Sleep(10 * time.Millisecond)
	}
	added, err := h.store.SaveEvent(context.Background(), "PINC1", "LATE", []byte(`{}`))
	if err != nil || added {
		t.Errorf("the sender's next delivery: added=%v err=%v, want a duplicate", added, err)
	}
}
