package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Window is one limit of a WriteLimiter: at most Limit slots in any span of Length.
type Window struct {
	Limit  int
	Length time.Duration
}

// WriteLimiter spaces requests out under limits shared by every process that uses the same Redis and name:
// GitHub's secondary limits on content-creating requests (80 a minute and 500 an hour) hold for the
// account or installation, not for one process, so every worker replica draws its slots from one sorted set
// in Redis. It is safe for concurrent use.
type WriteLimiter struct {
	rdb     redis.UniversalClient
	key     string
	args    []any // limit, length in µs, for each window
	longest time.Duration
}

// NewWriteLimiter returns a limiter over rdb that allows at most w.Limit slots in any w.Length, for every
// window at once. Windows with a zero Limit or Length are left out; name keys the state in Redis
// (e.g. "api.github.com/acme/postmortems"), so limiters with the same name share it. It returns an error
// when no window is left or one is negative.
func NewWriteLimiter(rdb redis.UniversalClient, name string, windows []Window) (*WriteLimiter, error) {
	l := &WriteLimiter{rdb: rdb, key: "hindsight:write-limit:" + name}
	for _, w := range windows {
		if w.Limit < 0 || w.Length < 0 {
			return nil, fmt.Errorf("write limit %d per %v: must not be negative", w.Limit, w.Length)
		}
		if w.Limit == 0 || w.Length == 0 {
			continue
		}
		if w.Length < time.Millisecond {
			return nil, fmt.Errorf("write limit %d per %v: the window must be at least 1ms", w.Limit, w.Length)
		}
		l.args = append(l.args, w.Limit, w.Length.Microseconds())
		l.longest = max(l.longest, w.Length)
	}
	if len(l.args) == 0 {
		return nil, errors.New("write limiter: no window with a limit")
	}
	if name == "" {
		return nil, errors.New("write limiter: empty name")
	}
	return l, nil
}

// takeScript takes a slot in every window at once, or none. Scores are Redis's own clock in microseconds,
// so replicas whose clocks disagree still agree on the windows. It returns 0 when the slot is taken, else
// how many microseconds to wait before the oldest slot that blocks leaves its window.
//
// KEYS[1] the sorted set of slots; ARGV[1] this slot's member; ARGV[2..] limit, window length (µs) pairs.
// Numbers are passed back to Redis through string.format: Lua's own conversion keeps 14 digits only.
var takeScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local longest = 0
for i = 2, #ARGV, 2 do
  local len = tonumber(ARGV[i + 1])
  if len > longest then longest = len end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now - longest))
local wait = 0
for i = 2, #ARGV, 2 do
  local limit, len = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local since = string.format('(%d', now - len)
  local n = redis.call('ZCOUNT', KEYS[1], since, '+inf')
  if n >= limit then
    local blocking = redis.call('ZRANGEBYSCORE', KEYS[1], since, '+inf', 'WITHSCORES', 'LIMIT', n - limit, 1)
    local w = tonumber(blocking[2]) + len - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return math.ceil(wait) end
redis.call('ZADD', KEYS[1], string.format('%d', now), ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(longest / 1000) + 1000)
return 0
`)

// doneScript dates a slot to now, when the request's answer has come back: the server counted the request
// at some time between the slot's taking and now, so the slot must stay in its windows until now plus
// their length.
var doneScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
return redis.call('ZADD', KEYS[1], 'XX', string.format('%d', now), ARGV[1])
`)

// Wait blocks until a slot is free in every window and takes it, or until ctx ends (its error is
// returned, wrapped). When ctx's deadline comes before the next slot frees, it returns a *SlotError at
// once instead of sleeping in vain. It returns how long it slept and a function to call once the request has been
// answered (or has failed), which keeps the slot in its windows from then on: GitHub counts a request
// when it arrives, which may be later than the moment its slot was taken. A Redis error is returned
// wrapped; no slot is taken then.
func (l *WriteLimiter) Wait(ctx context.Context) (time.Duration, func(), error) {
	buf := make([]byte, 12)
	if _, err := rand.Read(buf); err != nil {
		return 0, nil, fmt.Errorf("write limiter %s: %w", l.key, err)
	}
	member := hex.EncodeToString(buf)
	keys := []string{l.key}
	args := append([]any{member}, l.args...)
	var waited time.Duration
	for {
		wait, err := takeScript.Run(ctx, l.rdb, keys, args...).Int64()
		if err != nil {
			return waited, nil, fmt.Errorf("write limiter %s: %w", l.key, err)
		}
		if wait <= 0 {
			return waited, func() { l.done(member) }, nil
		}
		// The slot frees at a known time: sleep until then, never poll.
		d := time.Duration(wait) * time.Microsecond
		if deadline, ok := ctx.Deadline(); ok && deadline.Before(time.Now().Add(d)) {
			return waited, nil, &SlotError{Name: l.key, Free: time.Now().Add(d)}
		}
		timer := time.NewTimer(d)
		start := time.Now()
		select {
		case <-ctx.Done():
			timer.Stop()
			return waited + time.Since(start), nil, fmt.Errorf("write limiter %s: waiting %v for a slot: %w", l.key, d, ctx.Err())
		case <-timer.C:
			waited += time.Since(start)
		}
	}
}

// SlotError is returned when no slot frees before the context's deadline: waiting would be in vain, and a
// task queue can run the work again once one has (RetryAfter). It matches context.DeadlineExceeded.
type SlotError struct {
	Name string    // the limiter's Redis key
	Free time.Time // when a slot frees, as things stand
}

func (e *SlotError) Error() string {
	return fmt.Sprintf("write limiter %s: no slot before the deadline; the next frees in %v", e.Name, time.Until(e.Free).Round(time.Millisecond))
}

// RetryAfter is how long until a slot frees.
func (e *SlotError) RetryAfter() time.Duration { return max(time.Until(e.Free), 0) }

// Is makes errors.Is(err, context.DeadlineExceeded) true.
func (e *SlotError) Is(target error) bool { return target == context.DeadlineExceeded }

func (l *WriteLimiter) done(member string) {
	// A fresh context: the request's may have ended already, and the slot must still be dated.
	ctx, cancel := context.WithTimeout(context.Background(), IOTimeout)
	defer cancel()
	_ = doneScript.Run(ctx, l.rdb, []string{l.key}, member).Err()
}

// Used returns how many slots each window holds now, in the order the windows were given (without the
// left-out ones). It is for metrics and tests.
func (l *WriteLimiter) Used(ctx context.Context) ([]int, error) {
	now, err := l.rdb.Time(ctx).Result()
	if err != nil {
		return nil, fmt.Errorf("write limiter %s: %w", l.key, err)
	}
	var out []int
	for i := 0; i < len(l.args); i += 2 {
		length := l.args[i+1].(int64)
		since := "(" + strconv.FormatInt(now.UnixMicro()-length, 10)
		n, err := l.rdb.ZCount(ctx, l.key, since, "+inf").Result()
		if err != nil {
			return nil, fmt.Errorf("write limiter %s: %w", l.key, err)
		}
		out = append(out, int(n))
	}
	return out, nil
}
