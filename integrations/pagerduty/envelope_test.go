package pagerduty

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/payloads"
	"github.com/hindsight-dev/hindsight/postmortem"
)

// referenceEnvelope decodes an envelope the plain way, with encoding/json into a struct: DecodeEnvelope must
// agree with it on every body.
func referenceEnvelope(body []byte) (Envelope, bool) {
	var w struct {
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
	if json.Unmarshal(body, &w) != nil || w.Event == nil || w.Event.EventType == "" {
		return Envelope{}, false
	}
	ev := w.Event
	env := Envelope{EventID: ev.ID, EventType: ev.EventType}
	if !strings.HasPrefix(ev.EventType, "incident.") {
		return env, true
	}
	env.IncidentID = ev.Data.ID
	if ev.Data.Type != "incident" && ev.Data.Incident != nil {
		env.IncidentID = ev.Data.Incident.ID
	}
	if !postmortem.ValidIncidentID(env.IncidentID) || ev.ID == "" {
		return Envelope{}, false
	}
	return env, true
}

// FuzzEnvelopeAgreesWithEncodingJSON: the token walk accepts exactly the bodies encoding/json would and
// reads the same fields from them.
func FuzzEnvelopeAgreesWithEncodingJSON(f *testing.F) {
	for _, name := range payloads.PagerDutyNames() {
		if strings.HasPrefix(name, "webhook-v3_") && strings.HasSuffix(name, ".json") {
			f.Add(payloads.PagerDuty(f, name))
		}
	}
	for _, s := range []string{
		`{"event":{"id":"E","event_type":"incident.annotated","data":{"type":"incident_note","incident":{"id":"PABC"}}}}`,
		`{"EVENT":{"ID":"E","Event_Type":"incident.resolved","data":{"id":"PABC","type":"incident"}}}`,
		`{"event":{"id":"A"},"event":{"event_type":"incident.resolved","data":{"id":"PX"}}}`,
		`{"event":{"id":"A","event_type":"incident.resolved","data":{"id":"PX"}},"event":null}`,
		`{"event":{"id":"A","event_type":"incident.annotated","data":{"type":"n","incident":{"id":"P1"},"incident":null,"id":"P2"}}}`,
		`{"event":{"id":5,"event_type":"incident.resolved","data":{"id":"PX"}}}`,
		`{"event":{"id":"E","event_type":"incident.resolved","data":{"id":"PX"}}} {}`,
		`{"event":{"id":"E\ud800","event_type":"incident.resolved","data":{"id":"PX"}}}`,
		"{\"event\":{\"id\":\"E\xff\",\"event_type\":\"incident.resolved\",\"data\":{\"id\":\"PX\"}}}",
		`{"\u0065vent":{"i\u0064":"E","event_type":"incident.resolved","data":{"id":"PX"}}}`,
		`null`, `[]`, `{"event":[]}`, `{"event":{"data":null,"event_type":"pagey.ping"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		want, wantOK := referenceEnvelope(body)
		got, err := DecodeEnvelope(body)
		if (err == nil) != wantOK {
			t.Fatalf("DecodeEnvelope(%q) error %v; encoding/json accepts it: %v", body, err, wantOK)
		}
		if err == nil && got != want {
			t.Fatalf("DecodeEnvelope(%q) = %+v, encoding/json reads %+v", body, got, want)
		}
	})
}

func BenchmarkDecodeEnvelope(b *testing.B) {
	body := payloads.PagerDuty(b, "webhook-v3_incident.annotated_zulip-fixture.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeEnvelope(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReferenceEnvelope(b *testing.B) {
	body := payloads.PagerDuty(b, "webhook-v3_incident.annotated_zulip-fixture.json")
	b.ReportAllocs()
	for b.Loop() {
		referenceEnvelope(body)
	}
}
