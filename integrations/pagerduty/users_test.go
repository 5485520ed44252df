package pagerduty

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/postmortem"
)

func TestUser(t *testing.T) {
	srv := pagerdutytest.NewServer(t, testToken)
	srv.AddUser([]byte(`{"id":"PXPGF42","type":"user","summary":"Earline Greenholt","name":"Earline Greenholt",
		"email":"125.greenholt.earline@graham.name","html_url":"https://subdomain.pagerduty.com/users/PXPGF42","role":"admin"}`))
	c, _ := newTestClient(t, srv.URL(), Options{})
	ctx := context.Background()
	p, err := c.User(ctx, "PXPGF42")
	if err != nil {
		t.Fatal(err)
	}
	want := postmortem.Person{ID: "PXPGF42", Kind: "user", Name: "Earline Greenholt", Email: "125.greenholt.earline@graham.name", URL: "https://subdomain.pagerduty.com/users/PXPGF42"}
	if p != want {
		t.Errorf("user = %+v, want %+v", p, want)
	}
	if _, err := c.User(ctx, "PNOBODY"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "fetch user PNOBODY") {
		t.Errorf("unknown user: err = %v, want ErrNotFound naming the user", err)
	}
	before := len(srv.Requests())
	if _, err := c.User(ctx, "../incidents"); err == nil || len(srv.Requests()) != before {
		t.Errorf("invalid ID: err = %v after %d requests", err, len(srv.Requests())-before)
	}
}

// TestFetchExportAlerts keeps the incident's alerts, oldest first, and decodes what fired from the first:
// its source, custom details and links.
func TestFetchExportAlerts(t *testing.T) {
	srv := pagerdutytest.NewServer(t, testToken)
	synthetic(srv, "PALRT01", 5)
	srv.AddAlerts("PALRT01",
		[]byte(`{"id":"PA2","type":"alert","summary":"second","created_at":"2024-05-01T09:40:00Z"}`),
		[]byte(`{"id":"PA1","type":"alert","summary":"Disk full on db-1","html_url":"https://acme.pagerduty.com/alerts/PA1",
			"created_at":"2024-05-01T09:30:00Z","status":"resolved","severity":"critical",
			"service":{"id":"PSVC","type":"service_reference","summary":"Database"},
			"integration":{"id":"PINT","type":"events_api_v2_inbound_integration_reference","summary":"Prometheus"},
			"body":{"type":"alert_body","details":{"used":"99%","threshold":"95%","labels":{"host":"db-1"}},
				"contexts":[{"type":"link","href":"https://grafana.example.com/d/db","text":"Dashboard"},{"type":"image","src":"https://x/y.png"},
					{"type":"link","href":"https://runbooks.example.com/disk"}]}}`))
	c, _ := newTestClient(t, srv.URL(), Options{})
	e, err := c.FetchExport(context.Background(), "PALRT01")
	if err != nil {
		t.Fatal(err)
	}
	inc, err := e.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if len(inc.Alerts) != 2 || inc.Alerts[0].ID != "PA1" {
		t.Fatalf("alerts = %+v, want PA1 then PA2", inc.Alerts)
	}
	a := inc.Alerts[0]
	if a.Source != "Prometheus" || a.Service != "Database" || a.Severity != "critical" || a.URL != "https://acme.pagerduty.com/alerts/PA1" {
		t.Errorf("alert = %+v", a)
	}
	wantDetails := []postmortem.Detail{{Key: "labels", Value: `{"host":"db-1"}`}, {Key: "threshold", Value: "95%"}, {Key: "used", Value: "99%"}}
	if len(a.Details) != 3 || a.Details[0] != wantDetails[0] || a.Details[1] != wantDetails[1] || a.Details[2] != wantDetails[2] {
		t.Errorf("details = %+v, want %+v", a.Details, wantDetails)
	}
	if len(a.Links) != 2 || a.Links[0] != (postmortem.Link{Text: "Dashboard", URL: "https://grafana.example.com/d/db"}) || a.Links[1].URL != "https://runbooks.example.com/disk" {
		t.Errorf("links = %+v", a.Links)
	}
	var asked bool
	for _, r := range srv.Requests() {
		if r.Path == "/incidents/PALRT01/alerts" {
			asked = r.Query.Get("sort_by") == "created_at:asc" && r.Query.Get("limit") == "100"
		}
	}
	if !asked {
		t.Error("alerts not asked for oldest first, 100 a page")
	}
}
