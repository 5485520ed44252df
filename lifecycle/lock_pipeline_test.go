package lifecycle_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// stealingSource reads the incident and then lets another attempt take its lock, as when the lock
// expired while this attempt stalled.
type stealingSource struct {
	postmortem.IncidentSource
	steal func()
}

func (s stealingSource) Incident(ctx context.Context, id string, events []postmortem.Event) (postmortem.Incident, error) {
	inc, err := s.IncidentSource.Incident(ctx, id, events)
	s.steal()
	return inc, err
}

// TestPipelineStopsBeforeWritingWhenItsLockIsLost: an attempt that lost its lock writes nothing more to
// GitHub or PagerDuty, and is retried later (ErrLocked), not archived.
func TestPipelineStopsBeforeWritingWhenItsLockIsLost(t *testing.T) {
	p := newPipeline(t)
	rdb := p.redis.Client(t)
	var writes atomic.Int32
	p.gh.Inject(func(r *http.Request) (githubtest.Fault, bool) {
		if r.Method != http.MethodGet {
			writes.Add(1)
		}
		return githubtest.Fault{}, false
	})
	p.h.Source = stealingSource{IncidentSource: p.h.Source, steal: func() {
		rdb.Set(context.Background(), "hindsight:lock:postmortem:"+incidentID, "other-attempt", time.Minute)
	}}
	err := p.process(t)
	if !errors.Is(err, redisstore.ErrLockLost) || !errors.Is(err, redisstore.ErrLocked) {
		t.Fatalf("error %v, want ErrLockLost (retried like ErrLocked)", err)
	}
	if n := writes.Load(); n != 0 {
		t.Errorf("%d GitHub writes after the lock was lost", n)
	}
	if n := len(p.gh.PullRequests()); n != 0 {
		t.Errorf("%d pull requests", n)
	}
	for _, n := range p.pd.Notes(incidentID) {
		if strings.Contains(string(n), postmortem.BackLinkNote("")) {
			t.Errorf("a back-link note was added after the lock was lost")
		}
	}
}
