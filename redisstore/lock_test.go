package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// TestLockEachAttemptHoldsItsOwnToken: a second attempt at the same lock, as a task recovered after its
// asynq lease runs beside its stalled original, is refused until the first releases it.
func TestLockEachAttemptHoldsItsOwnToken(t *testing.T) {
	r := queuetest.StartRedis(t)
	l := redisstore.NewLocker(r.Client(t), time.Minute)
	ctx := context.Background()
	first, err := l.Lock(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Lock(ctx, "x"); !errors.Is(err, redisstore.ErrLocked) {
		t.Fatalf("second attempt: %v, want ErrLocked", err)
	}
	first.Release()
	second, err := l.Lock(ctx, "x")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	// The first attempt's late release must not free the second's lock.
	first.Release()
	if _, err := l.Lock(ctx, "x"); !errors.Is(err, redisstore.ErrLocked) {
		t.Errorf("after the first attempt released twice: %v, want ErrLocked", err)
	}
	second.Release()
}

// TestLockIsRenewedWhileHeld holds a lock for several TTLs: it stays held, and its context stays alive.
func TestLockIsRenewedWhileHeld(t *testing.T) {
	r := queuetest.StartRedis(t)
	// A TTL of a second leaves each renewal (every third of it) room for a loaded machine's scheduling.
	l := redisstore.NewLocker(r.Client(t), time.Second)
	lease, err := l.Lock(context.Background(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer lease.Release()
	time.Sleep(3 * time.Second)
	if _, err := l.Lock(context.Background(), "x"); !errors.Is(err, redisstore.ErrLocked) {
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
	l := redisstore.NewLocker(rdb, 300*time.Millisecond)
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
	if cause := context.Cause(lease.Context()); !errors.Is(cause, redisstore.ErrLockLost) {
		t.Errorf("cause %v, want ErrLockLost", cause)
	}
	if err := lease.Check(context.Background()); !errors.Is(err, redisstore.ErrLockLost) {
		t.Errorf("check: %v, want ErrLockLost", err)
	}
	lease.Release()
	if v := rdb.Get(context.Background(), "hindsight:lock:x").Val(); v != "someone-else" {
		t.Errorf("release freed another holder's lock: %q", v)
	}
}
