package queue_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/internal/syncbuf"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// A task GitHub refused as invalid is archived after its first attempt, with the reason in the log and
// the metric, instead of being retried 12 times.
func TestRejectedTaskIsArchivedAtOnce(t *testing.T) {
	r := queuetest.StartRedis(t)
	rdb, err := redisstore.OpenRedis(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	var attempts atomic.Int32
	reason := "title is too long (maximum is 256 characters)"
	handler := asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
		attempts.Add(1)
		return fmt.Errorf("create pull request: %w (%s): POST …: 422 Validation Failed", postmortem.ErrRejected, reason)
	})
	reg := prometheus.NewRegistry()
	logs := &syncbuf.Buffer{}
	w := queue.NewWorker(rdb, queue.WorkerConfig{Concurrency: 1, ShutdownTimeout: time.Second, Registerer: reg},
		map[string]asynq.Handler{queue.TypePostmortem: handler}, slog.New(slog.NewJSONHandler(io.MultiWriter(logs), nil)))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Shutdown)
	client := asynq.NewClientFromRedisClient(rdb)
	info, err := client.Enqueue(asynq.NewTask(queue.TypePostmortem, []byte(`{"incident_id":"P1"}`)), asynq.MaxRetry(12))
	if err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	deadline := time.Now().Add(10 * time.Second)
	for {
		ti, err := insp.GetTaskInfo(info.Queue, info.ID)
		if err == nil && ti.State == asynq.TaskStateArchived {
			if ti.Retried != 0 || !strings.Contains(ti.LastErr, reason) {
				t.Errorf("archived after %d retries with %q", ti.Retried, ti.LastErr)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task not archived: %+v %v", ti, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := attempts.Load(); n != 1 {
		t.Errorf("attempts: %d, want 1", n)
	}
	if !strings.Contains(logs.String(), reason) {
		t.Errorf("log lacks the reason: %s", logs.String())
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counted := 0.0
	for _, f := range families {
		if f.GetName() == "hindsight_tasks_rejected_total" {
			for _, m := range f.GetMetric() {
				if m.GetLabel()[0].GetValue() == queue.TypePostmortem {
					counted = m.GetCounter().GetValue()
				}
			}
		}
	}
	if counted != 1 {
		t.Errorf("hindsight_tasks_rejected_total{type=%q} = %v, want 1", queue.TypePostmortem, counted)
	}
}
