// Package bench holds benchmarks of Hindsight's hot paths; they report figures and never fail CI.
//
//	go test -run XXX -bench . -benchmem ./bench/
package bench

import (
	"strconv"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/templates"
)

// BenchmarkPostmortem decodes an exported incident as PagerDuty's API returns it, builds its timeline and
// facts and renders the full template: everything a worker does between fetching and publishing.
func BenchmarkPostmortem(b *testing.B) {
	for _, n := range []int{250, 10000} {
		b.Run(strconv.Itoa(n)+"-log-entries", func(b *testing.B) {
			inc, les, notes := pagerdutytest.Synthetic("PBENCH1", 7, n, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
			exp := pagerduty.Export{Incident: inc, LogEntries: les, Notes: notes}
			r, err := postmortem.NewRenderer(templates.FS)
			if err != nil {
				b.Fatal(err)
			}
			c := &postmortem.Composer{Renderer: r, Now: func() time.Time { return time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC) }}
			decision := postmortem.Decision{Required: true, Due: postmortem.DefaultDue}
			var size int
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				decoded, err := exp.Decode()
				if err != nil {
					b.Fatal(err)
				}
				d, err := c.Compose(decoded, decision)
				if err != nil {
					b.Fatal(err)
				}
				size = len(d.Content)
			}
			b.ReportMetric(float64(size), "bytes-rendered")
		})
	}
}

// BenchmarkCompose starts from a decoded incident: timeline, facts, document and the rendered template.
func BenchmarkCompose(b *testing.B) {
	for _, n := range []int{250, 10000} {
		b.Run(strconv.Itoa(n)+"-log-entries", func(b *testing.B) {
			inc, les, notes := pagerdutytest.Synthetic("PBENCH1", 7, n, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
			decoded, err := (&pagerduty.Export{Incident: inc, LogEntries: les, Notes: notes}).Decode()
			if err != nil {
				b.Fatal(err)
			}
			r, err := postmortem.NewRenderer(templates.FS)
			if err != nil {
				b.Fatal(err)
			}
			c := &postmortem.Composer{Renderer: r, Now: func() time.Time { return time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC) }}
			decision := postmortem.Decision{Required: true, Due: postmortem.DefaultDue}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := c.Compose(decoded, decision); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
