package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A labelled set written for this test: one blameful sentence found, one missed, one false positive in a
// trap, one borderline finding.
func writeSet(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"01-disk.md": "# Disk full\n\n## Summary\n\nThe disk filled up. The operator forgot to rotate the logs.\n" +
			"We forgot to update the status page.\nThe outage is on Tom now.\n",
		"02-dns.md": "# DNS\n\n## Summary\n\nThe resolver failed to start because its config was invalid.\n",
		"labels.json": `{
  "01-disk.md": {"blameful_sentences": ["The operator forgot to rotate the logs.", "The outage is on Tom now."],
                 "borderline_sentences": ["We forgot to update the status page."], "notes": ""},
  "02-dns.md": {"blameful_sentences": [], "borderline_sentences": [], "notes": ""}
}`,
		"blameful.tsv": "sentence\tsource\nIt was human error.\tsomewhere\nThe operator forgot to rotate the logs.\tcorpus file 01\n",
		"traps.tsv":    "sentence\tsource\nThe exporter ignored stale samples.\tsomewhere\nShe was careless with the config, said nobody.\tsomewhere\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestEvaluate(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"-holdout", "02", writeSet(t)}, &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"all:         precision 0.67 (2 of 3 findings on blameful sentences; 1 more on borderline ones), recall 0.67 (2 of 3 blameful sentences)",
		"missed 01-disk.md:7: The outage is on Tom now.",
		"false positive traps.tsv:3: blame-language: blameful wording \"careless\"",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
}

func TestEvaluateWithoutTheFolder(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{filepath.Join(t.TempDir(), "absent")}, &out); err != nil || !strings.Contains(out.String(), "nothing measured") {
		t.Errorf("err %v, output %q", err, out.String())
	}
}

func TestEvaluateRefusesALabelNotInItsFile(t *testing.T) {
	dir := writeSet(t)
	if err := os.WriteFile(filepath.Join(dir, "02-dns.md"), []byte("# DNS\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "labels.json"), []byte(`{"02-dns.md": {"blameful_sentences": ["Not there."]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{dir}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "not in the file") {
		t.Errorf("err %v", err)
	}
}
