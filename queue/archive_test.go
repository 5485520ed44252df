package queue_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/hindsight-dev/hindsight/internal/promtest"
	"github.com/hindsight-dev/hindsight/lifecycle"
	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// TestArchivedTasksAreCountedAndRunAgain: tasks of every kind that failed for good are counted by type,
// and RunArchived gives each one more run.
func TestArchivedTasksAreCountedAndRunAgain(t *testing.T) {
	r := queuetest.StartRedis(t)
	rdb, err := redisstore.OpenRedis(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	q := queue.New(rdb, redisstore.NewStore(rdb, time.Hour), 0)
	defer q.Close()
	ctx := context.Background()
	if _, err := q.AcceptPagerDuty(ctx, queue.PagerDutyDelivery{WebhookID: "W1", EventID: "E1", EventType: "incident.resolved", IncidentID: "PARCH1", Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []lifecycle.GitHubEvent{
		lifecycle.PullRequestEvent{DeliveryID: "G1", Action: "closed", Repo: "acme/pm", Number: 1},
		lifecycle.IssueEvent{DeliveryID: "G2", Action: "closed", Repo: "acme/pm", Number: 2},
	} {
		if _, err := q.AcceptGitHub(ctx, d); err != nil {
			t.Fatal(err)
		}
	}

	var healthy atomic.Bool
	var runs atomic.Int32
	h := asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
		runs.Add(1)
		if healthy.Load() {
			return nil
		}
		return errors.New("PagerDuty answered 500")
	})
	w := queue.NewWorker(rdb, queue.WorkerConfig{Concurrency: 2, ShutdownTimeout: time.Second},
		map[string]asynq.Handler{queue.TypePostmortem: h, queue.TypePullRequest: h, queue.TypeActionItem: h}, slog.New(slog.DiscardHandler))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()

	waitFor(t, "three archived tasks", func() bool {
		c, err := queue.ArchivedTasks(rdb)
		return err == nil && c[queue.TypePostmortem] == 1 && c[queue.TypePullRequest] == 1 && c[queue.TypeActionItem] == 1
	})
	coll := queue.NewArchiveCollector(rdb)
	for typ, want := range map[string]float64{queue.TypePostmortem: 1, queue.TypePullRequest: 1, queue.TypeActionItem: 1, queue.TypeReminder: 0, queue.TypeCommand: 0} {
		if got := promtest.Gauge(t, coll, "type", typ); got != want {
			t.Errorf("hindsight_archived_tasks{type=%q} = %v, want %v", typ, got, want)
		}
	}

	healthy.Store(true)
	before := runs.Load()
	n, err := queue.RunArchived(rdb)
	if err != nil || n != 3 {
		t.Fatalf("RunArchived = %d, %v; want 3", n, err)
	}
	waitFor(t, "the three tasks to run again", func() bool { return runs.Load() == before+3 })
	waitFor(t, "no archived task", func() bool {
		c, err := queue.ArchivedTasks(rdb)
		return err == nil && len(c) == 0
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
