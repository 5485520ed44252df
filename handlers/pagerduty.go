package handlers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue"
)

// pagerDutyEnvelope is the part of a V3 webhook body the receiver needs; the worker decodes the rest.
type pagerDutyEnvelope struct {
	Event *struct {
		ID           string `json:"id"`
		EventType    string `json:"event_type"`
		ResourceType string `json:"resource_type"`
		Data         struct {
			ID       string `json:"id"`
			Type     string `json:"type"`
			Incident *struct {
				ID string `json:"id"`
			} `json:"incident"`
		} `json:"data"`
	} `json:"event"`
}

// handlePagerDuty receives PagerDuty V3 webhooks. It answers 202 only once the event is durable in Redis,
// 401 for a bad signature, 400 for a body that is not a V3 envelope, 413 above MaxBodyBytes and 503 when
// Redis cannot take it (PagerDuty retries 5xx; it drops other 4xx).
func handlePagerDuty(logger *slog.Logger, cfg Config, sink PagerDutySink, m *metrics) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		webhookID := r.Header.Get("X-Webhook-Id")
		dl := delivery{source: "pagerduty", c: c, m: m,
			log: logger.With("request_id", c.Get("request_id"), "webhook_id", webhookID)}
		reject := dl.reject
		body, err := dl.body()
		if err != nil {
			return err
		}
		if !verifyPagerDutySignature(body, r.Header.Get("X-PagerDuty-Signature"), cfg.PagerDutySecrets) {
			return reject(http.StatusUnauthorized, "X-PagerDuty-Signature is missing or matches no configured webhook secret")
		}
		var env pagerDutyEnvelope
		if err := json.Unmarshal(body, &env); err != nil {
			return reject(http.StatusBadRequest, "body is not JSON: "+err.Error())
		}
		if env.Event == nil || env.Event.EventType == "" {
			return reject(http.StatusBadRequest, "body is not a PagerDuty V3 webhook: event.event_type is missing")
		}
		ev := env.Event
		d := queue.PagerDutyDelivery{WebhookID: webhookID, EventID: ev.ID, EventType: ev.EventType, Body: body}
		if strings.HasPrefix(ev.EventType, "incident.") {
			d.IncidentID = ev.Data.ID
			if ev.Data.Type != "incident" && ev.Data.Incident != nil {
				d.IncidentID = ev.Data.Incident.ID
			}
			if !postmortem.ValidIncidentID(d.IncidentID) {
				return reject(http.StatusBadRequest, "event.data does not name an incident ID")
			}
			if ev.ID == "" {
				return reject(http.StatusBadRequest, "event.id is missing")
			}
		}
		dl.log = dl.log.With("event_id", ev.ID, "event_type", ev.EventType, "incident_id", d.IncidentID)
		return dl.accept(cfg.AnswerTimeout, "deliver again", func(ctx context.Context) (queue.Outcome, error) {
			return sink.AcceptPagerDuty(ctx, d)
		})
	}
}

// verifyPagerDutySignature reports whether header holds a "v1=<hex HMAC-SHA256>" signature of body under
// any of the secrets. During a secret rotation PagerDuty sends several signatures separated by commas.
func verifyPagerDutySignature(body []byte, header string, secrets []string) bool {
	if header == "" || len(secrets) == 0 {
		return false
	}
	macs := make([][]byte, 0, len(secrets))
	for _, s := range secrets {
		if s == "" {
			continue // anybody can sign with the empty key, whatever the configuration says
		}
		h := hmac.New(sha256.New, []byte(s))
		h.Write(body)
		macs = append(macs, h.Sum(nil))
	}
	if len(macs) == 0 {
		return false
	}
	ok := false
	for _, sig := range strings.Split(header, ",") {
		hexSig, found := strings.CutPrefix(strings.TrimSpace(sig), "v1=")
		if !found {
			continue
		}
		got, err := hex.DecodeString(hexSig)
		if err != nil {
			continue
		}
		for _, want := range macs {
			// Compare against every secret without stopping early, so timing says nothing of which matched.
			if hmac.Equal(got, want) {
				ok = true
			}
		}
	}
	return ok
}
