package pagerduty

import (
	"context"
	"testing"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
)

// An incident with more log entries than the cap keeps its earliest ones, says more were left out, and
// stops paging soon after the cap instead of fetching everything.
func TestLogEntriesCap(t *testing.T) {
	srv := pagerdutytest.NewServer(t, testToken)
	synthetic(srv, "PCAP001", 1000)
	c, _ := newTestClient(t, srv.URL(), Options{MaxLogEntries: 250})
	in, err := c.Incident(context.Background(), "PCAP001")
	if err != nil {
		t.Fatal(err)
	}
	if len(in.LogEntries) != 250 || !in.LogEntriesCapped {
		t.Fatalf("%d log entries, capped %v; want 250 and capped", len(in.LogEntries), in.LogEntriesCapped)
	}
	for i := 1; i < len(in.LogEntries); i++ {
		if in.LogEntries[i].At.Before(in.LogEntries[i-1].At) {
			t.Fatalf("entries out of order at %d", i)
		}
	}
	if n := len(logEntryRequests(srv.Requests())); n > 3 {
		t.Errorf("%d log entry pages fetched for a cap of 250, want at most 3", n)
	}

	// Under the cap nothing is said to be missing.
	full, _ := newTestClient(t, srv.URL(), Options{MaxLogEntries: 1000})
	in, err = full.Incident(context.Background(), "PCAP001")
	if err != nil || len(in.LogEntries) != 1000 || in.LogEntriesCapped {
		t.Errorf("at the cap: %d entries, capped %v, %v", len(in.LogEntries), in.LogEntriesCapped, err)
	}
}
