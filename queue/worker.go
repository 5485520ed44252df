package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/hindsight-dev/hindsight/redisstore"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// WorkerConfig sizes a worker.
type WorkerConfig struct {
	Concurrency     int
	ShutdownTimeout time.Duration
	// Registerer takes the worker's metrics; nil for none.
	Registerer prometheus.Registerer
	// RetryBase and RetryMax bound the backoff of failed tasks: RetryBase·2^n, at most RetryMax, with
	// jitter. Zero means 10 s and 10 min.
	RetryBase, RetryMax time.Duration
	// TaskCheckInterval is how long an idle worker waits, on average, before asking Redis again for a task
	// (asynq sleeps between half and one and a half of it); zero means DefaultTaskCheckInterval.
	TaskCheckInterval time.Duration
}

// DefaultTaskCheckInterval is how often an idle worker asks Redis for a task. asynq's own default, a
// second, is most of the time from a resolved incident to its draft; at 100 ms an idle worker sends Redis
// about 10 dequeue scripts a second, which `go test -bench DraftLatency ./bench/` measures.
const DefaultTaskCheckInterval = 100 * time.Millisecond

// Worker runs the task handlers.
type Worker struct {
	srv *asynq.Server
	mux *asynq.ServeMux
	// running counts the handlers still running, which asynq does not wait for once it has requeued their
	// tasks at the end of its shutdown timeout.
	running sync.WaitGroup
}

// NewWorker returns a worker over rdb that runs each task type with its handler.
func NewWorker(rdb redis.UniversalClient, cfg WorkerConfig, handlers map[string]asynq.Handler, logger *slog.Logger) *Worker {
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = defaultRetryBase
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = defaultRetryMax
	}
	if cfg.TaskCheckInterval <= 0 {
		cfg.TaskCheckInterval = DefaultTaskCheckInterval
	}
	b := backoff{base: cfg.RetryBase, max: max(cfg.RetryMax, cfg.RetryBase)}
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency:     cfg.Concurrency,
		ShutdownTimeout: cfg.ShutdownTimeout,
		Logger:          slogAdapter{logger},
		LogLevel:        asynq.WarnLevel,
		RetryDelayFunc:  b.delay,
		// A new task is picked up within about this long of being enqueued.
		TaskCheckInterval: cfg.TaskCheckInterval,
		// Retries come due no later than the backoff asks (asynq looks every 5 s by default).
		DelayedTaskCheckInterval: min(5*time.Second, max(b.base/2, 50*time.Millisecond)),
		// A task that waits for another worker's lock is not a failure.
		IsFailure: func(err error) bool { return !errors.Is(err, redisstore.ErrLocked) },
	})
	mux := asynq.NewServeMux()
	mux.Use(archiveRejected(logger, cfg.Registerer))
	w := &Worker{srv: srv, mux: mux}
	for typ, h := range handlers {
		mux.Handle(typ, w.counted(awaitRedis(rdb, h)))
	}
	return w
}

// settleTimeout bounds how long Shutdown waits, after asynq returned, for the handlers it abandoned: their
// context has ended by then, so they only release their locks, which needs Redis still open.
const settleTimeout = 500 * time.Millisecond

func (w *Worker) counted(h asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		w.running.Add(1)
		defer w.running.Done()
		return h.ProcessTask(ctx, t)
	})
}

// Start begins processing tasks in the background.
func (w *Worker) Start() error {
	if err := w.srv.Start(w.mux); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	return nil
}

// Shutdown stops taking tasks and waits up to the shutdown timeout for running ones; unfinished tasks go
// back to the queue. It then waits a little more (settleTimeout) for the handlers asynq left running to
// return, so that they release their incident locks before the caller closes Redis: a lock left behind
// would hold its incident back for the lock's whole TTL. Calling it again does nothing.
func (w *Worker) Shutdown() {
	w.srv.Shutdown()
	settled := make(chan struct{})
	go func() {
		w.running.Wait()
		close(settled)
	}()
	select {
	case <-settled:
	case <-time.After(settleTimeout):
	}
}

const (
	defaultRetryBase = 10 * time.Second
	defaultRetryMax  = 10 * time.Minute
)

// backoff spaces the retries of failed tasks.
type backoff struct{ base, max time.Duration }

// delay is how long a failed task waits before its retry: its wait, stretched to a whole second.
func (b backoff) delay(n int, err error, _ *asynq.Task) time.Duration {
	return toWholeSecond(time.Now(), b.wait(n, err))
}

// wait backs off exponentially from base to max with jitter; a task waiting for a lock retries after a
// few seconds (sooner with a short base), and one stopped by a rate limit when the limit resets.
func (b backoff) wait(n int, err error) time.Duration {
	if errors.Is(err, redisstore.ErrLocked) {
		return min(2*time.Second, b.base) + rand.N(min(3*time.Second, b.base)) //nolint:gosec // jitter, not a secret
	}
	// A rate-limited API says when it accepts requests again.
	var limited interface{ RetryAfter() time.Duration }
	if errors.As(err, &limited) {
		return limited.RetryAfter() + rand.N(min(5*time.Second, b.base)) //nolint:gosec // jitter, not a secret
	}
	d := b.base << min(n, 16)
	d = min(d, b.max)
	return d/2 + rand.N(d/2+1) //nolint:gosec // jitter, not a secret
}

// toWholeSecond stretches a retry's wait d, from now, to the next whole second after it. asynq keeps a
// retry's due time in whole seconds, rounded down, and runs it once that second has begun: a wait of
// under a second would otherwise run at once, and a burst of them would spend a task's retries in
// moments.
func toWholeSecond(now time.Time, d time.Duration) time.Duration {
	due := now.Add(d)
	return due.Truncate(time.Second).Add(time.Second).Sub(now)
}

// slogAdapter writes asynq's own log lines through slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...), "component", "asynq") }
func (a slogAdapter) Info(args ...any)  { a.l.Info(fmt.Sprint(args...), "component", "asynq") }
func (a slogAdapter) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...), "component", "asynq") }
func (a slogAdapter) Error(args ...any) { a.l.Error(fmt.Sprint(args...), "component", "asynq") }
func (a slogAdapter) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...), "component", "asynq") }

// Ping reports whether Redis answers.
func Ping(ctx context.Context, rdb redis.UniversalClient) error { return rdb.Ping(ctx).Err() }
