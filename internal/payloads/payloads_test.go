package payloads_test

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/payloads"
)

// TestSourcesListsEveryFile keeps SOURCES.md and the folder in step: each file has its origin and license.
func TestSourcesListsEveryFile(t *testing.T) {
	sources, err := os.ReadFile("testdata/pagerduty/SOURCES.md")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(string(sources), "\n") {
		if cells := strings.Split(line, "|"); len(cells) > 2 && strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			listed[strings.Trim(strings.TrimSpace(cells[1]), "`")] = true
		}
	}
	names := payloads.PagerDutyNames()
	if len(names) < 10 {
		t.Fatalf("only %d files embedded: %v", len(names), names)
	}
	for _, name := range names {
		if name == "SOURCES.md" {
			continue
		}
		if !listed[name] {
			t.Errorf("%s is not in SOURCES.md", name)
		}
		delete(listed, name)
	}
	for name := range listed {
		t.Errorf("SOURCES.md lists %s, which is not embedded", name)
	}
}

func TestPagerDutyFile(t *testing.T) {
	b := payloads.PagerDuty(t, "webhook-v3_incident.priority_updated_go-pagerduty-test-signed.json")
	if len(b) != 1655 || b[len(b)-1] == '\n' {
		t.Errorf("the signed body is %d bytes ending in %q, want 1655 bytes as published", len(b), b[len(b)-1])
	}
	if _, err := payloads.PagerDutyFile("nope.json"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: got %v, want fs.ErrNotExist", err)
	}
}
