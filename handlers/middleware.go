package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

const requestIDHeader = "X-Request-Id"

// requestID gives every request an ID, kept from the caller when it sends a sane one.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(requestIDHeader)
		if id == "" || len(id) > 64 {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Set("request_id", id)
		c.Response().Header()[requestIDHeader] = []string{id} // the name is canonical already
		return next(c)
	}
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
			m.requests.WithLabelValues(route, strconv.Itoa(status)).Observe(elapsed.Seconds())
			if route == "/healthz" || route == "/readyz" || route == "/metrics" {
				return nil
			}
			level, msg, extra := slog.LevelInfo, "request", []slog.Attr(nil)
			if line, ok := c.Get(deliveryLineKey).(*deliveryLine); ok && line.msg != "" {
				level, msg, extra = line.level, line.msg, line.attrs
			}
			ctx := c.Request().Context()
			if !logger.Enabled(ctx, level) {
				return nil
			}
			attrs := append([]slog.Attr{
				slog.Any("request_id", c.Get("request_id")), slog.String("method", c.Request().Method),
				slog.String("route", route), slog.Int("status", status), slog.Int64("duration_ms", elapsed.Milliseconds()),
			}, extra...)
			logger.LogAttrs(ctx, level, msg, attrs...)
			return nil
		}
	}
}

type metrics struct {
	requests   *prometheus.HistogramVec
	deliveries *prometheus.CounterVec
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
	return m
}
