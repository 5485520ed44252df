package queue

import (
	"errors"
	"testing"
	"time"
)

// asynq keeps a retry's due time in whole seconds, rounded down: every wait must still be served in full,
// however short, so that a burst of short waits cannot spend a task's retries in a moment.
func TestRetryWaitsAreServedInFull(t *testing.T) {
	b := backoff{base: 100 * time.Millisecond, max: time.Second}
	now := time.Date(2026, 11, 30, 12, 0, 0, 900_000_000, time.UTC)
	for n := range 12 {
		wait := b.wait(n, errors.New("503"))
		d := toWholeSecond(now, wait)
		due := now.Add(d)
		if d < wait || due.Nanosecond() != 0 || due.Sub(now.Add(wait)) > time.Second {
			t.Errorf("retry %d: wait %v became %v, due %v", n, wait, d, due)
		}
		// asynq runs it once the second it rounds down to has begun: never before the wait is over.
		if runsAt := time.Unix(now.Add(d).Unix(), 0); runsAt.Before(now.Add(wait)) {
			t.Errorf("retry %d runs at %v, before its wait of %v is over", n, runsAt, wait)
		}
	}
	if d := toWholeSecond(now, 50*time.Millisecond); d != 100*time.Millisecond {
		t.Errorf("50ms at .900 = %v, want 100ms (to the second after the one it ends in)", d)
	}
	if d := toWholeSecond(now, 2*time.Second); d != 2100*time.Millisecond {
		t.Errorf("2s at .900 = %v, want 2.1s", d)
	}
}
