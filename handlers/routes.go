package handlers

import (
	"log/slog"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hindsight-dev/hindsight/queue"
)

// addRoutes maps the whole HTTP surface.
func addRoutes(e *echo.Echo, logger *slog.Logger, cfg Config, sink Sink, ping Pinger, gatherer prometheus.Gatherer, m *metrics) {
	e.Use(requestID, accessLog(logger, m))
	if !cfg.WebhooksOff {
		e.POST("/webhooks/pagerduty", handlePagerDuty(cfg, sink, m))
		e.POST("/webhooks/github", handleGitHub(cfg, sink, m))
	}
	e.GET("/healthz", handleHealthz)
	e.GET("/readyz", handleReadyz(logger, ping))
	if !cfg.AdminElsewhere {
		addAdminRoutes(e, logger, gatherer, cfg.Admin)
	}
}

// addAdminRoutes maps the admin side, each route behind the admin token when one is set.
func addAdminRoutes(e *echo.Echo, logger *slog.Logger, gatherer prometheus.Gatherer, admin Admin) {
	auth := requireToken(admin.Token)
	// A collector that cannot read Redis must not hide the others, hindsight_redis_up 0 above all.
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})), auth)
	if admin.Console != nil {
		console := echo.WrapHandler(admin.Console)
		e.Any(queue.ConsolePath, console, auth)
		e.Any(queue.ConsolePath+"/*", console, auth)
	}
	if admin.Postmortems != nil {
		e.GET(PostmortemsPath, handlePostmortems(logger, admin.Postmortems, false), auth)
		e.GET(PostmortemsPath+".json", handlePostmortems(logger, admin.Postmortems, true), auth)
	}
}
