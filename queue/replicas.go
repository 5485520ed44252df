package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNotReplicated is returned when fewer replicas than required confirm that they hold an event in time:
// the caller answers 503 and the sender delivers again.
var ErrNotReplicated = errors.New("not enough Redis replicas hold the event")

// replicationProbeKey is written before WAIT: WAIT counts the replicas that hold the writes of its own
// connection, and replication is in order, so a replica holding this write holds every write before it.
const replicationProbeKey = "hindsight:replication-probe"

// RequireReplicas makes Accept return only once n replicas hold what it wrote, waiting up to timeout
// (Redis's WAIT); n = 0 turns it off. Call it before the Queue is used.
func (q *Queue) RequireReplicas(n int, timeout time.Duration) {
	q.replicas, q.replicaTimeout = n, timeout
}

// waitReplicas returns once q.replicas replicas hold every write made so far, or ErrNotReplicated.
func (q *Queue) waitReplicas(ctx context.Context) error {
	if q.replicas <= 0 {
		return nil
	}
	var acked int64
	var err error
	if c, ok := q.rdb.(interface{ Conn() *redis.Conn }); ok {
		conn := c.Conn()
		defer conn.Close()
		if err = conn.Incr(ctx, replicationProbeKey).Err(); err == nil {
			acked, err = conn.Wait(ctx, q.replicas, q.replicaTimeout).Result()
		}
	} else {
		var wait *redis.Cmd
		_, err = q.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.Incr(ctx, replicationProbeKey)
			wait = p.Do(ctx, "wait", q.replicas, q.replicaTimeout.Milliseconds())
			return nil
		})
		if err == nil {
			acked, err = wait.Int64()
		}
	}
	if err != nil {
		return fmt.Errorf("wait for %d Redis replicas: %w", q.replicas, err)
	}
	if acked < int64(q.replicas) {
		return fmt.Errorf("%w: %d of %d confirmed within %s", ErrNotReplicated, acked, q.replicas, q.replicaTimeout)
	}
	return nil
}
