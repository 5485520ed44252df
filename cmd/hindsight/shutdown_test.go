package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/internal/syncbuf"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
)

// TestShutdownDrainsHTTPAndWorkersInParallel stops a service that has both a webhook request and a
// postmortem task stuck: it returns within its grace period (not the sum of an HTTP and a worker drain),
// and the task it cut short is run again by the next process, once.
func TestShutdownDrainsHTTPAndWorkersInParallel(t *testing.T) {
	redis := queuetest.StartRedis(t)
	pd := pagerdutytest.NewServer(t, pdToken)
	incident, entries, notes := pagerdutytest.Synthetic("PCPZE64", 6, 20, time.Date(2021, 6, 4, 12, 0, 0, 0, time.UTC))
	pd.AddIncident(incident)
	pd.AddLogEntries("PCPZE64", entries...)
	pd.AddNotes("PCPZE64", notes...)
	gh := githubtest.NewServer(t, "acme", "postmortems", ghToken)

	// GitHub hangs on every write until released, or until the client gives up.
	release := make(chan struct{})
	stuck := make(chan struct{}, 1)
	var once sync.Once
	gh.Inject(func(r *http.Request) (githubtest.Fault, bool) {
		if r.Method == http.MethodGet {
			return githubtest.Fault{}, false
		}
		select {
		case stuck <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return githubtest.Fault{}, false
	})
	defer once.Do(func() { close(release) })

	const grace = 2 * time.Second
	env := fakesEnv(redis.URL, pd, gh, writeConfig(t, fmt.Sprintf("shutdown_grace: %s\nworker:\n  retry_base: 100ms\n  retry_max: 1s\nlog:\n  format: text\n", grace)))
	env["HINDSIGHT_LISTEN_ADDR"] = freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncbuf.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"hindsight", "serve"}, func(k string) string { return env[k] }, io.Discard, logs)
	}()
	svc := &service{addr: env["HINDSIGHT_LISTEN_ADDR"], logs: logs}
	eventually(t, "the service to be ready", func() bool {
		resp, err := http.Get("http://" + svc.addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, logs)

	svc.deliver(t, resolvedFixture(t), "delivery-1")
	select {
	case <-stuck:
	case <-time.After(20 * time.Second):
		t.Fatalf("the worker never reached GitHub\n%s", logs)
	}
	// A webhook whose body never finishes arriving keeps the HTTP server busy.
	conn, err := net.Dial("tcp", svc.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /webhooks/pagerduty HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"event\":")
	time.Sleep(100 * time.Millisecond)

	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v", err)
		}
	case <-time.After(4 * grace):
		t.Fatalf("run did not return within %s of its context ending\n%s", 4*grace, logs)
	}
	if took := time.Since(start); took > grace+grace/2 {
		t.Errorf("shutdown took %s with a grace period of %s: the drains ran one after the other", took, grace)
	}
	if !strings.Contains(logs.String(), "shutdown grace period over") {
		t.Errorf("the log does not say the stalled webhook's connection was closed\n%s", logs)
	}

	// The cut-short task went back to the queue: the next process publishes it once.
	once.Do(func() { close(release) })
	next := startService(t, env)
	eventually(t, "the pull request", func() bool { return len(gh.PullRequests()) == 1 }, next.logs)
	eventually(t, "the back-link note", func() bool {
		for _, n := range pd.Notes("PCPZE64") {
			if strings.Contains(string(n), "Postmortem draft for review") {
				return true
			}
		}
		return false
	}, next.logs)
	time.Sleep(200 * time.Millisecond)
	if n := len(gh.PullRequests()); n != 1 {
		t.Errorf("%d pull requests, want 1", n)
	}
}
