package pagerduty_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/internal/payloads"
)

// FuzzPagerDutyEnvelope feeds arbitrary bodies: an envelope decodes or is refused with an error, never a
// panic, and an incident event never comes without a sane incident ID and an event ID. A body signed with
// the secret verifies, and never under the empty key.
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
	const secret = "test-subscription-secret"
	sane := regexp.MustCompile(`^[A-Z0-9]{1,64}$`)
	f.Fuzz(func(t *testing.T, body []byte) {
		if !pagerduty.VerifySignature(body, "v1=00, "+sign(body, secret), []string{"rotated-out", secret}) {
			t.Fatal("a body signed with the second secret does not verify")
		}
		if pagerduty.VerifySignature(body, sign(body, ""), []string{""}) {
			t.Fatal("a body signed with the empty key verifies")
		}
		env, err := pagerduty.DecodeEnvelope(body)
		if err != nil {
			return
		}
		switch {
		case env.EventType == "":
			t.Fatalf("envelope without an event type from %q", body)
		case strings.HasPrefix(env.EventType, "incident.") && (!sane.MatchString(env.IncidentID) || env.EventID == ""):
			t.Fatalf("incident event %+v without a sane incident ID or an event ID from %q", env, body)
		case !strings.HasPrefix(env.EventType, "incident.") && env.IncidentID != "":
			t.Fatalf("%s event names incident %q", env.EventType, env.IncidentID)
		}
	})
}

func sign(body []byte, secret string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	return "v1=" + hex.EncodeToString(h.Sum(nil))
}
