package handlers

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/queue"
)

// handlePagerDuty receives PagerDuty V3 webhooks. It answers 202 only once the event is durable in Redis,
// 401 for a bad signature, 400 for a body that is not a V3 envelope, 413 above MaxBodyBytes and 503 when
// Redis cannot take it (PagerDuty retries 5xx; it drops other 4xx).
func handlePagerDuty(cfg Config, sink PagerDutySink, m *metrics) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		webhookID := r.Header.Get("X-Webhook-Id")
		dl := newDelivery("pagerduty", c, m, slog.String("webhook_id", webhookID))
		reject := dl.reject
		body, err := dl.body()
		if err != nil {
			return err
		}
		if !pagerduty.VerifySignature(body, r.Header.Get("X-PagerDuty-Signature"), cfg.PagerDutySecrets) {
			return reject(http.StatusUnauthorized, "X-PagerDuty-Signature is missing or matches no configured webhook secret")
		}
		env, err := pagerduty.DecodeEnvelope(body)
		if err != nil {
			return reject(http.StatusBadRequest, err.Error())
		}
		d := queue.PagerDutyDelivery{WebhookID: webhookID, EventID: env.EventID, EventType: env.EventType,
			IncidentID: env.IncidentID, Body: body}
		dl.with(slog.String("event_id", env.EventID), slog.String("event_type", env.EventType), slog.String("incident_id", d.IncidentID))
		return dl.accept(cfg.AnswerTimeout, "deliver again", func(ctx context.Context) (queue.Outcome, error) {
			return sink.AcceptPagerDuty(ctx, d)
		})
	}
}
