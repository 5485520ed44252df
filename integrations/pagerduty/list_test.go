package pagerduty

import (
	"context"
	"fmt"
	"net/url"
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
