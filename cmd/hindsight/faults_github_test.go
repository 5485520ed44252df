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

const githubUnavailable = `{"message":"Service Unavailable","documentation_url":"https://docs.github.com/rest"}`

// TestFaultGitHubUnavailable has GitHub answer 503 to everything for a while (time scaled down: retries
// start at 100 ms): once it recovers every postmortem completes, with one branch, one pull request and
// one issue per action item, and while it is down the workers back off instead of hammering it.
func TestFaultGitHubUnavailable(t *testing.T) {
	redis := startAOFRedis(t)
	pd := pagerdutytest.NewServer(t, pdToken)
	ids := incidentIDs("GHDOWN", 3)
	addIncidents(pd, ids...)
	addActionItems(pd, 2, ids...)
	gh := githubtest.NewServer(t, "acme", "postmortems", ghToken)
	var down atomic.Bool
	var duringOutage atomic.Int32
	down.Store(true)
	gh.Fail(func(*http.Request) (int, string, bool) {
		if !down.Load() {
			return 0, "", false
		}
		duringOutage.Add(1)
		return http.StatusServiceUnavailable, githubUnavailable, true
	})
	svc := startService(t, faultEnv(t, redis.URL(), pd, gh, ""))
	for i, id := range ids {
		svc.deliver(t, resolvedEvent(id, "EV"+id, i+1), "W"+id)
	}
	const outage = 3 * time.Second
	time.Sleep(outage)
	down.Store(false)
	n := duringOutage.Load()
	// Each task's attempts wait 100 ms, 200 ms, 400 ms … 1 s, each stretched to the next whole second (asynq
	// keeps due times in whole seconds): about four each in 3 s. A worker retrying without backoff would
	// send thousands, and one whose short waits ran at once would spend its twelve retries in the outage.
	if n == 0 || n > 60 {
		t.Errorf("%d requests to GitHub during a %s outage with %d incidents: want a few per retry, backed off", n, outage, len(ids))
	}
	wantExactlyOnce(t, pd, gh, svc.logs, ids...)
	wantOneIssuePerItem(t, gh, 2, svc.logs, ids...)
	t.Logf("%d GitHub requests during the outage", n)
}

// TestFaultPagerDutyIncidentGoneOrForbidden: a deleted incident (404, 410) or a token without access to it
// (403) fails for good: the task is archived at once with the reason, not retried a dozen times.
func TestFaultPagerDutyIncidentGoneOrForbidden(t *testing.T) {
	redis := startAOFRedis(t)
	gh := githubtest.NewServer(t, "acme", "postmortems", ghToken)
	for _, tc := range []struct {
		status int
		reason string
	}{
		{http.StatusNotFound, "PagerDuty answered 404"},
		{http.StatusGone, "PagerDuty answered 410"},
		{http.StatusForbidden, "PagerDuty answered 403"},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			pd := pagerdutytest.NewServer(t, pdToken)
			id := fmt.Sprintf("PGONE%d", tc.status)
			if tc.status != http.StatusNotFound {
				addIncidents(pd, id)
				pd.FailNext(1000, tc.status)
			}
			svc := startService(t, faultEnv(t, redis.URL(), pd, gh, ""))
			svc.deliver(t, resolvedEvent(id, "EV"+id, 1), "W"+id)
			info := archivedTask(t, redis.URL(), "pagerduty-event:EV"+id, svc.logs)
			if info.Retried != 0 {
				t.Errorf("retried %d times before it was archived, want 0", info.Retried)
			}
			if !containsAll(info.LastErr, tc.reason, "permanent failure") {
				t.Errorf("archived with %q, want the reason (%s)", info.LastErr, tc.reason)
			}
			gets := 0
			for _, r := range pd.Requests() {
				if r.Method == http.MethodGet && r.Path == "/incidents/"+id {
					gets++
				}
			}
			if gets != 1 {
				t.Errorf("%d requests for the incident, want 1", gets)
			}
			if n := len(gh.PullRequests()); n != 0 {
				t.Errorf("%d pull requests", n)
			}
		})
	}
}
