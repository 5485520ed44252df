package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

func handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers 503 when Redis does not answer. The cause, which names Redis's address, goes to
// the log only: the probe's answer may be seen from outside.
func handleReadyz(logger *slog.Logger, ping Pinger) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := ping(ctx); err != nil {
			logger.Warn("not ready: redis does not answer", "request_id", requestIDOf(c), "err", err)
			return echo.NewHTTPError(http.StatusServiceUnavailable, "redis does not answer")
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	}
}
