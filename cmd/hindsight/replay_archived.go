package main

import (
	"fmt"
	"io"

	"github.com/hindsight-dev/hindsight/queue"
)

// replayArchived moves every archived task, of every kind, back to the queue, where a running worker runs
// it again; every task is idempotent.
func replayArchived(getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	rdb, err := cfg.openRedis()
	if err != nil {
		return err
	}
	defer rdb.Close()
	n, err := queue.RunArchived(rdb)
	if err != nil {
		return fmt.Errorf("replay archived tasks (%d moved back before the error): %w", n, err)
	}
	_, err = fmt.Fprintf(stdout, "enqueued %d archived tasks again\n", n)
	return err
}
