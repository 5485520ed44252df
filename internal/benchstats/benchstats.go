// Package benchstats summarises the measurements of the benchmarks.
package benchstats

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Quantile is the q-quantile of ds by the nearest-rank method; 1 is the largest. It is the zero value when
// ds is empty.
func Quantile[T cmp.Ordered](ds []T, q float64) T {
	if len(ds) == 0 {
		var zero T
		return zero
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Ms is d in milliseconds.
func Ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
