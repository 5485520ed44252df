package pagerduty

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
)

// TestDeletedOrForbiddenIncident: a 410 reads as not found (the incident was deleted) and a 403 as no
// access, each at the first answer, without a retry.
func TestDeletedOrForbiddenIncident(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   error
	}{
		{http.StatusGone, ErrNotFound},
		{http.StatusForbidden, ErrForbidden},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			srv := pagerdutytest.NewServer(t, testToken)
			synthetic(srv, "PGONE01", 3)
			srv.FailNext(100, tc.status)
			c, _ := newTestClient(t, srv.URL(), Options{})
			_, err := c.Incident(context.Background(), "PGONE01")
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("%d requests, want 1: no retry mends it", n)
			}
		})
	}
}
