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
		c.Response().Header().Set(requestIDHeader, id)
		return next(c)
	}
}

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
			m.requests.With(prometheus.Labels{"route": route, "code": strconv.Itoa(status)}).Observe(time.Since(start).Seconds())
			if route != "/healthz" && route != "/readyz" && route != "/metrics" {
				logger.Info("request", "request_id", c.Get("request_id"), "method", c.Request().Method,
					"route", route, "status", status, "duration_ms", time.Since(start).Milliseconds())
			}
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
