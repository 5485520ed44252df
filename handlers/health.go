package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

func handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func handleReadyz(ping Pinger) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := ping(ctx); err != nil {
			return echo.NewHTTPError(http.StatusServiceUnavailable, "redis does not answer: "+err.Error())
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	}
}
