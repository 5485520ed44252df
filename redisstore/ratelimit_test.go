package redisstore_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

func openRedis(t *testing.T) redis.UniversalClient {
	t.Helper()
	r := queuetest.StartRedis(t)
	rdb, err := redisstore.OpenRedis(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

func newLimiter(t *testing.T, rdb redis.UniversalClient, name string, windows ...redisstore.Window) *redisstore.WriteLimiter {
	t.Helper()
	l, err := redisstore.NewWriteLimiter(rdb, name, windows)
	if err != nil {
		t.Fatalf("NewWriteLimiter: %v", err)
	}
	return l
}

// takeAll takes n slots from the limiters in turn, from n goroutines, and returns when each Wait returned,
// sorted. Each slot is released (dated) as soon as it is taken, as a request answered at once would be.
func takeAll(t *testing.T, n int, limiters ...*redisstore.WriteLimiter) []time.Time {
	t.Helper()
	var mu sync.Mutex
	var at []time.Time
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, done, err := limiters[i%len(limiters)].Wait(context.Background())
			if err != nil {
				errs <- err
				return
			}
			now := time.Now()
			done()
			mu.Lock()
			at = append(at, now)
			mu.Unlock()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Wait: %v", err)
	}
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	return at
}

// checkWindow fails when more than limit of the sorted times fall within any span shorter than length.
func checkWindow(t *testing.T, at []time.Time, limit int, length time.Duration) {
	t.Helper()
	// Redis's clock and the test's are the same machine's; allow for the two readings' resolution.
	const slack = 2 * time.Millisecond
	for i := 0; i+limit < len(at); i++ {
		if gap := at[i+limit].Sub(at[i]); gap < length-slack {
			t.Fatalf("slots %d and %d taken %v apart: %d slots within %v, want at most %d", i, i+limit, gap, limit+1, length, limit)
		}
	}
}

// TestWriteLimiterSharedByReplicas has two limiters over one Redis, as two worker replicas have: together
// they take no more than the limit in any window.
func TestWriteLimiterSharedByReplicas(t *testing.T) {
	rdb := openRedis(t)
	minute := 400 * time.Millisecond // a minute, scaled down
	a := newLimiter(t, rdb, "api.github.com/acme/postmortems", redisstore.Window{Limit: 80, Length: minute})
	b := newLimiter(t, rdb, "api.github.com/acme/postmortems", redisstore.Window{Limit: 80, Length: minute})

	start := time.Now()
	at := takeAll(t, 200, a, b)
	checkWindow(t, at, 80, minute)
	// 80 at once, 80 a window later, the last 40 two windows later.
	if elapsed := at[len(at)-1].Sub(start); elapsed < 2*minute-2*time.Millisecond || elapsed > 2*minute+time.Second {
		t.Errorf("200 slots took %v, want about %v", elapsed, 2*minute)
	}
	// The first 80 wait for no window; how soon they come depends on the machine's load, so only a wait of a
	// whole window is a failure.
	if got := at[79].Sub(start); got >= minute-2*time.Millisecond {
		t.Errorf("the first 80 slots took %v, want them before the window (%v) ends", got, minute)
	}
}

// TestWriteLimiterBothWindows checks the longer window (an hour, scaled) holds while the shorter one has
// room, and that a slot is taken in both or in neither.
func TestWriteLimiterBothWindows(t *testing.T) {
	rdb := openRedis(t)
	minute, hour := 100*time.Millisecond, 600*time.Millisecond
	l := newLimiter(t, rdb, "ghe.example.com/acme/postmortems",
		redisstore.Window{Limit: 80, Length: minute}, redisstore.Window{Limit: 100, Length: hour})

	start := time.Now()
	at := takeAll(t, 130, l)
	checkWindow(t, at, 80, minute)
	checkWindow(t, at, 100, hour)
	if got := at[99].Sub(start); got < minute-2*time.Millisecond || got >= hour-2*time.Millisecond {
		t.Errorf("slot 100 taken after %v, want one minute window in (%v)", got, minute)
	}
	if got := at[100].Sub(start); got < hour-2*time.Millisecond {
		t.Errorf("slot 101 taken after %v, want no sooner than the hour window (%v)", got, hour)
	}
	used, err := l.Used(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(used) != 2 || used[1] < 30 || used[1] > 100 {
		t.Errorf("Used = %v, want the hour window to hold the last slots", used)
	}
}

// TestWriteLimiterContext checks a wait ends with its context, fails at once when its deadline is too near,
// takes no slot then, and sleeps rather than polls.
func TestWriteLimiterContext(t *testing.T) {
	rdb := openRedis(t)
	l := newLimiter(t, rdb, "api.github.com/acme/postmortems", redisstore.Window{Limit: 1, Length: time.Hour})
	if _, done, err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	} else {
		done()
	}
	before := scriptCalls(t, rdb)

	// Cancelled while it sleeps.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	waited, done, err := l.Wait(ctx)
	if !errors.Is(err, context.Canceled) || done != nil {
		t.Fatalf("Wait = %v (done %v), want context.Canceled", err, done != nil)
	}
	if elapsed := time.Since(start); elapsed < 250*time.Millisecond || elapsed > 2*time.Second {
		t.Errorf("Wait returned after %v, want when the context ended (300ms)", elapsed)
	}
	if waited < 250*time.Millisecond {
		t.Errorf("waited = %v, want the time slept", waited)
	}
	if calls := scriptCalls(t, rdb) - before; calls > 2 {
		t.Errorf("%d script calls while waiting, want one: the limiter must sleep, not poll", calls)
	}

	// A deadline before the next slot frees fails at once, saying when to try again.
	deadlineCtx, cancelDeadline := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancelDeadline()
	start = time.Now()
	_, _, err = l.Wait(deadlineCtx)
	var se *redisstore.SlotError
	if !errors.As(err, &se) || !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Fatalf("Wait with a deadline too near = %v after %v, want a *SlotError at once", err, time.Since(start))
	}
	if ra := se.RetryAfter(); ra < 59*time.Minute || ra > time.Hour {
		t.Errorf("RetryAfter = %v, want about an hour", ra)
	}
	if used, err := l.Used(context.Background()); err != nil || !slices.Equal(used, []int{1}) {
		t.Errorf("Used = %v, %v; want [1]: a wait that fails takes no slot", used, err)
	}

	// A context already over takes nothing either.
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, _, err := l.Wait(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with a cancelled context = %v, want context.Canceled", err)
	}
}

