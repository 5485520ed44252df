package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/queue"
)

const requestIDHeader = "X-Request-Id"

// requestKey is the key of a request's *request in its echo.Context.
const requestKey = "hindsight.request"

// request is what the middleware keeps of a request while it is served: its ID and, for a webhook
// delivery, the line the access log writes of it. One allocation holds both, and the line's first
// attributes.
type request struct {
	id    string
	line  deliveryLine
	attrs [10]slog.Attr
}

// requestID gives every request an ID, kept from the caller when it sends a sane one.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(requestIDHeader)
		if id == "" || len(id) > 64 {
			var b [8]byte
			var h [16]byte
			_, _ = rand.Read(b[:])
			hex.Encode(h[:], b[:])
			id = string(h[:])
		}
		r := &request{id: id}
		r.line.attrs = r.attrs[:0]
		c.Set(requestKey, r)
		c.Response().Header()[requestIDHeader] = []string{id} // the name is canonical already
		return next(c)
	}
}

// requestOf returns what requestID keeps of c's request, or nil for a request it did not see.
func requestOf(c echo.Context) *request {
	r, _ := c.Get(requestKey).(*request)
	return r
}

// requestIDOf returns c's request ID, or "" for a request requestID did not see.
func requestIDOf(c echo.Context) string {
	if r := requestOf(c); r != nil {
		return r.id
	}
	return ""
}

// accessLog writes one line per request: for a webhook delivery, what became of it (its level and
// message, its IDs and outcome) with the request's fields; for any other request but health checks and
// metrics, "request".
func accessLog(logger *slog.Logger, m *metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			status := c.Response().Status
			route := c.Path()
			if route == "" {
				route = "unmatched"
			}
			elapsed := time.Since(start)
			m.requests.WithLabelValues(route, statusLabel(status)).Observe(elapsed.Seconds())
			if route == "/healthz" || route == "/readyz" || route == "/metrics" {
				return nil
			}
			level, msg, id, extra := slog.LevelInfo, "request", "", []slog.Attr(nil)
			if r := requestOf(c); r != nil {
				id = r.id
				if r.line.msg != "" {
					level, msg, extra = r.line.level, r.line.msg, r.line.attrs
				}
			}
			ctx := c.Request().Context()
			if !logger.Enabled(ctx, level) {
				return nil
			}
			// The record is made here rather than by logger.LogAttrs, which would look up the caller's
			// program counter for a source the handler does not print; it is written when elapsed was taken.
			rec := slog.NewRecord(start.Add(elapsed), level, msg, 0)
			rec.AddAttrs(slog.String("request_id", id), slog.String("method", c.Request().Method),
				slog.String("route", route), slog.Int("status", status), slog.Int64("duration_ms", elapsed.Milliseconds()))
			rec.AddAttrs(extra...)
			_ = logger.Handler().Handle(ctx, rec) // as LogAttrs does, a line that cannot be written is let go
			return nil
		}
	}
}

// statusLabels are the code labels of the status codes, made once rather than on every request.
var statusLabels = func() (l [600]string) {
	for i := range l {
		l[i] = strconv.Itoa(i)
	}
	return l
}()

// statusLabel is the code label of an HTTP status.
func statusLabel(status int) string {
	if status >= 0 && status < len(statusLabels) {
		return statusLabels[status]
	}
	return strconv.Itoa(status)
}

type metrics struct {
	requests   *prometheus.HistogramVec
	deliveries *prometheus.CounterVec
	// delivered holds the deliveries' counters by source and outcome, looked up once.
	delivered map[[2]string]prometheus.Counter
}

// deliveryOutcomes are the outcomes counted of each source's deliveries: the queue's and the receivers'.
var deliveryOutcomes = []string{string(queue.Enqueued), string(queue.Stored), string(queue.Duplicate),
	string(queue.Ignored), "rejected", "unavailable"}

// delivery counts one delivery from source with outcome.
func (m *metrics) delivery(source, outcome string) {
	if c, ok := m.delivered[[2]string{source, outcome}]; ok {
		c.Inc()
		return
	}
	m.deliveries.WithLabelValues(source, outcome).Inc()
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hindsight_http_request_duration_seconds",
			Help:    "HTTP requests by route and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "code"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hindsight_webhook_deliveries_total",
			Help: "Webhook deliveries by source (pagerduty, github) and outcome (enqueued, stored, duplicate, ignored, rejected, unavailable).",
		}, []string{"source", "outcome"}),
	}
	reg.MustRegister(m.requests, m.deliveries)
	m.delivered = map[[2]string]prometheus.Counter{}
	for _, source := range []string{"pagerduty", "github"} {
		for _, outcome := range deliveryOutcomes {
			m.delivered[[2]string{source, outcome}] = m.deliveries.WithLabelValues(source, outcome)
		}
	}
	return m
}
