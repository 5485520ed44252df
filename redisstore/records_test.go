package redisstore_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hindsight-dev/hindsight/redisstore"
)

func openStore(t *testing.T) (*redisstore.Store, redis.UniversalClient) {
	t.Helper()
	rdb := openRedis(t)
	return redisstore.NewStore(rdb, time.Hour), rdb
}

func ids(recs []redisstore.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.IncidentID)
	}
	return out
}

func TestRecordsAreListedNewestFirstAndTrimmed(t *testing.T) {
	s, rdb := openStore(t)
	ctx := context.Background()
	now := time.Now()
	day := 24 * time.Hour
	for _, r := range []redisstore.Record{
		{IncidentID: "POLD", ResolvedAt: now.Add(-10 * day).Unix(), Service: "payments"},
		{IncidentID: "PNEW", ResolvedAt: now.Add(-1 * day).Unix()},
		{IncidentID: "PMID", ResolvedAt: now.Add(-5 * day).Unix()},
		{IncidentID: "PNOTIME"}, // dated by its first save: now
	} {
		if err := s.SaveRecord(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Records(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(all), []string{"PNOTIME", "PNEW", "PMID", "POLD"}; !slices.Equal(got, want) {
		t.Errorf("records %v, want %v", got, want)
	}
	if all[3].Service != "payments" {
		t.Errorf("record read back %+v", all[3])
	}
	recent, err := s.Records(ctx, now.Add(-6*day))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(recent), []string{"PNOTIME", "PNEW", "PMID"}; !slices.Equal(got, want) {
		t.Errorf("since 6 days: %v, want %v", got, want)
	}

	// Saving again with a resolution time moves an undated record to it.
	if err := s.SaveRecord(ctx, redisstore.Record{IncidentID: "PNOTIME", ResolvedAt: now.Add(-7 * day).Unix()}); err != nil {
		t.Fatal(err)
	}
	recent, _ = s.Records(ctx, now.Add(-6*day))
	if got, want := ids(recent), []string{"PNEW", "PMID"}; !slices.Equal(got, want) {
		t.Errorf("after dating PNOTIME: %v, want %v", got, want)
	}

	// A record resolved past the retention leaves the list at the next save; its record stays.
	ancient := redisstore.Record{IncidentID: "PANCIENT", ResolvedAt: now.Add(-redisstore.RecordsRetention - day).Unix()}
	if err := s.SaveRecord(ctx, ancient); err != nil {
		t.Fatal(err)
	}
	all, _ = s.Records(ctx, time.Time{})
	if slices.Contains(ids(all), "PANCIENT") || len(all) != 4 {
		t.Errorf("listed %v: the record past retention is still listed", ids(all))
	}
	if _, ok, err := s.LoadRecord(ctx, "PANCIENT"); !ok || err != nil {
		t.Errorf("the record itself: %v %v", ok, err)
	}

	// An index entry without its record (deleted by hand) is skipped.
	rdb.Del(ctx, "hindsight:incident:PMID:postmortem")
	all, err = s.Records(ctx, time.Time{})
	if err != nil || slices.Contains(ids(all), "PMID") {
		t.Errorf("deleted record listed: %v %v", ids(all), err)
	}
}

func TestRecordsAreBounded(t *testing.T) {
	s, rdb := openStore(t)
	ctx := context.Background()
	base := time.Now().Add(-time.Hour).Unix()
	// Fill the index directly past the bound; each member has a record.
	pipe := rdb.Pipeline()
	for i := range redisstore.MaxListedRecords + 10 {
		id := "P" + strconv.Itoa(i)
		pipe.ZAdd(ctx, "hindsight:postmortems", redis.Z{Score: float64(base + int64(i)), Member: id})
		pipe.HSet(ctx, "hindsight:incident:"+id+":postmortem", "incident_id", id)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	all, err := s.Records(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != redisstore.MaxListedRecords || all[0].IncidentID != "P"+strconv.Itoa(redisstore.MaxListedRecords+9) {
		t.Errorf("%d records, the first %s; want the newest %d", len(all), all[0].IncidentID, redisstore.MaxListedRecords)
	}
}

func TestPullStateSurvivesSaves(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	rec := redisstore.Record{IncidentID: "PINC", PullURL: "https://github.example/a/b/pull/1", PullNumber: 1, OpenedAt: 100}
	if err := s.SaveRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	merged := time.Unix(5000, 0)
	if err := s.SetPullState(ctx, "PINC", merged, time.Time{}); err != nil {
		t.Fatal(err)
	}
	// The pipeline saves the record again (the incident resolved again) without knowing of the merge.
	rec.OpenedAt = 0
	if err := s.SaveRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.LoadRecord(ctx, "PINC")
	if err != nil || got.MergedAt != 5000 || got.ClosedAt != 0 || got.OpenedAt != 100 {
		t.Fatalf("after a save: %+v %v; want merged at 5000, opened at 100", got, err)
	}
	// Reopened: open again.
	if err := s.SetPullState(ctx, "PINC", time.Time{}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	got, _, _ = s.LoadRecord(ctx, "PINC")
	if got.MergedAt != 0 || got.ClosedAt != 0 {
		t.Errorf("after reopening: %+v", got)
	}
}

func TestActionItemCloseTime(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	item := func() redisstore.ActionItemRecord {
		all, err := s.ActionItems(ctx)
		if err != nil || len(all) != 1 {
			t.Fatalf("action items %v %v", all, err)
		}
		return all[0]
	}
	save := func(open bool) {
		if err := s.SaveActionItem(ctx, redisstore.ActionItemRecord{Repo: "a/b", Number: 7, IncidentID: "PINC", Open: open}); err != nil {
			t.Fatal(err)
		}
	}
	save(true)
	opened := item().Opened
	if opened.IsZero() || !item().Closed.IsZero() {
		t.Fatalf("new item %+v", item())
	}
	save(false)
	closed := item().Closed
	if closed.IsZero() || !item().Opened.Equal(opened) {
		t.Fatalf("closed item %+v", item())
	}
	save(false) // a repeated event keeps the first close time
	if !item().Closed.Equal(closed) {
		t.Errorf("close time moved: %v, was %v", item().Closed, closed)
	}
	save(true)
	if !item().Closed.IsZero() || item().Open != true {
		t.Errorf("reopened item %+v", item())
	}
	// An item first seen closed (the issue was closed before Hindsight recorded it) is dated then.
	if err := s.SaveActionItem(ctx, redisstore.ActionItemRecord{Repo: "a/b", Number: 8, IncidentID: "PINC"}); err != nil {
		t.Fatal(err)
	}
	all, _ := s.ActionItems(ctx)
	if all[1].Number != 8 || all[1].Closed.IsZero() {
		t.Errorf("item first seen closed: %+v", all[1])
	}
}

func TestIndexExisting(t *testing.T) {
	s, rdb := openStore(t)
	ctx := context.Background()
	now := time.Now()
	// Records as an earlier version saved them: no list, some without a resolution time.
	for id, fields := range map[string][]any{
		"PRESOLVED": {"incident_id", "PRESOLVED", "resolved_at", now.Add(-48 * time.Hour).Unix(), "updated_at", now.Add(-47 * time.Hour).Unix()},
		"PUPDATED":  {"incident_id", "PUPDATED", "updated_at", now.Add(-time.Hour).Unix()},
		"PANCIENT":  {"incident_id", "PANCIENT", "updated_at", now.Add(-redisstore.RecordsRetention - time.Hour).Unix()},
	} {
		rdb.HSet(ctx, "hindsight:incident:"+id+":postmortem", fields...)
	}
	rdb.HSet(ctx, "hindsight:incident:PX:events", "E1", "{}") // not a record
	n, err := s.IndexExisting(ctx)
	if err != nil || n != 2 {
		t.Fatalf("IndexExisting = %d, %v; want 2", n, err)
	}
	all, err := s.Records(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(all), []string{"PUPDATED", "PRESOLVED"}; !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v", got, want)
	}
	// Once done, it is not done again, even for a record that appears later without the list.
	rdb.HSet(ctx, "hindsight:incident:PLATER:postmortem", "incident_id", "PLATER", "updated_at", now.Unix())
	if n, err := s.IndexExisting(ctx); n != 0 || err != nil {
		t.Errorf("second IndexExisting = %d, %v; want 0", n, err)
	}
}
