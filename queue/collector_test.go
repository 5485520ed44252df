package queue_test

import (
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

func TestQueueCollectorCountsTasksByStateAndRedisUp(t *testing.T) {
	r := queuetest.StartRedis(t)
	rdb, err := redisstore.OpenRedis(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	c := asynq.NewClientFromRedisClient(rdb)
	inspector := asynq.NewInspectorFromRedisClient(rdb)
	var ids []string
	for range 3 {
		info, err := c.Enqueue(asynq.NewTask(queue.TypePostmortem, []byte(`{}`)), asynq.Queue("default"))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, info.ID)
	}
	if err := inspector.ArchiveTask("default", ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Enqueue(asynq.NewTask(queue.TypeReminder, []byte(`{}`)), asynq.Queue("default"), asynq.ProcessIn(3600e9)); err != nil {
		t.Fatal(err)
	}

	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(queue.NewQueueCollector(rdb))
	want := `
# HELP hindsight_queue_tasks Tasks in the queue by queue and state (pending, active, scheduled, retry, archived).
# TYPE hindsight_queue_tasks gauge
hindsight_queue_tasks{queue="default",state="active"} 0
hindsight_queue_tasks{queue="default",state="archived"} 1
hindsight_queue_tasks{queue="default",state="pending"} 2
hindsight_queue_tasks{queue="default",state="retry"} 0
hindsight_queue_tasks{queue="default",state="scheduled"} 1
# HELP hindsight_redis_up 1 when Redis answered a PING at this scrape, else 0.
# TYPE hindsight_redis_up gauge
hindsight_redis_up 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}

	r.StopForTest(t)
	down := `
# HELP hindsight_redis_up 1 when Redis answered a PING at this scrape, else 0.
# TYPE hindsight_redis_up gauge
hindsight_redis_up 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(down), "hindsight_redis_up", "hindsight_queue_tasks"); err != nil {
		t.Fatal(err)
	}
}
