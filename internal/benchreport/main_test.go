package main

import (
	"strings"
	"testing"
)

// TestReport reads go test's benchmark lines, with their GOMAXPROCS suffix and extra metrics, and judges
// each figure against its goal; a figure missing from the input is named.
func TestReport(t *testing.T) {
	in := `goos: linux
BenchmarkIngest-2   	       1	18296173023 ns/op	      9189 bare-req/s	         3.589 floor-redis-µs/req	      6289 floor-req/s	         9.591 hindsight-redis-µs/req	      5200 hindsight-req/s	         0 non-202	         0.8321 of-floor	         0.7912 of-floor-p10
BenchmarkIngestLatency-2 1 10 ns/op 1.1 floor-p50-ms 2.2 floor-p99-ms 1.5 hindsight-p50-ms 25 hindsight-p99-ms 12 hindsight-median-round-p99-ms 2 floor-median-round-p99-ms 40 hindsight-max-ms 0 hindsight-non-202 0 floor-non-202
--- BENCH: BenchmarkIngest-2
PASS
`
	r, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := r["BenchmarkIngest"]["hindsight-req/s"]; got != 5200 {
		t.Fatalf("hindsight-req/s = %v", got)
	}
	table, missing := report(r)
	for _, want := range []string{"**0.83** of the floor (lowest decile of the rounds 0.79)", "met |", "**p99 25.0 ms**", "**not met**"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if len(missing) == 0 || !strings.Contains(strings.Join(missing, ","), "BenchmarkDraftLatency default-p50-ms") {
		t.Errorf("missing = %v, want the draft latency among them", missing)
	}
}
