package github

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the client's Prometheus metrics. A nil *metrics records nothing.
type metrics struct {
	remaining   *prometheus.GaugeVec
	limit       *prometheus.GaugeVec
	waits       *prometheus.CounterVec
	waitSeconds *prometheus.CounterVec
}

// newMetrics registers the client's metrics with reg, or returns nil when reg is nil. Clients that share a
// registry share the metrics.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &metrics{
		remaining: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hindsight_github_rate_limit_remaining",
			Help: "Requests left in GitHub's primary rate limit (x-ratelimit-remaining of the last answer), by resource.",
		}, []string{"resource"}),
		limit: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hindsight_github_rate_limit_limit",
			Help: "GitHub's primary rate limit per hour (x-ratelimit-limit of the last answer), by resource.",
		}, []string{"resource"}),
		waits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hindsight_github_rate_limit_waits_total",
			Help: "Waits before a GitHub request, by kind: primary, secondary, too_many_requests (a 429 naming neither), write_limiter (Hindsight's own spacing of writes).",
		}, []string{"kind"}),
		waitSeconds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hindsight_github_rate_limit_wait_seconds_total",
			Help: "Seconds spent waiting before GitHub requests, by kind (as hindsight_github_rate_limit_waits_total).",
		}, []string{"kind"}),
	}
	var err error
	if m.remaining, err = register(reg, m.remaining); err != nil {
		return nil, err
	}
	if m.limit, err = register(reg, m.limit); err != nil {
		return nil, err
	}
	if m.waits, err = register(reg, m.waits); err != nil {
		return nil, err
	}
	if m.waitSeconds, err = register(reg, m.waitSeconds); err != nil {
		return nil, err
	}
	return m, nil
}

// register registers c, or returns the collector registered already under the same description.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	return c, err
}

// observeQuota records the primary rate limit GitHub reports on every answer.
func (m *metrics) observeQuota(h http.Header) {
	if m == nil {
		return
	}
	resource := h.Get("x-ratelimit-resource")
	if resource == "" {
		resource = "core"
	}
	if v, err := strconv.ParseFloat(h.Get("x-ratelimit-remaining"), 64); err == nil {
		m.remaining.WithLabelValues(resource).Set(v)
	}
	if v, err := strconv.ParseFloat(h.Get("x-ratelimit-limit"), 64); err == nil {
		m.limit.WithLabelValues(resource).Set(v)
	}
}

// observeWait counts one wait of kind that lasted d.
func (m *metrics) observeWait(kind string, d time.Duration) {
	if m == nil {
		return
	}
	label := strings.ReplaceAll(kind, " ", "_")
	m.waits.WithLabelValues(label).Inc()
	m.waitSeconds.WithLabelValues(label).Add(d.Seconds())
}
