package distribution

import "github.com/prometheus/client_golang/prometheus"

// Metrics count the mails of merged postmortems.
type Metrics struct {
	messages *prometheus.CounterVec
}

// NewMetrics registers the distribution's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{messages: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hindsight_postmortem_mails_total",
		Help: "Mails of merged postmortems by list (internal, customers) and outcome: sent; duplicate (already sent, not sent again); failed (refused or not delivered, retried); unconfirmed (may have been sent, not sent again: check the mail server's log); no_list (no address configured).",
	}, []string{"list", "outcome"})}
	reg.MustRegister(m.messages)
	return m
}

func (m *Metrics) observe(list, outcome string) {
	if m == nil {
		return
	}
	m.messages.WithLabelValues(list, outcome).Inc()
}
