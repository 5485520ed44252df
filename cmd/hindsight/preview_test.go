package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
)

func TestPreviewFromExample(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"hindsight", "preview", "--from", filepath.Join("..", "..", "examples", "incident-export.json")},
		func(string) string { return "" }, &out, &errOut)
	if err != nil {
		t.Fatalf("preview: %v (%s)", err, errOut.String())
	}
	for _, want := range []string{"# Postmortem: ", "## Summary", "### Five whys", "## Timeline", "## Action items", " UTC"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("preview lacks %q", want)
		}
	}
}

func TestPreviewFromAPIMatchesExport(t *testing.T) {
	pd := pagerdutytest.NewServer(t, pdToken)
	incident, entries, notes := pagerdutytest.Synthetic("PPREVIEW1", 77, 130, time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC))
	pd.AddIncident(incident)
	pd.AddLogEntries("PPREVIEW1", entries...)
	pd.AddNotes("PPREVIEW1", notes...)
	env := map[string]string{"HINDSIGHT_PAGERDUTY_API_URL": pd.URL(), "HINDSIGHT_PAGERDUTY_TOKEN": pdToken}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"hindsight", "preview", "--incident", "PPREVIEW1"}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "[#77](https://") || !strings.Contains(out.String(), "Every entry (") {
		t.Errorf("preview output:\n%s", out.String())
	}
	// PagerDuty's change events are read too; without GitHub credentials no repository is.
	if !strings.Contains(out.String(), "to read alongside the timeline: PagerDuty's change events related to the incident.") {
		t.Errorf("preview lacks the changes section read from PagerDuty:\n%s", out.String())
	}
	// preview writes nothing: the fake saw reads only.
	for _, r := range pd.Requests() {
		if r.Method != "GET" {
			t.Errorf("preview sent %s %s", r.Method, r.Path)
		}
	}
	err := run(context.Background(), []string{"hindsight", "preview", "--incident", "PNOTHERE"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "PNOTHERE") {
		t.Errorf("unknown incident: %v", err)
	}
}

// TestPreviewMapsPeopleByEmail looks the incident's users up, as the pipeline does, so that people keyed by
// email name the owner; it keeps nothing and writes nothing.
func TestPreviewMapsPeopleByEmail(t *testing.T) {
	pd := pagerdutytest.NewServer(t, pdToken)
	incident, entries, notes := pagerdutytest.Synthetic("PPREVIEW2", 78, 20, time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC))
	pd.AddIncident(incident)
	pd.AddLogEntries("PPREVIEW2", entries...)
	pd.AddNotes("PPREVIEW2", notes...)
	for _, u := range []struct{ id, name, email string }{{"PUSERA1", "Ana Primary", "ana.primary@example.com"}, {"PUSERB2", "Ben Secondary", "ben@example.com"}} {
		raw, err := json.Marshal(map[string]any{"id": u.id, "type": "user", "summary": u.name, "name": u.name, "email": u.email,
			"self": "https://api.pagerduty.com/users/" + u.id, "html_url": "https://acme.pagerduty.com/users/" + u.id})
		if err != nil {
			t.Fatal(err)
		}
		pd.AddUser(raw)
	}
	env := map[string]string{"HINDSIGHT_PAGERDUTY_API_URL": pd.URL(), "HINDSIGHT_PAGERDUTY_TOKEN": pdToken,
		"HINDSIGHT_CONFIG": writeConfig(t, "people:\n  Ana.Primary@example.com: ana-gh\n")}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"hindsight", "preview", "--incident", "PPREVIEW2"}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "| Owner | @ana-gh |") {
		t.Errorf("the owner configured by email is missing:\n%.1500s", out.String())
	}
	users := 0
	for _, r := range pd.Requests() {
		if r.Method != "GET" {
			t.Errorf("preview sent %s %s", r.Method, r.Path)
		}
		if strings.HasPrefix(r.Path, "/users/") {
			users++
		}
	}
	if users != 2 {
		t.Errorf("%d user lookups, want 2 (one per responder)", users)
	}
}
