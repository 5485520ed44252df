package pagerduty

import (
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// FuzzDecodeNote feeds arbitrary note objects, as PagerDuty's notes API or an export may hold them: a note
// decodes with its time in UTC or is refused with an error, never a panic.
func FuzzDecodeNote(f *testing.F) {
	f.Add([]byte(`{"id":"PWL7QXS","user":{"id":"PXPGF42","type":"user_reference","summary":"Earline Greenholt"},"channel":{"summary":"The PagerDuty website or APIs"},"content":"Firefighters are on the scene.","created_at":"2013-03-06T15:28:51-05:00"}`))
	f.Add([]byte(`{"id":"N1","content":12,"created_at":""}`))
	f.Add([]byte(`{"id":"N2","user":null,"content":{"a":1},"created_at":"2024-02-29T23:59:60Z"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := decodeNote(b)
		if err != nil {
			return
		}
		if !n.At.IsZero() && n.At.Location() != time.UTC {
			t.Errorf("note time %v is not in UTC", n.At)
		}
	})
}

// FuzzDecodeIncident feeds arbitrary incident objects: one decodes with an ID and UTC times, or is
// refused with an error.
func FuzzDecodeIncident(f *testing.F) {
	f.Add([]byte(`{"id":"PT4KHLK","incident_number":1234,"title":"The server is on fire.","status":"resolved","urgency":"high","created_at":"2015-10-06T21:30:42Z","resolved_at":"2015-10-06T21:38:23Z","service":{"id":"PIJ90N7","type":"service_reference","summary":"My Mail Service"},"priority":{"id":"P53ZZH5","summary":"P2"},"assignments":[{"assignee":{"id":"PXPGF42","summary":"Earline Greenholt"}}],"teams":[{"id":"PQ9K7I8","summary":"Engineering"}]}`))
	f.Add([]byte(`{"id":"P1","number":"7","status":"resolved","last_status_change_at":"2020-01-01T00:00:00+14:00","resolve_reason":{"type":"merge_resolve_reason","incident":{"id":"P2"}}}`))
	f.Add([]byte(`{"id":"P3","incident_number":1e300,"conference_bridge":{"conference_number":1}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := decodeIncident(b)
		if err != nil {
			return
		}
		if in.ID == "" {
			t.Error("decoded an incident without an ID")
		}
		for _, at := range []time.Time{in.CreatedAt, in.ResolvedAt} {
			if !at.IsZero() && at.Location() != time.UTC {
				t.Errorf("incident time %v is not in UTC", at)
			}
		}
	})
}

// FuzzDecodeChangeEvents feeds arbitrary pages of related change events: each event decodes with its time
// in UTC, or the page is refused with an error, never a panic.
func FuzzDecodeChangeEvents(f *testing.F) {
	f.Add([]byte(`{"change_events":[{"summary":"Build Success - Increase snapshot create timeout to 30 seconds","id":"01BBYA6PEVW6A852BUO6QYUE7O","timestamp":"2020-07-17T08:42:58Z","type":"change_event","source":"acme-build-pipeline-tool-default-i-9999","integration":{"id":"PEYSGVF","type":"inbound_integration_reference"},"links":[{"href":"https://acme.pagerduty.dev/build/2","text":"View more details in Acme!"}],"correlation_reason":{"reason":"most_recent"}}],"limit":null,"offset":null,"more":false}`))
	f.Add([]byte(`{"change_events":[{"id":"X","timestamp":"2020-07-17T08:42:58+14:00","links":null,"correlation_reason":{"reason":7}}],"more":true}`))
	f.Add([]byte(`{"change_events":[{"id":"Y","timestamp":""}]}`))
	f.Add([]byte(`{"change_events":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		events, _, err := decodeChangeEvents(b)
		if err != nil {
			return
		}
		for _, e := range events {
			if e.At.IsZero() || e.At.Location() != time.UTC {
				t.Errorf("change event time %v is not a UTC time", e.At)
			}
			if e.Kind != postmortem.ChangeEvent || e.Source != "PagerDuty" {
				t.Errorf("change event %+v", e)
			}
		}
	})
}
