package lifecycle

import (
	"context"
	"time"

	"github.com/hindsight-dev/hindsight/redisstore"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the lifecycle's Prometheus metrics.
type Metrics struct {
	pipelines *prometheus.CounterVec
	ignored   *prometheus.CounterVec
}

// NewMetrics registers the lifecycle's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		pipelines: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hindsight_postmortem_pipelines_total",
			Help: "Postmortem pipeline runs by outcome: published, existing, dry-run, skipped (policy), error.",
		}, []string{"outcome"}),
	}
	m.ignored = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hindsight_github_events_ignored_total",
		Help: "GitHub events not acted on, by reason: a command from a bot or from someone without write access, a repository Hindsight does not publish to, an issue Hindsight did not open.",
	}, []string{"reason"})
	reg.MustRegister(m.pipelines, m.ignored)
	return m
}

func (m *Metrics) observeIgnored(reason string) {
	if m == nil {
		return
	}
	m.ignored.WithLabelValues(reason).Inc()
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

// actionItemCollector reports the action items Hindsight tracks, read from Redis at each scrape.
type actionItemCollector struct {
	store       *redisstore.Store
	count, aged *prometheus.Desc
}

// NewActionItemCollector returns the collector of the action item metrics: how many are open and closed,
// and the age of the oldest open one.
func NewActionItemCollector(store *redisstore.Store) prometheus.Collector {
	return &actionItemCollector{
		store: store,
		count: prometheus.NewDesc("hindsight_action_items", "Action item issues by state (open, closed).", []string{"state"}, nil),
		aged:  prometheus.NewDesc("hindsight_action_item_oldest_open_age_seconds", "Age of the oldest open action item issue; 0 when none is open.", nil, nil),
	}
}

func (c *actionItemCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.count; ch <- c.aged }

func (c *actionItemCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), redisstore.IOTimeout)
	defer cancel()
	items, err := c.store.ActionItems(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.count, err)
		return
	}
	var open, closed int
	var oldest time.Time
	for _, a := range items {
		if !a.Open {
			closed++
			continue
		}
		open++
		if oldest.IsZero() || a.Opened.Before(oldest) {
			oldest = a.Opened
		}
	}
	age := 0.0
	if !oldest.IsZero() {
		age = time.Since(oldest).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(c.count, prometheus.GaugeValue, float64(open), "open")
	ch <- prometheus.MustNewConstMetric(c.count, prometheus.GaugeValue, float64(closed), "closed")
	ch <- prometheus.MustNewConstMetric(c.aged, prometheus.GaugeValue, age)
}

// NewReminderCounter registers hindsight_postmortem_reminders_total with reg: the reminders sent for
// postmortems past their due time. Its increase over a day is the overdue postmortems' count.
func NewReminderCounter(reg prometheus.Registerer) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "hindsight_postmortem_reminders_total",
		Help: "Reminders sent to the reviewers of postmortems past their due time.",
	})
	reg.MustRegister(c)
	return c
}
