package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// TestReplaySinceQueuesWhatNeedsAPostmortem replays a range of PagerDuty's history twice: the first run
// queues the incidents the policy requires and that have no postmortem, the second queues nothing more.
func TestReplaySinceQueuesWhatNeedsAPostmortem(t *testing.T) {
	redis := queuetest.StartRedis(t)
	pd := pagerdutytest.NewServer(t, pdToken)
	day := func(d int) time.Time { return time.Date(2026, 1, d, 9, 0, 0, 0, time.UTC) }
	pd.AddIncident(pagerdutytest.ResolvedIncident("PNEED01", 1, day(2), "P1", "high", "PSVCA01"))
	pd.AddIncident(pagerdutytest.ResolvedIncident("PNEED02", 2, day(3), "", "high", "PSVCB02")) // no priority, high urgency
	pd.AddIncident(pagerdutytest.ResolvedIncident("PSKIP01", 3, day(4), "P4", "low", "PSVCA01"))
	pd.AddIncident(pagerdutytest.ResolvedIncident("PDONE01", 4, day(5), "P2", "high", "PSVCA01"))
	pd.AddIncident(pagerdutytest.ResolvedIncident("PLATE01", 5, day(20), "P1", "high", "PSVCA01")) // after --until
	for i := range 150 {                                                                           // enough for two pages
		pd.AddIncident(pagerdutytest.ResolvedIncident(fmt.Sprintf("PLOW%04d", i), 100+i, day(6).Add(time.Duration(i)*time.Minute), "P5", "low", "PSVCB02"))
	}
	rdb := redis.Client(t)
	store := redisstore.NewStore(rdb, time.Hour)
	if err := store.SaveRecord(context.Background(), redisstore.Record{IncidentID: "PDONE01", PullURL: "https://github.com/acme/postmortems/pull/7", PullNumber: 7}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"HINDSIGHT_REDIS_URL":         redis.URL,
		"HINDSIGHT_PAGERDUTY_TOKEN":   pdToken,
		"HINDSIGHT_PAGERDUTY_API_URL": pd.URL(),
	}
	out, _, err := runArgs(t, env, "replay", "--since", "2026-01-01", "--until", "2026-01-15")
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if summary := lines[len(lines)-1]; !strings.Contains(summary, "154 resolved incidents") ||
		!strings.Contains(summary, ": 2 queued, 151 skipped by policy, 1 already published") {
		t.Errorf("summary %q", summary)
	}
	for _, want := range []string{
		"PNEED01 #1 Checkout latency above SLO: queued",
		"PNEED02 #2 Checkout latency above SLO: queued",
		"PSKIP01 #3 Checkout latency above SLO: skipped by policy",
		"PDONE01 #4 Checkout latency above SLO: already published: https://github.com/acme/postmortems/pull/7",
	} {
		if !strings.Contains(out, want+"") {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "PLATE01") || strings.Contains(out, "\r") {
		t.Errorf("an incident after --until, or a progress bar without a terminal:\n%s", out)
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	pending := func() []string {
		tasks, err := insp.ListPendingTasks("default")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, task := range tasks {
			ids = append(ids, task.ID)
		}
		return ids
	}
	if ids := pending(); len(ids) != 2 {
		t.Fatalf("pending tasks %v, want the two incidents", ids)
	}

	// Again: nothing new is queued.
	out, _, err = runArgs(t, env, "replay", "--since", "2026-01-01", "--until", "2026-01-15")
	if err != nil || !strings.Contains(out, ": 0 queued, 151 skipped by policy, 1 already published, 2 already queued") {
		t.Errorf("second replay: %v\n%s", err, out)
	}
	if ids := pending(); len(ids) != 2 {
		t.Errorf("pending tasks after the second replay %v, want still two", ids)
	}

	// By service.
	out, _, err = runArgs(t, env, "replay", "--since", "2026-01-01", "--until", "2026-01-15", "--service", "PSVCA01")
	if err != nil || !strings.Contains(out, "3 resolved incidents") || strings.Contains(out, "PNEED02") {
		t.Errorf("by service: %v\n%s", err, out)
	}
	if q := pd.Requests()[len(pd.Requests())-1].Query; q.Get("service_ids[]") != "PSVCA01" {
		t.Errorf("the service filter went to PagerDuty as %v", q)
	}
}

func TestReplayErrors(t *testing.T) {
	pdEnv := map[string]string{"HINDSIGHT_PAGERDUTY_TOKEN": "t"}
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		usage bool
		want  string
	}{
		{"neither", nil, nil, true, "--incident ID, --since DATE or --archived"},
		{"both", nil, []string{"--incident", "PABC", "--since", "2026-01-01"}, true, "exactly one"},
		{"archived with another", nil, []string{"--archived", "--since", "2026-01-01"}, true, "--archived goes alone"},
		{"until without since", nil, []string{"--incident", "PABC", "--until", "2026-01-01"}, true, "--until"},
		{"bad date", pdEnv, []string{"--since", "January"}, true, "--since \"January\""},
		{"until before since", pdEnv, []string{"--since", "2026-02-01", "--until", "2026-01-01"}, true, "not after"},
		{"bad service", pdEnv, []string{"--since", "2026-01-01", "--service", "../x"}, true, "--service"},
		{"no token", nil, []string{"--since", "2026-01-01"}, false, "HINDSIGHT_PAGERDUTY_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runArgs(t, tt.env, append([]string{"replay"}, tt.args...)...)
			var ue usageError
			switch {
			case err == nil:
				t.Fatal("no error")
			case errors.As(err, &ue) != tt.usage:
				t.Errorf("error %v: usage %v, want %v", err, !tt.usage, tt.usage)
			case !strings.Contains(err.Error(), tt.want):
				t.Errorf("error %q, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestProgressBar(t *testing.T) {
	var b strings.Builder
	p := &progress{w: &b, terminal: true}
	p.update("listing", 50, 200)
	p.line("not shown on a terminal")
	p.update("listing", 200, 200)
	p.done()
	want := "\rlisting   [#######.......................] 50/200\rlisting   [##############################] 200/200\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
