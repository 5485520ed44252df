package pagerduty

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/postmortem"
)

// relatedExample is PagerDuty's own example of GET /incidents/{id}/related_change_events.
func relatedExample(t *testing.T) []json.RawMessage {
	t.Helper()
	var page struct {
		ChangeEvents []json.RawMessage `json:"change_events"`
	}
	if err := json.Unmarshal(readReference(t, "rest-incident-related-change-events.example.json"), &page); err != nil {
		t.Fatal(err)
	}
	return page.ChangeEvents
}

func TestRelatedChangeEvents(t *testing.T) {
	s := pagerdutytest.NewServer(t, testToken)
	s.AddIncident(pagerdutytest.ResolvedIncident("PCHG001", 7, time.Date(2020, 7, 17, 9, 0, 0, 0, time.UTC), "P1", "high", "PEYSGRV"))
	s.AddChangeEvents("PCHG001", relatedExample(t)...)
	c, _ := newTestClient(t, s.URL(), Options{})
	got := c.ReadChanges(context.Background(), postmortem.ChangeQuery{IncidentID: "PCHG001"})
	if len(got.Sources) != 1 || got.Sources[0].Name != postmortem.ChangeSourcePagerDuty || got.Sources[0].Problem != "" {
		t.Errorf("sources = %+v", got.Sources)
	}
	if len(got.Items) != 2 {
		t.Fatalf("%d change events, want the example's 2", len(got.Items))
	}
	first := got.Items[0]
	want := postmortem.Change{At: time.Date(2020, 7, 17, 8, 42, 58, 0, time.UTC), Kind: postmortem.ChangeEvent, Source: "PagerDuty",
		What:  "Build Success - Increase snapshot create timeout to 30 seconds (the most recent change)",
		Agent: "acme-build-pipeline-tool-default-i-9999", URL: "https://acme.pagerduty.dev/build/2"}
	if fmt.Sprintf("%+v", first) != fmt.Sprintf("%+v", want) {
		t.Errorf("first change event\n got %+v\nwant %+v", first, want)
	}
	if !strings.HasSuffix(got.Items[1].What, "(a change on a related service)") {
		t.Errorf("second change event: %q", got.Items[1].What)
	}
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/incidents/PCHG001/related_change_events" || reqs[0].Query.Get("limit") != "100" {
		t.Errorf("requests = %+v, want one page of 100", reqs)
	}
}

func TestRelatedChangeEventsProblems(t *testing.T) {
	s := pagerdutytest.NewServer(t, testToken)
	s.AddIncident(pagerdutytest.ResolvedIncident("PCHG002", 8, time.Date(2020, 7, 17, 9, 0, 0, 0, time.UTC), "P1", "high", "PEYSGRV"))
	c, _ := newTestClient(t, s.URL(), Options{MaxWait: time.Second})
	problem := func(id string) string {
		t.Helper()
		got := c.ReadChanges(context.Background(), postmortem.ChangeQuery{IncidentID: id})
		if len(got.Sources) != 1 {
			t.Fatalf("sources = %+v", got.Sources)
		}
		return got.Sources[0].Problem
	}
	if p := problem("PNOSUCH"); !strings.Contains(p, "PagerDuty answered 404 Not Found") {
		t.Errorf("unknown incident: %q", p)
	}
	s.FailNext(1, http.StatusForbidden)
	if p := problem("PCHG002"); !strings.Contains(p, "PagerDuty answered 403") {
		t.Errorf("forbidden: %q", p)
	}
	if p := problem("not an id"); !strings.Contains(p, "invalid incident ID") {
		t.Errorf("bad ID: %q", p)
	}
	events := relatedExample(t)
	for range 100 {
		s.AddChangeEvents("PCHG002", events[0])
	}
	if p := problem("PCHG002"); p != "" {
		t.Errorf("a full page and no more: %q", p)
	}
	s.AddChangeEvents("PCHG002", events[1])
	if p := problem("PCHG002"); p != "only the first 100 were read" {
		t.Errorf("more than a page: %q", p)
	}
	s2 := pagerdutytest.NewServer(t, testToken)
	s2.AddIncident(pagerdutytest.ResolvedIncident("PCHG003", 9, time.Date(2020, 7, 17, 9, 0, 0, 0, time.UTC), "P1", "high", "PEYSGRV"))
	s2.AddChangeEvents("PCHG003", json.RawMessage(`{"id":"X2","summary":"clock skew","timestamp":"2020-07-18T00:00:00+00:00"}`))
	c2, _ := newTestClient(t, s2.URL(), Options{})
	if got := c2.ReadChanges(context.Background(), postmortem.ChangeQuery{IncidentID: "PCHG003"}); len(got.Items) != 1 || got.Items[0].URL != "" || got.Items[0].Agent != "" {
		t.Errorf("an event without links or source: %+v", got.Items)
	}
}
