package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/templates"
)

const (
	giantEntries = 100_000
	giantToken   = "pd-giant-token"
	giantFakeEnv = "HINDSIGHT_BENCH_GIANT_FAKE"
)

// TestGiantIncidentFake is the PagerDuty fake of BenchmarkGiantIncident when the benchmark starts this
// binary with HINDSIGHT_BENCH_GIANT_FAKE=1: it serves the giant incident, prints its URL and runs until its
// standard input closes. Otherwise it is skipped.
func TestGiantIncidentFake(t *testing.T) {
	if os.Getenv(giantFakeEnv) != "1" {
		t.Skip("the giant incident's PagerDuty fake, run by BenchmarkGiantIncident")
	}
	pd := pagerdutytest.NewServer(t, giantToken)
	inc, entries, notes := pagerdutytest.Synthetic("PGIANT1", 9, giantEntries, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	pd.AddIncident(inc)
	pd.AddLogEntries("PGIANT1", entries...)
	pd.AddNotes("PGIANT1", notes...)
	fmt.Println("URL " + pd.URL())
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// startGiantFake runs TestGiantIncidentFake in a process of its own and returns its URL.
func startGiantFake(b *testing.B) string {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestGiantIncidentFake$", "-test.v")
	// The fake's own heap is large (every entry twice); no memory limit meant for the benchmark applies to it.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOMEMLIMIT=") && !strings.HasPrefix(kv, "GOGC=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, giantFakeEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if url, ok := strings.CutPrefix(lines.Text(), "URL "); ok {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return url
		}
	}
	b.Fatalf("the fake process ended without a URL: %v", lines.Err())
	return ""
}

// BenchmarkGiantIncident fetches an incident with 100,000 log entries from the PagerDuty fake over HTTP
// (pages of 100, split into since/until windows past PagerDuty's 10,000 offset ceiling), decodes it, builds
// its timeline and renders the postmortem, and reports the time and the peak heap it took. The fake runs in
// a process of its own (this test binary again, see TestGiantIncidentFake), so that its copy of the
// entries is neither in the heap measured nor in the garbage collector's pacing of it.
//
//	go test -run XXX -bench GiantIncident -benchtime 1x ./bench/
func BenchmarkGiantIncident(b *testing.B) {
	url := startGiantFake(b)
	client, err := pagerduty.New(pagerduty.Options{BaseURL: url, Token: giantToken})
	if err != nil {
		b.Fatal(err)
	}
	r, err := postmortem.NewRenderer(templates.FS)
	if err != nil {
		b.Fatal(err)
	}
	c := &postmortem.Composer{Renderer: r, Now: func() time.Time { return time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC) }}
	decision := postmortem.Decision{Required: true, Due: postmortem.DefaultDue}
	streamed := func(ctx context.Context) (postmortem.Incident, error) { return client.Incident(ctx, "PGIANT1") }
	// The anchor: the JSON of every entry fetched first, then decoded, as `preview --incident` does.
	heldTwice := func(ctx context.Context) (postmortem.Incident, error) {
		e, err := client.FetchExport(ctx, "PGIANT1")
		if err != nil {
			return postmortem.Incident{}, err
		}
		return e.Decode()
	}
	for _, run := range []struct {
		name  string
		fetch func(context.Context) (postmortem.Incident, error)
		limit int64
	}{
		{"streamed", streamed, 0},
		{fmt.Sprintf("streamed-memory-limit-%dMiB", giantMemoryLimit>>20), streamed, giantMemoryLimit},
		{"anchor-json-then-decoded", heldTwice, 0},
	} {
		b.Run(run.name, func(b *testing.B) {
			if run.limit > 0 {
				// What GOMEMLIMIT does for a deployment: the collector works harder as the heap nears it.
				prev := debug.SetMemoryLimit(run.limit)
				b.Cleanup(func() { debug.SetMemoryLimit(prev) })
			}
			giantRun(b, run.fetch, c, decision)
		})
	}
}

// giantMemoryLimit is the soft memory limit of the benchmark's second run.
const giantMemoryLimit = 200 << 20

func giantRun(b *testing.B, fetch func(context.Context) (postmortem.Incident, error), c *postmortem.Composer, decision postmortem.Decision) {
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		base := heapBytes()
		peak := newPeakHeap()
		b.StartTimer()
		began := time.Now()
		in, err := fetch(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		fetched := time.Since(began)
		fetchPeak := peak.sofar()
		// As the pipeline does, the incident is let go once composed from: its log entries need not outlive
		// the timeline built from them.
		entries := len(in.LogEntries)
		d, err := c.Compose(in, decision)
		if err != nil {
			b.Fatal(err)
		}

		took := time.Since(began)
		high := peak.stop()
		if entries != giantEntries {
			b.Fatalf("%d log entries, want %d", entries, giantEntries)
		}
		b.ReportMetric(took.Seconds(), "s")
		b.ReportMetric(fetched.Seconds(), "fetch+decode-s")
		b.ReportMetric(float64(high-base)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(fetchPeak-base)/(1<<20), "fetch-peak-heap-MiB")
		b.ReportMetric(float64(peak.maxLive.Load())/(1<<20), "peak-live-heap-MiB")
		b.ReportMetric(float64(len(d.Content)), "bytes-rendered")
		b.Logf("%d log entries: fetched and decoded in %v, rendered by %v (%d bytes); peak heap %.0f MiB above the %.0f MiB before",
			entries, fetched.Round(time.Millisecond), took.Round(time.Millisecond), len(d.Content),
			float64(high-base)/(1<<20), float64(base)/(1<<20))
	}
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// liveBytes is the heap the last garbage collection found reachable.
func liveBytes() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// peakHeap samples the heap's objects (live and not yet collected) every millisecond.
type peakHeap struct {
	done    chan struct{}
	wg      sync.WaitGroup
	max     atomic.Uint64
	maxLive atomic.Uint64
}

func newPeakHeap() *peakHeap {
	p := &peakHeap{done: make(chan struct{})}
	p.wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if h := heapBytes(); h > p.max.Load() {
				p.max.Store(h)
			}
			if h := liveBytes(); h > p.maxLive.Load() {
				p.maxLive.Store(h)
			}
			select {
			case <-p.done:
				return
			case <-t.C:
			}
		}
	})
	return p
}

func (p *peakHeap) stop() uint64 {
	close(p.done)
	p.wg.Wait()
	return max(p.max.Load(), heapBytes())
}

// sofar is the peak until now.
func (p *peakHeap) sofar() uint64 { return max(p.max.Load(), heapBytes()) }
