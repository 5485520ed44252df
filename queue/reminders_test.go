package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

func TestScheduleReminderOnce(t *testing.T) {
	r := queuetest.StartRedis(t)
	rdb := r.Client(t)
	q := queue.New(rdb, redisstore.NewStore(rdb, time.Hour), 3)
	t.Cleanup(func() { _ = q.Close() })
	at := time.Now().Add(time.Hour)
	for i := 0; i < 2; i++ {
		if err := q.ScheduleReminder(context.Background(), "PRETRY1", at); err != nil {
			t.Fatal(err)
		}
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	info, err := insp.GetQueueInfo("default")
	if err != nil || info.Scheduled != 1 {
		t.Errorf("scheduled tasks: %+v %v, want 1", info, err)
	}
}
