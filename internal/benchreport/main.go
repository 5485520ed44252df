// Command benchreport reads the output of `go test -bench` for the benchmarks scripts/bench runs and
// prints, as a Markdown table, each figure next to its goal and the anchor measured in the same run.
//
//	go test -run XXX -bench . -benchtime 1x ./bench/ ./cmd/hindsight/ | go run ./internal/benchreport
//
// It exits 1 when a figure it needs is missing from the input, so that a benchmark that failed or was
// renamed shows.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

func main() {
	results, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
	table, missing := report(results)
	fmt.Print(table)
	if len(missing) > 0 {
		fmt.Fprintln(os.Stderr, "benchreport: missing from the input: "+strings.Join(missing, ", "))
		os.Exit(1)
	}
}

// results holds each benchmark's metrics by unit, the benchmark named without its GOMAXPROCS suffix.
type results map[string]map[string]float64

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func parse(r io.Reader) (results, error) {
	out := results{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		fields := strings.Fields(m[2])
		metrics := map[string]float64{}
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			metrics[fields[i+1]] = v
		}
		out[m[1]] = metrics
	}
	return out, sc.Err()
}

// row is one line of the table: a figure, its goal, and what it is compared with.
type row struct {
	figure, goal, measured, anchor, verdict string
}

// report builds the table; missing names the figures not found.
func report(r results) (string, []string) {
	var missing []string
	get := func(bench, unit string) float64 {
		v, ok := r[bench][unit]
		if !ok {
			missing = append(missing, bench+" "+unit)
		}
		return v
	}
	mark := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**not met**"
	}
	var rows []row

	hs, floor, bare := get("BenchmarkIngest", "hindsight-req/s"), get("BenchmarkIngest", "floor-req/s"), get("BenchmarkIngest", "bare-req/s")
	non := get("BenchmarkIngest", "non-202")
	// The ratio is the median of the rounds' ratios, each round's Hindsight rate over its own floor rate.
	ratio, lowest := get("BenchmarkIngest", "of-floor"), get("BenchmarkIngest", "of-floor-p10")
	rows = append(rows, row{"Ingest, 2 KB signed webhooks, 50 connections", "≥ 0.8 of the floor, no non-2xx",
		fmt.Sprintf("%.0f req/s = **%.2f** of the floor (lowest decile of the rounds %.2f); %.0f non-202; Redis %.1f µs a delivery",
			hs, ratio, lowest, non, get("BenchmarkIngest", "hindsight-redis-µs/req")),
		fmt.Sprintf("floor (HMAC + one Redis round trip) %.0f req/s, Redis %.1f µs; bare Echo %.0f req/s",
			floor, get("BenchmarkIngest", "floor-redis-µs/req"), bare),
		mark(ratio >= 0.8 && non == 0)})

	p99 := get("BenchmarkIngestLatency", "hindsight-p99-ms")
	rows = append(rows, row{"Answer time at a constant 1,000 webhooks/s", "p99 < 20 ms",
		fmt.Sprintf("p50 %.1f ms, **p99 %.1f ms** (median of the rounds' %.1f ms), max %.0f ms; %.0f non-202",
			get("BenchmarkIngestLatency", "hindsight-p50-ms"), p99, get("BenchmarkIngestLatency", "hindsight-median-round-p99-ms"),
			get("BenchmarkIngestLatency", "hindsight-max-ms"), get("BenchmarkIngestLatency", "hindsight-non-202")),
		fmt.Sprintf("floor p50 %.1f ms, p99 %.1f ms (median of the rounds' %.1f ms)", get("BenchmarkIngestLatency", "floor-p50-ms"),
			get("BenchmarkIngestLatency", "floor-p99-ms"), get("BenchmarkIngestLatency", "floor-median-round-p99-ms")),
		mark(p99 < 20 && get("BenchmarkIngestLatency", "hindsight-non-202") == 0)})

	dp50, dmax := get("BenchmarkDraftLatency", "default-p50-ms"), get("BenchmarkDraftLatency", "default-max-ms")
	rows = append(rows, row{"Resolve → dry-run draft on disk, one at a time", "p50 < 150 ms, max < 500 ms",
		fmt.Sprintf("**p50 %.0f ms, max %.0f ms**; idle worker: %.0f Redis commands/s", dp50, dmax, get("BenchmarkDraftLatency", "default-idle-redis-cmd/s")),
		fmt.Sprintf("asynq's default 1 s check: p50 %.0f ms, max %.0f ms, %.0f commands/s", get("BenchmarkDraftLatency", "asynq-1s-p50-ms"),
			get("BenchmarkDraftLatency", "asynq-1s-max-ms"), get("BenchmarkDraftLatency", "asynq-1s-idle-redis-cmd/s")),
		mark(dp50 < 150 && dmax < 500)})

	pp50 := get("BenchmarkPullRequestLatency", "p50-ms")
	rows = append(rows, row{"Resolve → open pull request, every API call 50 ms", "p50 < 1.5 s",
		fmt.Sprintf("**p50 %.0f ms**, max %.0f ms; %.1f PagerDuty + %.1f GitHub calls", pp50, get("BenchmarkPullRequestLatency", "max-ms"),
			get("BenchmarkPullRequestLatency", "pagerduty-calls/pr"), get("BenchmarkPullRequestLatency", "github-calls/pr")),
		fmt.Sprintf("the calls counted, one after the other: %.0f ms", get("BenchmarkPullRequestLatency", "serial-calls-ms")),
		mark(pp50 < 1500)})

	const streamed, limited, anchor = "BenchmarkGiantIncident/streamed", "BenchmarkGiantIncident/streamed-memory-limit-200MiB", "BenchmarkGiantIncident/anchor-json-then-decoded"
	gs, gheap := get(streamed, "s"), get(streamed, "peak-heap-MiB")
	rows = append(rows, row{"100,000 log entries fetched, built and rendered", "< 5 s, peak heap < 200 MiB",
		fmt.Sprintf("**%.1f s, peak heap %.0f MiB** (live at most %.0f MiB); under GOMEMLIMIT=200MiB %.1f s, peak %.0f MiB",
			gs, gheap, get(streamed, "peak-live-heap-MiB"), get(limited, "s"), get(limited, "peak-heap-MiB")),
		fmt.Sprintf("JSON of every entry first, then decoded: %.1f s, peak heap %.0f MiB", get(anchor, "s"), get(anchor, "peak-heap-MiB")),
		mark(gs < 5 && gheap < 200) + fmt.Sprintf(" (limited: %s)", mark(get(limited, "s") < 5 && get(limited, "peak-heap-MiB") < 200))})

	const fp = "BenchmarkRedisFootprint"
	rows = append(rows, row{"Redis kept per incident (5 webhooks, a pull request, 2 action items)", "measured; every key owned and expiring or explained",
		fmt.Sprintf("**%.1f KB**: events %.1f KB, finished task %.1f KB, record %.1f KB, action items %.1f KB, the rest %.1f KB",
			get(fp, "keys-B/incident")/1000, get(fp, "events-B/incident")/1000, get(fp, "task-B/incident")/1000, get(fp, "record-B/incident")/1000,
			get(fp, "action-items-B/incident")/1000,
			(get(fp, "keys-B/incident")-get(fp, "events-B/incident")-get(fp, "task-B/incident")-get(fp, "record-B/incident")-get(fp, "action-items-B/incident"))/1000),
		fmt.Sprintf("the webhook bodies alone: %.1f KB", get(fp, "webhook-bodies-B/incident")/1000),
		"measured (keys: TestEveryRedisKeyHasAnOwnerAndAnExpiry)"})

	var b strings.Builder
	b.WriteString("| figure | goal | measured | anchor, same run | verdict |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.figure, r.goal, r.measured, r.anchor, r.verdict)
	}
	return b.String(), missing
}
