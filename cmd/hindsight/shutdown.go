package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/hindsight-dev/hindsight/queue"
)

// Docker stops a container 10 s after SIGTERM unless told otherwise and Kubernetes 30 s; the deploy files
// give more than 25 s, and the drain ends within the grace period, below that.
const (
	defaultShutdownGrace = 20 * time.Second
	maxShutdownGrace     = 25 * time.Second
	// workerRequeueMargin is left to asynq, after it cancels the tasks still running, to put them back in
	// the queue, and to their handlers to release their locks (queue.Worker.Shutdown), before the grace
	// period ends.
	workerRequeueMargin = time.Second
)

// lockTTL is how long an incident stays locked after its worker died; a live worker renews its lock.
const lockTTL = 2 * time.Minute

// workerDrain is how long running tasks get to finish after SIGTERM before they are cancelled and requeued.
func workerDrain(grace time.Duration) time.Duration {
	return max(grace-workerRequeueMargin, grace/2)
}

// drain stops the HTTP server (when srv is set) and the worker (when w is set) in parallel, so that the
// whole shutdown fits in grace rather than in the sum of both. Connections still open when grace ends are
// closed, and said so in the log.
func drain(ctx context.Context, srv *http.Server, w *queue.Worker, grace time.Duration, logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	var wg sync.WaitGroup
	var httpErr error
	if srv != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := srv.Shutdown(ctx)
			switch {
			case errors.Is(err, context.DeadlineExceeded):
				logger.Warn("shutdown grace period over: closing the HTTP connections still open", "grace", grace.String())
				_ = srv.Close()
			case err != nil && !errors.Is(err, http.ErrServerClosed):
				httpErr = err
				_ = srv.Close()
			}
		}()
	}
	if w != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.Shutdown()
		}()
	}
	wg.Wait()
	return httpErr
}
