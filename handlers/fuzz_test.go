package handlers_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/handlers"
	"github.com/hindsight-dev/hindsight/internal/payloads"
	"github.com/hindsight-dev/hindsight/queue"
)

// acceptAll is a sink that takes every delivery, so the fuzzer exercises the receiver alone.
type acceptAll struct{}

func (acceptAll) AcceptPagerDuty(_ context.Context, d queue.PagerDutyDelivery) (queue.Outcome, error) {
	if d.IncidentID == "" {
		return queue.Ignored, nil
	}
	return queue.Stored, nil
}

// FuzzPagerDutyEnvelope sends validly signed arbitrary bodies: the receiver must answer 202 or 400, never
// fail or hand an event without an incident ID to the queue.
func FuzzPagerDutyEnvelope(f *testing.F) {
	for _, name := range []string{
		"webhook-v3_incident.resolved_zulip-fixture.json",
		"webhook-v3_incident.annotated_zulip-fixture.json",
		"webhook-v3_pagey.ping_n8n-readme.json",
	} {
		f.Add(payloads.PagerDuty(f, name))
	}
	f.Add([]byte(`{"event":{"id":"E","event_type":"incident.annotated","data":{"type":"incident_note","incident":{"id":"PABC"}}}}`))
	f.Add([]byte(`{"event":{"event_type":"incident.resolved","data":{"id":"../../x"}}}`))
	f.Add([]byte(`{"event":null}`))
	reg := prometheus.NewRegistry()
	srv := handlers.NewServer(slog.New(slog.DiscardHandler), handlers.Config{PagerDutySecrets: []string{secret}}, acceptAll{},
		func(context.Context) error { return nil }, reg, reg)
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/pagerduty", bytes.NewReader(body))
		req.Header.Set("X-PagerDuty-Signature", sign(body, secret))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusAccepted, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("answered %d %s for %q", rec.Code, rec.Body, body)
		}
	})
}
