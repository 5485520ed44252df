package queue

import (
	"context"

	"github.com/hibiken/asynq"
	"github.com/hindsight-dev/hindsight/redisstore"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// taskStates are the task states counted by hindsight_queue_tasks, as asynq names them.
var taskStates = []string{"pending", "active", "scheduled", "retry", "archived"}

// queueCollector reports, at each scrape, whether Redis answers and how many tasks each queue holds.
type queueCollector struct {
	rdb       redis.UniversalClient
	inspector *asynq.Inspector
	up, tasks *prometheus.Desc
}

// NewQueueCollector returns the collector of hindsight_redis_up (1 when Redis answered the scrape's PING,
// else 0) and hindsight_queue_tasks{queue,state}, the tasks by queue and state; state "archived" counts the
// tasks that failed for good and wait for someone to run them again. It shares rdb and never closes it.
func NewQueueCollector(rdb redis.UniversalClient) prometheus.Collector {
	return &queueCollector{
		rdb:       rdb,
		inspector: asynq.NewInspectorFromRedisClient(rdb),
		up:        prometheus.NewDesc("hindsight_redis_up", "1 when Redis answered a PING at this scrape, else 0.", nil, nil),
		tasks: prometheus.NewDesc("hindsight_queue_tasks",
			"Tasks in the queue by queue and state (pending, active, scheduled, retry, archived).", []string{"queue", "state"}, nil),
	}
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.up; ch <- c.tasks }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), redisstore.IOTimeout)
	defer cancel()
	if err := c.rdb.Ping(ctx).Err(); err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	queues, err := c.inspector.Queues()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.tasks, err)
		return
	}
	for _, q := range queues {
		info, err := c.inspector.GetQueueInfo(q)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(c.tasks, err)
			return
		}
		for i, n := range []int{info.Pending, info.Active, info.Scheduled, info.Retry, info.Archived} {
			ch <- prometheus.MustNewConstMetric(c.tasks, prometheus.GaugeValue, float64(n), q, taskStates[i])
		}
	}
}
