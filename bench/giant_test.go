package bench

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/templates"
)

const giantEntries = 100_000

// BenchmarkGiantIncident fetches an incident with 100,000 log entries from the PagerDuty fake over HTTP
// (pages of 100, split into since/until windows past PagerDuty's 10,000 offset ceiling), decodes it, builds
// its timeline and renders the postmortem, and reports the time and the peak heap it took. The fake runs in
// the same process: its own copy of the entries is there before the clock starts and is left out of the
// peak, which is measured above the heap in use then.
//
//	go test -run XXX -bench GiantIncident -benchtime 1x ./bench/
func BenchmarkGiantIncident(b *testing.B) {
	const token = "pd-giant-token"
	pd := pagerdutytest.NewServer(b, token)
	inc, entries, notes := pagerdutytest.Synthetic("PGIANT1", 9, giantEntries, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	pd.AddIncident(inc)
	pd.AddLogEntries("PGIANT1", entries...)
	pd.AddNotes("PGIANT1", notes...)
	entries = nil //nolint:ineffassign,wastedassign // the fake holds its own copy; this one may go
	client, err := pagerduty.New(pagerduty.Options{BaseURL: pd.URL(), Token: token})
	if err != nil {
		b.Fatal(err)
	}
	r, err := postmortem.NewRenderer(templates.FS)
	if err != nil {
		b.Fatal(err)
	}
	c := &postmortem.Composer{Renderer: r, Now: func() time.Time { return time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC) }}
	decision := postmortem.Decision{Required: true, Due: postmortem.DefaultDue}
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		base := heapBytes()
		peak := newPeakHeap()
		b.StartTimer()
		began := time.Now()
		in, err := client.Incident(context.Background(), "PGIANT1")
		if err != nil {
			b.Fatal(err)
		}
		fetched := time.Since(began)
		d, err := c.Compose(in, decision)
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(began)
		high := peak.stop()
		if len(in.LogEntries) != giantEntries {
			b.Fatalf("%d log entries, want %d", len(in.LogEntries), giantEntries)
		}
		b.ReportMetric(took.Seconds(), "s")
		b.ReportMetric(fetched.Seconds(), "fetch+decode-s")
		b.ReportMetric(float64(high-base)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(len(d.Content)), "bytes-rendered")
		b.Logf("%d log entries: fetched and decoded in %v, rendered by %v (%d bytes); peak heap %.0f MiB above the %.0f MiB before",
			len(in.LogEntries), fetched.Round(time.Millisecond), took.Round(time.Millisecond), len(d.Content),
			float64(high-base)/(1<<20), float64(base)/(1<<20))
	}
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// peakHeap samples the heap's objects (live and not yet collected) every millisecond.
type peakHeap struct {
	done chan struct{}
	wg   sync.WaitGroup
	max  uint64
}

func newPeakHeap() *peakHeap {
	p := &peakHeap{done: make(chan struct{})}
	p.wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			p.max = max(p.max, heapBytes())
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
	return max(p.max, heapBytes())
}
