package pagerduty

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// Envelope is what a receiver needs of a V3 webhook body to store it; the worker decodes the rest with
// DecodeEvent.
type Envelope struct {
	EventID   string
	EventType string
	// IncidentID is the incident an "incident.*" event concerns; empty for any other event.
	IncidentID string
}

// wireEnvelope is the part of a V3 webhook body DecodeEnvelope reads.
type wireEnvelope struct {
	Event *struct {
		ID        string `json:"id"`
		EventType string `json:"event_type"`
		Data      struct {
			ID       string `json:"id"`
			Type     string `json:"type"`
			Incident *struct {
				ID string `json:"id"`
			} `json:"incident"`
		} `json:"data"`
	} `json:"event"`
}

// DecodeEnvelope reads the event ID, type and incident of a V3 webhook body. It fails, with a message fit
// for the sender, on a body that is not JSON, lacks event.event_type, or is an incident event without an
// incident ID or an event ID. Verify the signature on the raw body first.
func DecodeEnvelope(body []byte) (Envelope, error) {
	var w wireEnvelope
	if err := json.Unmarshal(body, &w); err != nil {
		return Envelope{}, errors.New("body is not JSON: " + err.Error())
	}
	if w.Event == nil || w.Event.EventType == "" {
		return Envelope{}, errors.New("body is not a PagerDuty V3 webhook: event.event_type is missing")
	}
	ev := w.Event
	env := Envelope{EventID: ev.ID, EventType: ev.EventType}
	if !strings.HasPrefix(ev.EventType, "incident.") {
		return env, nil
	}
	env.IncidentID = ev.Data.ID
	if ev.Data.Type != "incident" && ev.Data.Incident != nil {
		env.IncidentID = ev.Data.Incident.ID
	}
	// The ID is bounded before it becomes part of a Redis key.
	if !postmortem.ValidIncidentID(env.IncidentID) {
		return Envelope{}, errors.New("event.data does not name an incident ID")
	}
	if ev.ID == "" {
		return Envelope{}, errors.New("event.id is missing")
	}
	return env, nil
}

// VerifySignature reports whether header (X-PagerDuty-Signature) holds a "v1=<hex HMAC-SHA256>" signature
// of body under any of the secrets. During a secret rotation PagerDuty sends several signatures separated
// by commas. An empty secret never verifies anything.
func VerifySignature(body []byte, header string, secrets []string) bool {
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
