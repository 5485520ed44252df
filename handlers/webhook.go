package handlers

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hindsight-dev/hindsight/queue"
)

// delivery is one webhook request being received: what both receivers do the same way, for their source
// ("pagerduty", "github").
type delivery struct {
	source string
	c      echo.Context
	log    *slog.Logger
	m      *metrics
}

// reject answers a delivery that cannot be taken, counting and logging why.
func (d delivery) reject(status int, msg string) error {
	d.m.deliveries.WithLabelValues(d.source, "rejected").Inc()
	d.log.Warn(d.source+" webhook rejected", "status", status, "reason", msg)
	return echo.NewHTTPError(status, msg)
}

// body reads the raw body, as signed, refusing one over MaxBodyBytes.
func (d delivery) body() ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(d.c.Request().Body, MaxBodyBytes+1))
	if err != nil {
		return nil, d.reject(http.StatusBadRequest, "read body: "+err.Error())
	}
	if len(body) > MaxBodyBytes {
		return nil, d.reject(http.StatusRequestEntityTooLarge, "body is larger than 1 MiB")
	}
	return body, nil
}

// accept hands the delivery to the queue within timeout and answers 202 once it is durable, or 503 asking
// for it again (again says how: PagerDuty delivers again by itself, GitHub needs a person to redeliver).
func (d delivery) accept(timeout time.Duration, again string, take func(ctx context.Context) (queue.Outcome, error)) error {
	ctx, cancel := context.WithTimeout(d.c.Request().Context(), timeout)
	defer cancel()
	outcome, err := take(ctx)
	if err != nil {
		d.m.deliveries.WithLabelValues(d.source, "unavailable").Inc()
		d.log.Error(d.source+" webhook not stored", "error", err)
		if errors.Is(err, context.DeadlineExceeded) {
			return echo.NewHTTPError(http.StatusServiceUnavailable, "the queue did not answer in time; "+again)
		}
		return echo.NewHTTPError(http.StatusServiceUnavailable, "the queue cannot take the event now; "+again)
	}
	return d.answer(outcome)
}

// answer says 202 with what became of the delivery.
func (d delivery) answer(outcome queue.Outcome) error {
	d.m.deliveries.WithLabelValues(d.source, string(outcome)).Inc()
	d.log.Info(d.source+" webhook accepted", "outcome", outcome)
	return d.c.JSON(http.StatusAccepted, map[string]string{"status": string(outcome)})
}
