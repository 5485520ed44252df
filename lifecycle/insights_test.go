package lifecycle_test

import (
	"context"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/lifecycle"
)

// TestRecordKeepsWhatTheFiguresNeed follows a postmortem from its pipeline to its merge: the record holds
// the incident's service, owner and times, when the pull request opened, and when it merged.
func TestRecordKeepsWhatTheFiguresNeed(t *testing.T) {
	p := newPipeline(t)
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rec, ok, err := p.store.LoadRecord(ctx, incidentID)
	if err != nil || !ok {
		t.Fatalf("record: %v %v", ok, err)
	}
	if rec.Service != "Checkout API" {
		t.Errorf("service %q", rec.Service)
	}
	if rec.Owner == "" || (rec.Owner != "ana" && rec.Owner != "ben") {
		t.Errorf("owner %q, want a mapped responder", rec.Owner)
	}
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC).Unix()
	if rec.TriggeredAt < start || rec.AcknowledgedAt <= rec.TriggeredAt || rec.ResolvedAt <= rec.AcknowledgedAt {
		t.Errorf("incident times triggered %d, acknowledged %d, resolved %d: want them in that order from %d",
			rec.TriggeredAt, rec.AcknowledgedAt, rec.ResolvedAt, start)
	}
	if rec.OpenedAt == 0 || rec.MergedAt != 0 || rec.ClosedAt != 0 {
		t.Errorf("pull request times opened %d, merged %d, closed %d", rec.OpenedAt, rec.MergedAt, rec.ClosedAt)
	}
	// The synthetic incident resolved in January 2025, longer ago than the list keeps postmortems.
	if listed, err := p.store.Records(ctx, time.Time{}); err != nil || len(listed) != 0 {
		t.Errorf("listed %+v %v; want none past redisstore.RecordsRetention", listed, err)
	}

	pr := p.gh.PullRequests()[0]
	head := p.gh.Branches()[pr.Head]
	mergedAt := time.Date(2025, 1, 3, 9, 0, 0, 0, time.UTC)
	p.gh.Merge(pr.Number)
	p.handle(t, p.jobs(), lifecycle.PullRequestEvent{DeliveryID: "m1", Action: "closed", Repo: "acme/pm",
		Number: pr.Number, HeadRef: pr.Head, HeadSHA: head, Merged: true, ClosedAt: mergedAt})
	rec, _, _ = p.store.LoadRecord(ctx, incidentID)
	if rec.MergedAt != mergedAt.Unix() || rec.ClosedAt != 0 {
		t.Errorf("after the merge: merged %d, closed %d; want merged %d", rec.MergedAt, rec.ClosedAt, mergedAt.Unix())
	}
	opened := rec.OpenedAt

	// The incident resolved again after the merge: the pipeline saves the record again and forgets nothing.
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	rec, _, _ = p.store.LoadRecord(ctx, incidentID)
	if rec.MergedAt != mergedAt.Unix() || rec.OpenedAt != opened {
		t.Errorf("after another run: merged %d, opened %d; want %d, %d", rec.MergedAt, rec.OpenedAt, mergedAt.Unix(), opened)
	}
}

// TestClosedUnmergedAndReopened: a pull request closed without merging is dated closed (by the run when
// the event says no time), and open again once reopened.
func TestClosedUnmergedAndReopened(t *testing.T) {
	p := newPipeline(t)
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pr := p.gh.PullRequests()[0]
	before := time.Now().Unix()
	p.handle(t, p.jobs(), lifecycle.PullRequestEvent{DeliveryID: "c1", Action: "closed", Repo: "acme/pm",
		Number: pr.Number, HeadRef: pr.Head})
	rec, _, _ := p.store.LoadRecord(ctx, incidentID)
	if rec.ClosedAt < before || rec.MergedAt != 0 {
		t.Errorf("closed unmerged: closed %d (want ≥ %d), merged %d", rec.ClosedAt, before, rec.MergedAt)
	}
	p.handle(t, p.jobs(), lifecycle.PullRequestEvent{DeliveryID: "r1", Action: "reopened", Repo: "acme/pm",
		Number: pr.Number, HeadRef: pr.Head})
	rec, _, _ = p.store.LoadRecord(ctx, incidentID)
	if rec.ClosedAt != 0 || rec.MergedAt != 0 {
		t.Errorf("reopened: closed %d, merged %d", rec.ClosedAt, rec.MergedAt)
	}
}
