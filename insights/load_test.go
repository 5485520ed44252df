package insights_test

import (
	"context"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/insights"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// TestLoad reads what the pipeline and the GitHub jobs store, from a real Redis.
func TestLoad(t *testing.T) {
	r := queuetest.StartRedis(t)
	rdb, err := redisstore.OpenRedis(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	store := redisstore.NewStore(rdb, time.Hour)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	day := 24 * time.Hour
	for _, rec := range []redisstore.Record{
		{IncidentID: "POLD", Service: "payments", PullURL: "https://github.example/a/b/pull/1", PullNumber: 1,
			ResolvedAt: now.Add(-30 * day).Unix(), Due: now.Add(-28 * day).Unix(), Reviewers: "ana, ben,"},
		{IncidentID: "PNEW", Service: "search", PullURL: "https://github.example/a/b/pull/2", PullNumber: 2,
			TriggeredAt: now.Add(-2*day - time.Hour).Unix(), AcknowledgedAt: now.Add(-2*day - 50*time.Minute).Unix(),
			ResolvedAt: now.Add(-2 * day).Unix(), Due: now.Add(day).Unix()},
	} {
		if err := store.SaveRecord(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []redisstore.ActionItemRecord{
		// POLD's item, opened long ago, closed yesterday: it counts since a week, for payments.
		{Repo: "a/b", Number: 10, IncidentID: "POLD", Opened: now.Add(-29 * day), Closed: now.Add(-day)},
		// POLD's item opened and closed long ago: outside the week.
		{Repo: "a/b", Number: 11, IncidentID: "POLD", Opened: now.Add(-29 * day), Closed: now.Add(-20 * day)},
		{Repo: "a/b", Number: 20, IncidentID: "PNEW", Open: true, Opened: now.Add(-day)},
	} {
		if err := store.SaveActionItem(ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	all, err := insights.Load(ctx, store, time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Postmortems) != 2 || all.Postmortems[0].IncidentID != "PNEW" {
		t.Fatalf("postmortems %+v", all.Postmortems)
	}
	old := all.Postmortems[1]
	if old.State != insights.Overdue || old.ActionItems.Closed != 2 || len(old.Reviewers) != 2 || old.Reviewers[1] != "ben" {
		t.Errorf("POLD %+v", old)
	}
	if p := all.Postmortems[0]; p.AcknowledgedAt.Sub(p.TriggeredAt) != 10*time.Minute {
		t.Errorf("PNEW triggered %s, acknowledged %s", p.TriggeredAt, p.AcknowledgedAt)
	}

	week, err := insights.Load(ctx, store, now.Add(-7*day), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(week.Postmortems) != 1 || week.Postmortems[0].IncidentID != "PNEW" {
		t.Fatalf("since a week: %+v", week.Postmortems)
	}
	services := map[string]insights.Group{}
	for _, g := range week.Services {
		services[g.Key] = g
	}
	if g := services["payments"]; g.ActionItemsClosed != 1 || g.ActionItemsOpened != 0 || g.Postmortems != 0 {
		t.Errorf("payments since a week: %+v (want its old postmortem's item closed yesterday)", g)
	}
	if g := services["search"]; g.ActionItemsOpened != 1 || g.Postmortems != 1 {
		t.Errorf("search since a week: %+v", g)
	}
	if _, ok := services[insights.UnknownService]; ok {
		t.Errorf("an item fell under %s: %+v", insights.UnknownService, week.Services)
	}
}
