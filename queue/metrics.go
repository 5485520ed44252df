package queue

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the queue's Prometheus metrics.
type Metrics struct {
	pipelines *prometheus.CounterVec
}

// NewMetrics registers the queue's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		pipelines: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hindsight_postmortem_pipelines_total",
			Help: "Postmortem pipeline runs by outcome: published, existing, skipped (policy), error.",
		}, []string{"outcome"}),
	}
	reg.MustRegister(m.pipelines)
	return m
}

func (m *Metrics) observePipeline(outcome string, err error) {
	if m == nil {
		return
	}
	if err != nil {
		outcome = "error"
	}
	m.pipelines.WithLabelValues(outcome).Inc()
}
