package pagerdutytest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"
)

func TestServerListsIncidents(t *testing.T) {
	s := NewServer(t, token)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// 230 resolved incidents, one every 12 hours, alternately in two services; one open incident.
	for i := range 230 {
		service := []string{"PSVCA01", "PSVCB02"}[i%2]
		s.AddIncident(ResolvedIncident(fmt.Sprintf("PINC%04d", i), i+1, start.Add(time.Duration(i)*12*time.Hour), "P1", "high", service))
	}
	open := ResolvedIncident("POPEN01", 999, start.Add(time.Hour), "P1", "high", "PSVCA01")
	var m map[string]any
	_ = json.Unmarshal(open, &m)
	m["status"] = "triggered"
	open, _ = json.Marshal(m)
	s.AddIncident(open)

	type page struct {
		Incidents []struct {
			ID      string `json:"id"`
			Service struct {
				ID string `json:"id"`
			} `json:"service"`
		} `json:"incidents"`
		Limit, Offset int
		More          bool
		Total         *int
	}
	list := func(q url.Values) (int, page) {
		t.Helper()
		a := call(t, s, "GET", "/incidents?"+q.Encode(), nil, "")
		var p page
		if a.status == 200 {
			if err := json.Unmarshal([]byte(a.body), &p); err != nil {
				t.Fatal(err)
			}
		}
		return a.status, p
	}
	q := url.Values{"statuses[]": {"resolved"}, "since": {"2026-01-01T00:00:00Z"}, "until": {"2026-03-02T00:00:00Z"},
		"limit": {"100"}, "total": {"true"}}
	var ids []string
	for offset := 0; ; offset += 100 {
		q.Set("offset", fmt.Sprint(offset))
		status, p := list(q)
		if status != 200 {
			t.Fatalf("offset %d: %d", offset, status)
		}
		if p.Total == nil || *p.Total != 120 {
			t.Fatalf("total %v, want 120 (60 days, two a day)", p.Total)
		}
		for _, in := range p.Incidents {
			ids = append(ids, in.ID)
		}
		if !p.More {
			break
		}
	}
	if len(ids) != 120 || ids[0] != "PINC0000" || ids[119] != "PINC0119" {
		t.Fatalf("listed %d incidents, %v … %v", len(ids), ids[:1], ids[len(ids)-1:])
	}

	q = url.Values{"statuses[]": {"resolved"}, "service_ids[]": {"PSVCB02"}, "since": {"2026-01-01T00:00:00Z"}, "until": {"2026-01-11T00:00:00Z"}}
	if _, p := list(q); len(p.Incidents) != 10 || p.Incidents[0].Service.ID != "PSVCB02" || p.Limit != 25 || p.More || p.Total != nil {
		t.Errorf("by service: %+v", p)
	}
	q = url.Values{"statuses[]": {"triggered"}, "since": {"2026-01-01T00:00:00Z"}, "until": {"2026-01-02T00:00:00Z"}}
	if _, p := list(q); len(p.Incidents) != 1 || p.Incidents[0].ID != "POPEN01" {
		t.Errorf("triggered: %+v", p)
	}
	for name, q := range map[string]url.Values{
		"over 6 months":      {"since": {"2026-01-01T00:00:00Z"}, "until": {"2026-09-01T00:00:00Z"}},
		"until before since": {"since": {"2026-02-01T00:00:00Z"}, "until": {"2026-01-01T00:00:00Z"}},
		"not a time":         {"since": {"yesterday"}},
		"unknown status":     {"statuses[]": {"closed"}},
		"past the ceiling":   {"offset": {"9950"}, "limit": {"100"}},
	} {
		if status, _ := list(q); status != 400 {
			t.Errorf("%s: %d, want 400", name, status)
		}
	}
}
