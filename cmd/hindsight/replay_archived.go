package main

import (
	"fmt"
	"io"

	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// replayArchived moves every archived task, of every kind, back to the queue, where a running worker runs
// it again; every task is idempotent.
func replayArchived(getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	rdb, err := redisstore.OpenRedis(cfg.RedisURL)
	if err != nil {
		return bad("HINDSIGHT_REDIS_URL", "%v", err)
	}
	defer rdb.Close()
	n, err := queue.RunArchived(rdb)
	if err != nil {
		return fmt.Errorf("replay archived tasks (%d moved back before the error): %w", n, err)
	}
	_, err = fmt.Fprintf(stdout, "enqueued %d archived tasks again\n", n)
	return err
}
