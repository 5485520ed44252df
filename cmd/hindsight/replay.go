package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/queue"
)

// runReplay enqueues the postmortem pipeline for an incident, e.g. one resolved before Hindsight ran or
// one whose task was archived after its retries. A running worker picks it up; like every run it is
// idempotent.
func runReplay(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fl := newFlags("replay")
	incidentID := fl.String("incident", "", "PagerDuty incident ID")
	archived := fl.Bool("archived", false, "run every archived task again")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if *archived {
		if *incidentID != "" {
			return usageError{"replay: --archived and --incident do not go together"}
		}
		return replayArchived(getenv, stdout)
	}
	if !pagerduty.ValidIncidentID(*incidentID) {
		return usageError{fmt.Sprintf("replay: --incident %q is not a PagerDuty incident ID", *incidentID)}
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	rdb, err := queue.OpenRedis(cfg.RedisURL)
	if err != nil {
		return bad("HINDSIGHT_REDIS_URL", "%v", err)
	}
	defer rdb.Close()
	q := queue.New(rdb, queue.NewStore(rdb, time.Duration(cfg.Events.Retention)), cfg.Worker.MaxRetry)
	defer q.Close()
	if err := q.Replay(ctx, *incidentID); err != nil {
		return fmt.Errorf("replay %s: %w", *incidentID, err)
	}
	_, err = fmt.Fprintf(stdout, "enqueued the postmortem of %s\n", *incidentID)
	return err
}