// scriptCalls is how many scripts Redis has run.
func scriptCalls(t *testing.T, rdb redis.UniversalClient) int {
	t.Helper()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(info, "\n") {
		if !strings.HasPrefix(line, "cmdstat_evalsha:") && !strings.HasPrefix(line, "cmdstat_eval:") {
			continue
		}
		_, rest, _ := strings.Cut(line, "calls=")
		v, _, _ := strings.Cut(rest, ",")
		c, _ := strconv.Atoi(v)
		n += c
	}
	return n
}

func TestWriteLimiterWindowsTurnedOff(t *testing.T) {
	rdb := openRedis(t)
	if _, err := redisstore.NewWriteLimiter(rdb, "x", []redisstore.Window{{Limit: 0, Length: time.Minute}, {Limit: 500, Length: 0}}); err == nil {
		t.Error("no window left: want an error")
	}
	if _, err := redisstore.NewWriteLimiter(rdb, "x", []redisstore.Window{{Limit: -1, Length: time.Minute}}); err == nil {
		t.Error("negative limit: want an error")
	}
	if _, err := redisstore.NewWriteLimiter(rdb, "", []redisstore.Window{{Limit: 1, Length: time.Minute}}); err == nil {
		t.Error("empty name: want an error")
	}

	// The minute window is off: only the hour's limit holds.
	l := newLimiter(t, rdb, "api.github.com/acme/postmortems",
		redisstore.Window{Limit: 0, Length: time.Minute}, redisstore.Window{Limit: 3, Length: time.Hour})
	start := time.Now()
	takeAll(t, 3, l)
	if time.Since(start) > time.Second {
		t.Errorf("3 slots under a limit of 3 took %v", time.Since(start))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, _, err := l.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a 4th slot in the hour = %v, want a wait", err)
	}

	// Another name (another repository) has slots of its own.
	other := newLimiter(t, rdb, "api.github.com/acme/other", redisstore.Window{Limit: 3, Length: time.Hour})
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Second)
	defer cancel2()
	if _, done, err := other.Wait(ctx2); err != nil {
		t.Errorf("another repository's limiter: %v", err)
	} else {
		done()
	}
}
