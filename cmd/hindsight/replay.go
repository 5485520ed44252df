package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// runReplay enqueues the postmortem pipeline for past incidents: one (--incident), e.g. one whose task
// was archived after its retries, or every resolved incident created in a range (--since) that the policy
// requires a postmortem for and that has none yet. A running worker picks them up; like every run it is
// idempotent.
func runReplay(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fl := newFlags("replay")
	incidentID := fl.String("incident", "", "PagerDuty incident ID")
	since := fl.String("since", "", "replay the resolved incidents created since this date (2026-01-01 or RFC 3339)")
	until := fl.String("until", "", "with --since: created before this date (default: now)")
	var services stringList
	fl.Var(&services, "service", "with --since: only this PagerDuty service ID (repeat or comma-separate for several) (default: every service)")
	archived := fl.Bool("archived", false, "run every archived task again, of every kind")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if *archived {
		if *incidentID != "" || *since != "" || *until != "" || len(services) > 0 {
			return usageError{"replay: --archived goes alone"}
		}
		return replayArchived(getenv, stdout)
	}
	if (*incidentID == "") == (*since == "") {
		return usageError{"replay: give exactly one of --incident ID, --since DATE or --archived"}
	}
	if *incidentID == "" {
		return replayRange(ctx, *since, *until, services, getenv, stdout)
	}
	if *until != "" || len(services) > 0 {
		return usageError{"replay: --until and --service go with --since"}
	}
	if !postmortem.ValidIncidentID(*incidentID) {
		return usageError{fmt.Sprintf("replay: --incident %q is not a PagerDuty incident ID", *incidentID)}
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	rdb, err := cfg.openRedis()
	if err != nil {
		return err
	}
	defer rdb.Close()
	q := queue.New(rdb, redisstore.NewStore(rdb, time.Duration(cfg.Events.Retention)), cfg.Worker.MaxRetry)
	defer q.Close()
	if err := q.Replay(ctx, *incidentID); err != nil {
		return fmt.Errorf("replay %s: %w", *incidentID, err)
	}
	_, err = fmt.Fprintf(stdout, "enqueued the postmortem of %s\n", *incidentID)
	return err
}
