package queue_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/lifecycle"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// dryRunHandlers are the task handlers of a dry run without a PagerDuty token.
func dryRunHandlers(t *testing.T) (map[string]asynq.Handler, *redisstore.Locker) {
	t.Helper()
	rdb := queuetest.StartRedis(t).Client(t)
	locker := redisstore.NewLocker(rdb, time.Minute)
	l := lifecycle.New(lifecycle.Deps{
		Store: redisstore.NewStore(rdb, time.Hour), Locker: locker,
		Source: pagerduty.EventsOnly{}, Notes: pagerduty.EventsOnly{}, Policy: postmortem.DefaultPolicy(),
		Publisher: github.DryRun{Dir: t.TempDir()}, Logger: slog.New(slog.DiscardHandler),
	})
	return queue.NewHandlers(l, slog.New(slog.DiscardHandler)), locker
}

func postmortemTask(id string) *asynq.Task {
	payload, _ := json.Marshal(queue.PostmortemPayload{IncidentID: id, EventID: "E1"})
	return asynq.NewTask(queue.TypePostmortem, payload)
}

// A permanent failure (here: an incident no stored event describes, without a PagerDuty token) archives
// its task at once; a transient one (the incident locked by another worker) is retried.
func TestErrorKindDecidesRetryOrArchive(t *testing.T) {
	handlers, locker := dryRunHandlers(t)
	err := handlers[queue.TypePostmortem].ProcessTask(t.Context(), postmortemTask("PUNKNOWN"))
	if !errors.Is(err, postmortem.ErrPermanent) || !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("unknown incident: %v, want a permanent failure that skips retries", err)
	}
	lease, err := locker.Lock(context.Background(), "postmortem:PLOCKED")
	if err != nil {
		t.Fatal(err)
	}
	defer lease.Release()
	err = handlers[queue.TypePostmortem].ProcessTask(t.Context(), postmortemTask("PLOCKED"))
	if !errors.Is(err, redisstore.ErrLocked) || errors.Is(err, asynq.SkipRetry) {
		t.Errorf("locked incident: %v, want ErrLocked, retried", err)
	}
	err = handlers[queue.TypePostmortem].ProcessTask(t.Context(), asynq.NewTask(queue.TypePostmortem, []byte(`{"incident_id":""}`)))
	if !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("bad payload: %v, want it archived", err)
	}
}

// In a dry run GitHub's tasks are dropped without an error, and no reminder runs.
func TestDryRunDropsGitHubTasks(t *testing.T) {
	handlers, _ := dryRunHandlers(t)
	for _, typ := range []string{queue.TypePullRequest, queue.TypeActionItem, queue.TypeCommand} {
		if err := handlers[typ].ProcessTask(t.Context(), asynq.NewTask(typ, []byte(`not even json`))); err != nil {
			t.Errorf("%s: %v, want it dropped", typ, err)
		}
	}
	if _, ok := handlers[queue.TypeReminder]; ok {
		t.Error("a dry run has a reminder handler")
	}
}
