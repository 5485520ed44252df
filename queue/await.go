package queue

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// maxAwaitRedis bounds how long a finished task waits for Redis to come back: below asynq's 30-second
// task lease, so the task still owns its lease when its result is written.
const maxAwaitRedis = 20 * time.Second

// awaitRedis hands a task's result to asynq only once Redis answers. asynq writes the result (done,
// retry or archive) once, and its later attempts at that write reuse a context that has ended, so a
// result that met Redis down is lost: the task then sits "active" until its lease expires (30 s) and the
// recoverer, which looks once a minute, retries it. Waiting here for the short outages (a restart, a
// failover) lets the result land at the first try.
func awaitRedis(rdb redis.UniversalClient, h asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		err := h.ProcessTask(ctx, t)
		deadline := time.Now().Add(maxAwaitRedis)
		for {
			pctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			perr := rdb.Ping(pctx).Err()
			cancel()
			if perr == nil || time.Now().After(deadline) {
				return err
			}
			select {
			case <-ctx.Done():
				return err
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}
