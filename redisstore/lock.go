package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrLocked is returned when another worker holds the lock; the task is retried later.
var ErrLocked = errors.New("another worker is working on it")

// ErrLockLost ends an attempt whose lock expired or was taken by another attempt while it ran: it stops
// before its next write and is retried later, like one that found the lock taken.
var ErrLockLost = fmt.Errorf("lock lost: %w", ErrLocked)

// maxRenewEvery is the longest time between two renewals of a held lock.
const maxRenewEvery = 5 * time.Second

// Locker takes short-lived Redis locks shared by every worker replica, so that one incident's pipeline
// never runs twice at once.
type Locker struct {
	rdb redis.UniversalClient
	ttl time.Duration
}

// NewLocker returns a Locker whose locks expire after ttl unless their holder renews them; a held lock is
// renewed every ttl/3, at most 5 s apart.
func NewLocker(rdb redis.UniversalClient, ttl time.Duration) *Locker {
	return &Locker{rdb: rdb, ttl: ttl}
}

// unlockScript deletes the lock only if it still holds this attempt's token.
var unlockScript = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`)

// lockScript takes a free lock, or one that already holds this attempt's token: the client sends a command
// again after a connection reset, and the first sending may have taken the lock without its answer arriving.
var lockScript = redis.NewScript(`
local v = redis.call("get", KEYS[1])
if v == false or v == ARGV[1] then
	redis.call("set", KEYS[1], ARGV[1], "PX", ARGV[2])
	return 1
end
return 0`)

// extendScript renews the lock only if it still holds this attempt's token.
var extendScript = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) end return 0`)

// Lease is a lock held by one attempt, under a random token of its own: a task recovered after its
// asynq lease expired runs as another attempt and cannot take the lock while its stalled original holds
// it. The lease renews the lock in the background until Release; when a renewal finds the lock gone or
// another token in it, or no renewal succeeds for a whole TTL, Context ends with ErrLockLost as its cause.
type Lease struct {
	l          *Locker
	key, token string
	ctx        context.Context
	cancel     context.CancelCauseFunc
	stop       chan struct{}
	done       chan struct{}
	once       sync.Once
}

// Lock takes the named lock for one attempt, or returns ErrLocked when another attempt holds it. The
// lease's Context, derived from ctx, is the one the attempt must work under.
func (l *Locker) Lock(ctx context.Context, name string) (*Lease, error) {
	buf := make([]byte, 16)
	if _, err := rand.Read(buf); err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	token := hex.EncodeToString(buf)
	key := "hindsight:lock:" + name
	n, err := lockScript.Run(ctx, l.rdb, []string{key}, token, l.ttl.Milliseconds()).Int()
	if err != nil {
		// Redis may have taken the lock without the answer arriving: give it back rather than leave the
		// incident blocked for a whole TTL.
		_ = l.release(key, token)
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	if n != 1 {
		return nil, fmt.Errorf("lock %s: %w", name, ErrLocked)
	}
	lctx, cancel := context.WithCancelCause(ctx)
	ls := &Lease{l: l, key: key, token: token, ctx: lctx, cancel: cancel, stop: make(chan struct{}), done: make(chan struct{})}
	go ls.renew()
	return ls, nil
}

// Context ends when the attempt's own context does or the lock is lost (context.Cause is ErrLockLost).
func (ls *Lease) Context() context.Context { return ls.ctx }

// Check asks Redis whether the lock still holds this attempt's token; an attempt calls it before each
// write to GitHub or PagerDuty. It returns ErrLockLost when it does not.
func (ls *Lease) Check(ctx context.Context) error {
	if errors.Is(context.Cause(ls.ctx), ErrLockLost) {
		return ErrLockLost
	}
	v, err := ls.l.rdb.Get(ctx, ls.key).Result()
	if errors.Is(err, redis.Nil) || (err == nil && v != ls.token) {
		ls.cancel(ErrLockLost)
		return ErrLockLost
	}
	if err != nil {
		return fmt.Errorf("check lock %s: %w", ls.key, err)
	}
	return nil
}

// Release stops the renewals and frees the lock if this attempt still holds it. When Redis cannot be
// reached it keeps trying in the background until the lock would have expired anyway, so that an attempt
// that failed because Redis restarted does not leave its incident locked for a whole TTL.
func (ls *Lease) Release() {
	ls.once.Do(func() {
		close(ls.stop)
		<-ls.done
		ls.cancel(context.Canceled)
		if ls.l.release(ls.key, ls.token) == nil {
			return
		}
		go func() {
			deadline := time.Now().Add(ls.l.ttl)
			wait := 50 * time.Millisecond
			for time.Now().Before(deadline) {
				time.Sleep(wait)
				if err := ls.l.release(ls.key, ls.token); err == nil || errors.Is(err, redis.ErrClosed) {
					return
				}
				wait = min(2*wait, time.Second)
			}
		}()
	})
}

func (ls *Lease) renew() {
	defer close(ls.done)
	// Renewing often, not just often enough to keep the lock, bounds how long an attempt that lost its
	// lock (taken over after a failover lost the key) goes on between the checks before each write.
	every := max(min(ls.l.ttl/3, maxRenewEvery), time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	lastRenewed := time.Now()
	for {
		select {
		case <-ls.stop:
			return
		case <-ls.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(ls.ctx, min(every, IOTimeout))
		n, err := extendScript.Run(ctx, ls.l.rdb, []string{ls.key}, ls.token, ls.l.ttl.Milliseconds()).Int()
		cancel()
		switch {
		case err == nil && n == 1:
			lastRenewed = time.Now()
		case err == nil:
			ls.cancel(ErrLockLost)
			return
		case time.Since(lastRenewed) >= ls.l.ttl:
			// Redis has not answered for a whole TTL: the lock may have expired and been taken.
			ls.cancel(ErrLockLost)
			return
		}
	}
}

func (l *Locker) release(key, token string) error {
	// Release with a fresh context: the attempt's may be cancelled already.
	ctx, cancel := context.WithTimeout(context.Background(), IOTimeout)
	defer cancel()
	return unlockScript.Run(ctx, l.rdb, []string{key}, token).Err()
}
