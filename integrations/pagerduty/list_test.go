package pagerduty

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
)

func TestResolvedIncidentsPagesEveryRange(t *testing.T) {
	t.Parallel()
	srv := pagerdutytest.NewServer(t, testToken)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// 400 incidents over 200 days, alternately in two services: three 90-day ranges, pages of 100.
	for i := range 400 {
		service := []string{"PSVCA01", "PSVCB02"}[i%2]
		srv.AddIncident(pagerdutytest.ResolvedIncident(fmt.Sprintf("PINC%04d", i), i+1, start.Add(time.Duration(i)*12*time.Hour), "P2", "high", service))
	}
	c, _ := newTestClient(t, srv.URL(), Options{})
	var calls [][2]int
	got, err := c.ResolvedIncidents(context.Background(), IncidentQuery{Since: start, Until: start.AddDate(0, 0, 200)},
		func(listed, total int) { calls = append(calls, [2]int{listed, total}) })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 400 || got[0].ID != "PINC0000" || got[399].ID != "PINC0399" || got[7].Number != 8 || got[7].Priority != "P2" {
		t.Fatalf("%d incidents: first %+v", len(got), got[0])
	}
	if last := calls[len(calls)-1]; last != [2]int{400, 400} {
		t.Errorf("last progress %v, want 400 of 400", last)
	}
	var ranges = map[string]bool{}
	for _, r := range srv.Requests() {
		if r.Path != "/incidents" {
			continue
		}
		if r.Query.Get("statuses[]") != "resolved" || r.Query.Get("limit") != "100" || r.Query.Get("time_zone") != "UTC" {
			t.Errorf("request %v", r.Query)
		}
		since, _ := time.Parse(time.RFC3339, r.Query.Get("since"))
		until, _ := time.Parse(time.RFC3339, r.Query.Get("until"))
		if until.Sub(since) > 90*24*time.Hour {
			t.Errorf("range %s..%s is over 90 days", since, until)
		}
		ranges[r.Query.Get("since")] = true
	}
	if len(ranges) != 3 {
		t.Errorf("%d ranges asked for, want 3", len(ranges))
	}

	got, err = c.ResolvedIncidents(context.Background(), IncidentQuery{Since: start, Until: start.AddDate(0, 0, 10), ServiceIDs: []string{"PSVCB02"}}, nil)
	if err != nil || len(got) != 10 || got[0].ID != "PINC0001" {
		t.Fatalf("by service: %d incidents, %v", len(got), err)
	}
	last := srv.Requests()[len(srv.Requests())-1]
	if q, _ := url.ParseQuery(last.Query.Encode()); q.Get("service_ids[]") != "PSVCB02" {
		t.Errorf("service filter not sent: %v", last.Query)
	}
	if _, err := c.ResolvedIncidents(context.Background(), IncidentQuery{Since: start, Until: start}, nil); err == nil {
		t.Error("an empty range was accepted")
	}
}

// TestResolvedIncidentsBeyondTheOffsetCeiling: a range holding more incidents than the paging ceiling
// (PagerDuty's 10,000, lowered here to 300 to keep the test small) is split in halves instead of paging past
// it, which PagerDuty answers 400.
func TestResolvedIncidentsBeyondTheOffsetCeiling(t *testing.T) {
	t.Parallel()
	const n, ceiling = 1000, 300
	srv := pagerdutytest.NewServer(t, testToken)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n { // one every 37 minutes, 26 days: one 90-day range, split in 8 parts
		srv.AddIncident(pagerdutytest.ResolvedIncident(fmt.Sprintf("PINC%05d", i), i+1, start.Add(time.Duration(i)*37*time.Minute), "P1", "high", "PSVCA01"))
	}
	c, _ := newTestClient(t, srv.URL(), Options{})
	c.listCeiling = ceiling
	got, err := c.ResolvedIncidents(context.Background(), IncidentQuery{Since: start, Until: start.AddDate(0, 0, 30)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, in := range got {
		seen[in.ID] = true
		if i > 0 && in.CreatedAt.Before(got[i-1].CreatedAt) {
			t.Fatalf("out of creation order at %d", i)
		}
	}
	if len(got) != n || len(seen) != n {
		t.Fatalf("%d incidents, %d distinct, want %d", len(got), len(seen), n)
	}
	for _, r := range srv.Requests() {
		offset, _ := strconv.Atoi(r.Query.Get("offset"))
		limit, _ := strconv.Atoi(r.Query.Get("limit"))
		if offset+limit > ceiling {
			t.Errorf("a request past the ceiling: %v", r.Query)
		}
	}

	// One second holding more than the ceiling cannot be split: an error, not a silent gap.
	burst := pagerdutytest.NewServer(t, testToken)
	for i := range ceiling + 50 {
		burst.AddIncident(pagerdutytest.ResolvedIncident(fmt.Sprintf("PBST%05d", i), i+1, start, "P1", "high", "PSVCA01"))
	}
	c, _ = newTestClient(t, burst.URL(), Options{})
	c.listCeiling = ceiling
	if _, err := c.ResolvedIncidents(context.Background(), IncidentQuery{Since: start, Until: start.Add(time.Second)}, nil); err == nil || !strings.Contains(err.Error(), "in one second") {
		t.Errorf("error %v, want one naming the second", err)
	}
}
