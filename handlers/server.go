// Package handlers is Hindsight's HTTP surface: webhook receivers, health, metrics and the postmortems page.
package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/lifecycle"
	"github.com/hindsight-dev/hindsight/queue"
)

// MaxBodyBytes is the largest webhook body accepted: PagerDuty guarantees payloads up to 55 KB and tries
// up to 256 KB.
const MaxBodyBytes = 1 << 20

// PagerDutySink makes a verified PagerDuty delivery durable.
type PagerDutySink interface {
	AcceptPagerDuty(ctx context.Context, d queue.PagerDutyDelivery) (queue.Outcome, error)
}

// GitHubSink makes a verified GitHub delivery durable.
type GitHubSink interface {
	AcceptGitHub(ctx context.Context, t lifecycle.GitHubEvent) (queue.Outcome, error)
}

// Sink takes every verified delivery; *queue.Queue is one.
type Sink interface {
	PagerDutySink
	GitHubSink
}

// Pinger reports whether the queue's Redis answers.
type Pinger func(ctx context.Context) error

// Config holds what the handlers need to verify webhooks.
type Config struct {
	// PagerDutySecrets are the webhook subscription secrets; a delivery signed with any of them passes.
	PagerDutySecrets []string
	// GitHubSecret is the secret of the GitHub webhook (X-Hub-Signature-256). Empty, every GitHub
	// delivery is refused with 401.
	GitHubSecret string
	// AnswerTimeout bounds the work done before answering a webhook (PagerDuty waits 5 s, GitHub 10 s).
	AnswerTimeout time.Duration
	// WebhooksOff leaves the webhook routes out, for a process that only runs workers and serves its
	// health and metrics.
	WebhooksOff bool
	// Admin is the admin side (/metrics, the queue console) served on this listener.
	Admin Admin
	// AdminElsewhere leaves the admin side out: an admin listener of its own serves it.
	AdminElsewhere bool
}

// NewServer returns the HTTP handler of the whole service.
func NewServer(logger *slog.Logger, cfg Config, sink Sink, ping Pinger, gatherer prometheus.Gatherer, reg prometheus.Registerer) http.Handler {
	if cfg.AnswerTimeout == 0 {
		cfg.AnswerTimeout = 3 * time.Second
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler(logger)
	m := newMetrics(reg)
	addRoutes(e, logger, cfg, sink, ping, gatherer, m)
	return e
}

// errorBody is the JSON body of every error answer.
type errorBody struct {
	Error string `json:"error"`
}

func errorHandler(logger *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, msg := http.StatusInternalServerError, "internal error"
		var he *echo.HTTPError
		if errors.As(err, &he) {
			status = he.Code
			if s, ok := he.Message.(string); ok {
				msg = s
			} else {
				msg = http.StatusText(status)
			}
		} else {
			logger.Error("request failed", "path", c.Path(), "error", err)
		}
		if err := c.JSON(status, errorBody{Error: msg}); err != nil {
			logger.Debug("write error answer", "error", err)
		}
	}
}
