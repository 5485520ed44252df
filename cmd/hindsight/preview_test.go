package main

import (
	"bytes"
	"context"
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
