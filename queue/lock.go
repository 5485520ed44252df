package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrLocked is returned when another worker holds the lock; the task is retried later.
var ErrLocked = errors.New("another worker is working on it")

// Locker takes short-lived Redis locks shared by every worker replica, so that one incident's pipeline
// never runs twice at once.
type Locker struct {
	rdb redis.UniversalClient
	ttl time.Duration
}

// NewLocker returns a Locker whose locks expire after ttl if their holder dies.
func NewLocker(rdb redis.UniversalClient, ttl time.Duration) *Locker {
	return &Locker{rdb: rdb, ttl: ttl}
}

// unlockScript deletes the lock only if it still holds this holder's token.
var unlockScript = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`)

// lockScript takes a free lock, or one its holder already holds: a holder whose earlier attempt took the
// lock but never heard Redis answer (a timeout under load) gets it back instead of waiting for it to expire.
var lockScript = redis.NewScript(`
local v = redis.call("get", KEYS[1])
if v == false or v == ARGV[1] then
	redis.call("set", KEYS[1], ARGV[1], "PX", ARGV[2])
	return 1
end
return 0`)

// Lock takes the named lock for holder (a task ID, the same on every retry of a task; empty for a holder
// of its own) or returns ErrLocked. The returned function releases it.
func (l *Locker) Lock(ctx context.Context, name, holder string) (func(), error) {
	token := holder
	if token == "" {
		buf := make([]byte, 16)
		if _, err := rand.Read(buf); err != nil {
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		token = hex.EncodeToString(buf)
	}
	key := "hindsight:lock:" + name
	ok, err := lockScript.Run(ctx, l.rdb, []string{key}, token, l.ttl.Milliseconds()).Int()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	if ok != 1 {
		return nil, fmt.Errorf("lock %s: %w", name, ErrLocked)
	}
	return func() {
		// Release with a fresh context: the task's may be cancelled already.
		ctx, cancel := context.WithTimeout(context.Background(), redisIOTimeout)
		defer cancel()
		_ = unlockScript.Run(ctx, l.rdb, []string{key}, token).Err()
	}, nil
}
