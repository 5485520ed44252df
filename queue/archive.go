package queue

import (
	"fmt"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// archivePage is how many archived tasks one Redis call lists; asynq keeps at most 10,000 per queue.
const archivePage = 500

// ArchivedTasks counts the archived tasks (those that failed every retry, or failed for good) of every
// queue by task type.
func ArchivedTasks(rdb redis.UniversalClient) (map[string]int, error) {
	in := asynq.NewInspectorFromRedisClient(rdb)
	queues, err := in.Queues()
	if err != nil {
		return nil, fmt.Errorf("list queues: %w", err)
	}
	counts := map[string]int{}
	for _, q := range queues {
		for page := 1; ; page++ {
			tasks, err := in.ListArchivedTasks(q, asynq.PageSize(archivePage), asynq.Page(page))
			if err != nil {
				return nil, fmt.Errorf("list archived tasks of queue %s: %w", q, err)
			}
			for _, t := range tasks {
				counts[t.Type]++
			}
			if len(tasks) < archivePage {
				break
			}
		}
	}
	return counts, nil
}

// RunArchived moves every archived task of every queue back to pending, where a worker runs it again; it
// returns how many it moved. Every task is idempotent, so a task that had partly succeeded finishes.
func RunArchived(rdb redis.UniversalClient) (int, error) {
	in := asynq.NewInspectorFromRedisClient(rdb)
	queues, err := in.Queues()
	if err != nil {
		return 0, fmt.Errorf("list queues: %w", err)
	}
	total := 0
	for _, q := range queues {
		n, err := in.RunAllArchivedTasks(q)
		total += n
		if err != nil {
			return total, fmt.Errorf("run archived tasks of queue %s: %w", q, err)
		}
	}
	return total, nil
}

// archiveCollector reports hindsight_archived_tasks{type}, read from Redis at each scrape.
type archiveCollector struct {
	rdb   redis.UniversalClient
	count *prometheus.Desc
}

// NewArchiveCollector returns the collector of hindsight_archived_tasks: the tasks that will not run again
// unless someone replays them (`hindsight replay --archived`), by task type.
func NewArchiveCollector(rdb redis.UniversalClient) prometheus.Collector {
	return &archiveCollector{rdb: rdb, count: prometheus.NewDesc("hindsight_archived_tasks",
		"Archived tasks (failed for good or after every retry) by task type; `hindsight replay --archived` runs them again.",
		[]string{"type"}, nil)}
}

func (c *archiveCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.count }

func (c *archiveCollector) Collect(ch chan<- prometheus.Metric) {
	counts, err := ArchivedTasks(c.rdb)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.count, err)
		return
	}
	// Every type Hindsight runs is reported, at 0 when none is archived, so that alerts see the series.
	for _, typ := range []string{TypePostmortem, TypeReminder, TypePullRequest, TypeActionItem, TypeCommand, TypeMail} {
		if _, ok := counts[typ]; !ok {
			counts[typ] = 0
		}
	}
	for typ, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.count, prometheus.GaugeValue, float64(n), typ)
	}
}
