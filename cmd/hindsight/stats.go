package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/hindsight-dev/hindsight/insights"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// runStats prints what the postmortems page shows, read from the same Redis: the postmortems, and the
// figures by week and by service, as a table or as CSV.
func runStats(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fl := newFlags("stats")
	sinceFlag := fl.String("since", "", "only the incidents resolved since this date (2026-10-01 or RFC 3339) (default: every listed one)")
	format := fl.String("format", "table", "table or csv (csv: the figures by week and by service, durations in seconds)")
	list := fl.Bool("postmortems", false, "print the postmortems, one a row, instead of everything (table) or the figures (csv)")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	since, err := insights.ParseSince(*sinceFlag)
	if err != nil {
		return usageError{"stats: --" + err.Error()}
	}
	var write func(io.Writer, insights.Report) error
	switch {
	case *format == "table" && *list:
		write = insights.WritePostmortemsTable
	case *format == "table":
		write = insights.WriteTable
	case *format == "csv" && *list:
		write = insights.WritePostmortemsCSV
	case *format == "csv":
		write = insights.WriteCSV
	default:
		return usageError{fmt.Sprintf("stats: --format %q: want table or csv", *format)}
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
	r, err := insights.Load(ctx, redisstore.NewStore(rdb, time.Duration(cfg.Events.Retention)), since, time.Now())
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	return write(stdout, r)
}
