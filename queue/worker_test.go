package queue_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// A task still running when the shutdown timeout ends is requeued by asynq, which does not wait for its
// handler; Shutdown does, briefly, so that the handler releases its incident lock while Redis is still open.
// A lock left behind would hold the incident back for the lock's whole TTL after a restart.
func TestShutdownLetsAbandonedHandlersReleaseTheirLocks(t *testing.T) {
	r := queuetest.StartRedis(t)
	rdb, err := redisstore.OpenRedis(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	locks := redisstore.NewLocker(rdb, time.Minute)
	started := make(chan struct{})
	handler := asynq.HandlerFunc(func(ctx context.Context, _ *asynq.Task) error {
		lease, err := locks.Lock(ctx, "postmortem:PSTUCK1")
		if err != nil {
			return err
		}
		defer lease.Release()
		close(started)
		<-ctx.Done()                       // stuck until asynq gives up on it
		time.Sleep(100 * time.Millisecond) // the work in flight unwinds
		return ctx.Err()
	})
	w := queue.NewWorker(rdb, queue.WorkerConfig{Concurrency: 1, ShutdownTimeout: 200 * time.Millisecond},
		map[string]asynq.Handler{queue.TypePostmortem: handler}, slog.New(slog.DiscardHandler))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := asynq.NewClientFromRedisClient(rdb).Enqueue(asynq.NewTask(queue.TypePostmortem, []byte(`{}`))); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the task never started")
	}
	w.Shutdown()
	// The next process can take the lock at once.
	lease, err := locks.Lock(context.Background(), "postmortem:PSTUCK1")
	if errors.Is(err, redisstore.ErrLocked) {
		t.Fatal("the lock of the abandoned handler is still held after Shutdown returned")
	}
	if err != nil {
		t.Fatal(err)
	}
	lease.Release()
}
