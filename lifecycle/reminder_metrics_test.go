package lifecycle_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
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
	reg := prometheus.NewRegistry()
	h := p.reminders(scheduled, now, reg)
	p.remind(t, h, first)
	p.remind(t, h, first) // a reminder of an older schedule sends nothing
	if got := remindersSent(t, reg); got != 1 {
		t.Fatalf("reminders counted %v, want 1", got)
	}
	p.gh.Merge(p.gh.PullRequests()[0].Number)
	p.remind(t, h, scheduled.at[0])
	if got := remindersSent(t, reg); got != 1 {
		t.Errorf("reminders counted %v after the merge, want still 1", got)
	}
}

// remindersSent is hindsight_postmortem_reminders_total in reg.
func remindersSent(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "hindsight_postmortem_reminders_total" {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatal("hindsight_postmortem_reminders_total is not registered")
	return 0
}
