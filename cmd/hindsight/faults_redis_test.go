package main

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
)

// TestFaultRedisKilledAndRestartedWithAOF kills Redis with SIGKILL while postmortems are being published
// and webhooks keep coming, then starts it again from its append-only file: every incident whose webhook
// was answered 202 (the others are delivered again, as PagerDuty does) ends with exactly one pull request
// and one back-link note.
func TestFaultRedisKilledAndRestartedWithAOF(t *testing.T) {
	redis := startAOFRedis(t)
	pd := pagerdutytest.NewServer(t, pdToken)
	ids := incidentIDs("REDIS", 6)
	addIncidents(pd, ids...)
	gh := githubtest.NewServer(t, "acme", "postmortems", ghToken)
	// GitHub is slow enough that pipelines are in flight when Redis dies.
	var writes atomic.Int32
	gh.Inject(func(r *http.Request) (githubtest.Fault, bool) {
		if r.Method != http.MethodGet {
			writes.Add(1)
			time.Sleep(30 * time.Millisecond)
		}
		return githubtest.Fault{}, false
	})
	svc := startService(t, faultEnv(t, redis.URL(), pd, gh, ""))

	accepted := map[string]bool{}
	deliver := func(i int) int {
		status := deliverPagerDuty(svc.addr, resolvedEvent(ids[i], fmt.Sprintf("EV%s", ids[i]), i+1), "W"+ids[i])
		if status == http.StatusAccepted {
			accepted[ids[i]] = true
		}
		return status
	}
	for i := range 3 {
		if status := deliver(i); status != http.StatusAccepted {
			t.Fatalf("%s answered %d before any fault", ids[i], status)
		}
	}
	eventually(t, "pipelines writing to GitHub", func() bool { return writes.Load() >= 3 }, svc.logs)
	redis.kill()
	// While Redis is down the receiver must not answer 202.
	for i := 3; i < 5; i++ {
		if status := deliver(i); status == http.StatusAccepted {
			t.Errorf("%s answered 202 while Redis was down", ids[i])
		}
	}
	time.Sleep(500 * time.Millisecond)
	redis.start()
	for i := 3; i < len(ids); i++ {
		deliverUntilAccepted(t, svc.addr, resolvedEvent(ids[i], fmt.Sprintf("EV%s", ids[i]), i+1), "W"+ids[i], svc.logs)
		accepted[ids[i]] = true
	}
	if len(accepted) != len(ids) {
		t.Fatalf("accepted %v", accepted)
	}
	wantExactlyOnce(t, pd, gh, svc.logs, ids...)
}
