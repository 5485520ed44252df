package queue_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hindsight-dev/hindsight/queue"
)

func TestRemindersAreCounted(t *testing.T) {
	p := newPipeline(t)
	scheduled := &recordingScheduler{}
	p.h.Reminders = scheduled
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	if len(scheduled.at) != 1 {
		t.Fatalf("%d reminder schedules, want 1", len(scheduled.at))
	}
	first := scheduled.at[0]
	scheduled.at = nil
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	reminded := queue.NewReminderCounter(prometheus.NewRegistry())
	h := &queue.ReminderHandler{Store: p.store, Scheduler: scheduled, GitHub: p.router, Every: 24 * time.Hour,
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }, Reminded: reminded}
	remind := map[string]any{"incident_id": incidentID, "at": first.Unix()}
	p.run(t, h, queue.TypeReminder, remind)
	p.run(t, h, queue.TypeReminder, remind) // a reminder of an older schedule sends nothing
	if got := testutil.ToFloat64(reminded); got != 1 {
		t.Fatalf("reminders counted %v, want 1", got)
	}
	p.gh.Merge(p.gh.PullRequests()[0].Number)
	p.run(t, h, queue.TypeReminder, map[string]any{"incident_id": incidentID, "at": scheduled.at[0].Unix()})
	if got := testutil.ToFloat64(reminded); got != 1 {
		t.Errorf("reminders counted %v after the merge, want still 1", got)
	}
}
