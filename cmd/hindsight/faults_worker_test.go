package main

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/internal/syncbuf"
)

// TestFaultWorkerStoppedDuringIssueCreation stops the worker while it creates an incident's action item
// issues, at the worst moment: GitHub creates the second issue but the worker never hears of it. The next
// worker finishes the job with exactly one issue per item.
func TestFaultWorkerStoppedDuringIssueCreation(t *testing.T) {
	redis := startAOFRedis(t)
	pd := pagerdutytest.NewServer(t, pdToken)
	const id = "PKILLED1"
	addIncidents(pd, id)
	addActionItems(pd, 3, id)
	gh := githubtest.NewServer(t, "acme", "postmortems", ghToken)
	var creates atomic.Int32
	stuck := make(chan struct{})
	gh.Inject(func(r *http.Request) (githubtest.Fault, bool) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/issues") || creates.Add(1) != 2 {
			return githubtest.Fault{}, false
		}
		close(stuck)
		<-r.Context().Done() // until the stopping worker gives up on it
		return githubtest.Fault{Status: http.StatusBadGateway, Body: `{"message":"Server Error"}`, After: true}, true
	})
	env := faultEnv(t, redis.URL(), pd, gh, "")
	first, stop := startStoppable(t, env)
	first.deliver(t, resolvedEvent(id, "EV"+id, 1), "W"+id)
	select {
	case <-stuck:
	case <-time.After(20 * time.Second):
		t.Fatalf("the worker never created the second issue\n%s", first.logs)
	}
	stop()
	if n := len(actionItemIssuesOf(gh, id)); n != 2 {
		t.Fatalf("%d issues when the worker stopped, want 2 (the second one unheard of)", n)
	}

	next := startService(t, env)
	wantExactlyOnce(t, pd, gh, next.logs, id)
	wantOneIssuePerItem(t, gh, 3, next.logs, id)
}

// TestFaultTwoWorkerProcessesOneIncident runs two service processes on one Redis, each with its own
// asynq server, and resolves the same incident twice at once, one event to each: one pull request.
func TestFaultTwoWorkerProcessesOneIncident(t *testing.T) {
	redis := startAOFRedis(t)
	pd := pagerdutytest.NewServer(t, pdToken)
	const id = "PTWICE1"
	addIncidents(pd, id)
	addActionItems(pd, 2, id)
	gh := githubtest.NewServer(t, "acme", "postmortems", ghToken)
	gh.Inject(func(r *http.Request) (githubtest.Fault, bool) {
		if r.Method != http.MethodGet {
			time.Sleep(20 * time.Millisecond) // long enough for the two runs to overlap
		}
		return githubtest.Fault{}, false
	})
	a := startService(t, faultEnv(t, redis.URL(), pd, gh, ""))
	b := startService(t, faultEnv(t, redis.URL(), pd, gh, ""))
	var wg sync.WaitGroup
	for i, svc := range []*service{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			eventID := []string{"EV1" + id, "EV2" + id}[i]
			if status := deliverPagerDuty(svc.addr, resolvedEvent(id, eventID, 1), "W"+eventID); status != http.StatusAccepted {
				t.Errorf("delivery %d answered %d", i, status)
			}
		}()
	}
	wg.Wait()
	logs := multiLog{a.logs, b.logs}
	eventually(t, "both runs to finish", func() bool {
		return strings.Count(logs.String(), "postmortem pull request opened")+strings.Count(logs.String(), "postmortem pull request already open") >= 2
	}, logs)
	wantExactlyOnce(t, pd, gh, logs, id)
	wantOneIssuePerItem(t, gh, 2, logs, id)
}

// multiLog shows the logs of several services.
type multiLog []*syncbuf.Buffer

func (m multiLog) String() string {
	var b strings.Builder
	for i, l := range m {
		b.WriteString("--- service " + string(rune('A'+i)) + "\n" + l.String())
	}
	return b.String()
}
