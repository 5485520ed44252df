// Package payloads holds, for tests, real payloads that nobody on this project wrote: PagerDuty's own
// REST examples and V3 webhooks captured by other projects, byte for byte. testdata/pagerduty/SOURCES.md
// names where each came from, its license and how to refresh it.
package payloads

import (
	"embed"
	"fmt"
	"io/fs"
	"testing"
)

//go:embed testdata/pagerduty/*.json testdata/pagerduty/*.txt
var files embed.FS

// PagerDutyFile returns the named file of testdata/pagerduty (e.g.
// "webhook-v3_incident.resolved_zulip-fixture.json") exactly as it was published; an unknown name is an
// error that wraps fs.ErrNotExist.
func PagerDutyFile(name string) ([]byte, error) {
	b, err := files.ReadFile("testdata/pagerduty/" + name)
	if err != nil {
		return nil, fmt.Errorf("reference payload %s: %w", name, err)
	}
	return b, nil
}

// PagerDuty is PagerDutyFile for a test: a missing file fails the test.
func PagerDuty(t testing.TB, name string) []byte {
	t.Helper()
	b, err := PagerDutyFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// PagerDutyNames lists the files of testdata/pagerduty, sorted.
func PagerDutyNames() []string {
	entries, err := fs.ReadDir(files, "testdata/pagerduty")
	if err != nil {
		panic(err) // the embedded directory is always there
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
