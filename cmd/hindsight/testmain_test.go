package main

import (
	"fmt"
	"os"
	"testing"
)

// TestMain fails the run when a test left a dry run's output in the package folder: every test that starts
// the service must give it an output directory of its own.
func TestMain(m *testing.M) {
	_, err := os.Stat("hindsight-out")
	existed := err == nil
	code := m.Run()
	if _, err := os.Stat("hindsight-out"); err == nil && !existed {
		fmt.Fprintln(os.Stderr, "a test wrote ./hindsight-out: give the service HINDSIGHT_OUTPUT_DIR=t.TempDir()")
		_ = os.RemoveAll("hindsight-out")
		code = 1
	}
	os.Exit(code)
}
