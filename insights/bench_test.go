package insights_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/insights"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// fullList is a year of postmortems at the list's bound, five action items each, on twenty services.
func fullList(now time.Time) ([]redisstore.Record, []redisstore.ActionItemRecord) {
	n := redisstore.MaxListedRecords
	recs := make([]redisstore.Record, n)
	var items []redisstore.ActionItemRecord
	for i := range recs {
		resolved := now.Add(-time.Duration(i) * 365 * 24 * time.Hour / time.Duration(n))
		id := fmt.Sprintf("PB%06d", i)
		recs[i] = redisstore.Record{IncidentID: id, IncidentTitle: "Incident " + id, Service: fmt.Sprintf("service-%02d", i%20),
			Priority: "P2", Owner: "owner", Reviewers: "a,b", PullURL: "https://github.example/a/b/pull/" + id, PullNumber: i + 1,
			TriggeredAt: resolved.Add(-time.Hour).Unix(), AcknowledgedAt: resolved.Add(-50 * time.Minute).Unix(), ResolvedAt: resolved.Unix(),
			Due: resolved.Add(48 * time.Hour).Unix(), OpenedAt: resolved.Unix()}
		if i%3 == 0 {
			recs[i].MergedAt = resolved.Add(30 * time.Hour).Unix()
		}
		for j := range 5 {
			items = append(items, redisstore.ActionItemRecord{Repo: "a/b", Number: 10*i + j, IncidentID: id, Open: j%2 == 0,
				Opened: resolved.Add(time.Hour), Closed: resolved.Add(time.Duration(j+1) * 24 * time.Hour)})
		}
	}
	return recs, items
}

// BenchmarkBuild measures the figures of a full list: 5,000 postmortems and 25,000 action items.
func BenchmarkBuild(b *testing.B) {
	now := time.Now()
	recs, recItems := fullList(now)
	pms := make([]insights.Postmortem, len(recs))
	for i, r := range recs {
		pms[i] = insights.FromRecord(r)
	}
	items := make([]insights.ActionItem, len(recItems))
	for i, a := range recItems {
		items[i] = insights.ActionItem{IncidentID: a.IncidentID, Open: a.Open, Opened: a.Opened, Closed: a.Closed}
	}
	b.ResetTimer()
	for b.Loop() {
		insights.Build(pms, items, time.Time{}, now)
	}
}

// BenchmarkPage measures what one request of the page costs at the list's bound, from a real Redis: read
// the records and action items, build the report, write the HTML.
func BenchmarkPage(b *testing.B) {
	r := queuetest.StartRedis(b)
	rdb, err := redisstore.OpenRedis(r.URL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = rdb.Close() })
	store := redisstore.NewStore(rdb, time.Hour)
	ctx := context.Background()
	now := time.Now()
	recs, items := fullList(now)
	for _, rec := range recs {
		if err := store.SaveRecord(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
	for _, a := range items {
		if err := store.SaveActionItem(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		rep, err := insights.Load(ctx, store, time.Time{}, now)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Postmortems) != len(recs) {
			b.Fatalf("%d postmortems", len(rep.Postmortems))
		}
		if err := insights.WriteHTML(io.Discard, rep, "/postmortems.json"); err != nil {
			b.Fatal(err)
		}
	}
}
