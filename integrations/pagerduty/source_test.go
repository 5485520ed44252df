package pagerduty

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/postmortem"
)

// The pipeline's source marks what no retry mends, an incident PagerDuty does not know or does not show
// the token, as permanent; a server error stays transient.
func TestSourceMarksPermanentFailures(t *testing.T) {
	for _, tc := range []struct {
		status    int
		permanent bool
	}{
		{http.StatusNotFound, true},
		{http.StatusGone, true},
		{http.StatusForbidden, true},
		{http.StatusBadRequest, false},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			srv := pagerdutytest.NewServer(t, testToken)
			synthetic(srv, "PSRC001", 3)
			srv.FailNext(100, tc.status)
			c, _ := newTestClient(t, srv.URL(), Options{From: "bot@example.com"})
			_, err := Source{Client: c}.Incident(context.Background(), "PSRC001", nil)
			if err == nil || errors.Is(err, postmortem.ErrPermanent) != tc.permanent {
				t.Errorf("Incident: %v, want permanent %v", err, tc.permanent)
			}
			_, err = Source{Client: c}.AddNote(context.Background(), "PSRC001", "note")
			if err == nil || errors.Is(err, postmortem.ErrPermanent) != tc.permanent {
				t.Errorf("AddNote: %v, want permanent %v", err, tc.permanent)
			}
		})
	}
}

// Without a token an incident comes from its stored events; one no event describes fails for good.
func TestEventsOnlySource(t *testing.T) {
	id, bodies := SampleWebhooks(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	var events []postmortem.Event
	for _, raw := range bodies {
		ev, err := EventsOnly{}.DecodeEvent(raw)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, ev)
	}
	inc, err := EventsOnly{}.Incident(context.Background(), id, events)
	if err != nil || inc.ID != id {
		t.Fatalf("incident from the sample events: %+v, %v", inc.ID, err)
	}
	if _, err := (EventsOnly{}).Incident(context.Background(), "PX", nil); !errors.Is(err, postmortem.ErrPermanent) {
		t.Errorf("no events: %v, want a permanent failure", err)
	}
}
