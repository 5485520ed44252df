package handlers

import (
	"log/slog"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// addRoutes maps the whole HTTP surface.
func addRoutes(e *echo.Echo, logger *slog.Logger, cfg Config, sink Sink, ping Pinger, gatherer prometheus.Gatherer, m *metrics) {
	e.Use(requestID, accessLog(logger, m))
	if !cfg.WebhooksOff {
		e.POST("/webhooks/pagerduty", handlePagerDuty(logger, cfg, sink, m))
		e.POST("/webhooks/github", handleGitHub(logger, cfg, sink, m))
	}
	e.GET("/healthz", handleHealthz)
	e.GET("/readyz", handleReadyz(logger, ping))
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{})))
}
