package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/internal/syncbuf"
	"github.com/hindsight-dev/hindsight/postmortem"
)

// The fault tests run the whole service with time scaled down: retries after 100 ms doubling to 1 s, and
// a two-second shutdown.
const faultConfig = `
worker:
  retry_base: 100ms
  retry_max: 1s
shutdown_grace: 2s
log:
  format: text
`

// resolvedEvent is a PagerDuty V3 incident.resolved webhook for incidentID, as PagerDuty sends it.
func resolvedEvent(incidentID, eventID string, number int) []byte {
	return []byte(fmt.Sprintf(`{"event":{"id":%q,"event_type":"incident.resolved","resource_type":"incident","occurred_at":"2021-06-04T13:16:53.816Z",`+
		`"agent":{"id":"PJ0LVEB","type":"user_reference","summary":"Ana Primary"},"client":null,`+
		`"data":{"id":%q,"type":"incident","self":"https://api.pagerduty.com/incidents/%s","html_url":"https://acme.pagerduty.com/incidents/%s",`+
		`"number":%d,"status":"resolved","title":"Checkout latency above SLO","service":{"id":"PA2P440","type":"service_reference","summary":"checkout"},`+
		`"assignees":[],"teams":[],"priority":null,"urgency":"high","conference_bridge":null,"resolve_reason":null}}}`,
		eventID, incidentID, incidentID, incidentID, number))
}

// addIncidents gives the PagerDuty fake one synthetic incident per ID, numbered from 1.
func addIncidents(pd *pagerdutytest.Server, ids ...string) {
	for i, id := range ids {
		inc, entries, notes := pagerdutytest.Synthetic(id, i+1, 20, time.Date(2021, 6, 4, 12, 0, 0, 0, time.UTC))
		pd.AddIncident(inc)
		pd.AddLogEntries(id, entries...)
		pd.AddNotes(id, notes...)
	}
}

// faultEnv is the environment of a service on redisURL talking to the fakes, with config (YAML) appended
// to faultConfig.
func faultEnv(t *testing.T, redisURL string, pd *pagerdutytest.Server, gh *githubtest.Server, config string) map[string]string {
	t.Helper()
	return fakesEnv(redisURL, pd, gh, writeConfig(t, faultConfig+config))
}

// deliverPagerDuty posts a signed webhook once and returns the status answered (0 when the request failed).
func deliverPagerDuty(addr string, body []byte, webhookID string) int {
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/webhooks/pagerduty", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-PagerDuty-Signature", "v1="+hmacHex(webhookSecret, body))
	req.Header.Set("X-Webhook-Id", webhookID)
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// deliverUntilAccepted delivers as PagerDuty does: again after any answer but 202, until it is accepted.
func deliverUntilAccepted(t *testing.T, addr string, body []byte, webhookID string, logs fmt.Stringer) {
	t.Helper()
	eventually(t, "webhook "+webhookID+" accepted", func() bool {
		if deliverPagerDuty(addr, body, webhookID) == http.StatusAccepted {
			return true
		}
		time.Sleep(100 * time.Millisecond)
		return false
	}, logs)
}

// pullRequestsOf counts the pull requests of an incident's branch.
func pullRequestsOf(gh *githubtest.Server, incidentID string) int {
	n := 0
	for _, pr := range gh.PullRequests() {
		if pr.Head == "postmortem/"+incidentID {
			n++
		}
	}
	return n
}

// backLinksOf counts the back-link notes on an incident.
func backLinksOf(pd *pagerdutytest.Server, incidentID string) int {
	n := 0
	for _, note := range pd.Notes(incidentID) {
		if strings.Contains(string(note), postmortem.BackLinkNote("")) {
			n++
		}
	}
	return n
}

// leaseRecovery bounds how long a task whose worker lost it takes to run again. A fault can take a task
// from the queue without its worker hearing of it (Redis ran the dequeue, the answer was lost with the
// connection); asynq gives it back once its 30 s lease has been expired for 30 s more, which its recoverer
// checks every minute, and then retries it after the first backoff.
const leaseRecovery = 2*time.Minute + 30*time.Second

// wantExactlyOnce waits until every incident has its pull request and back-link note, then checks that
// none has more than one of either, and that GitHub holds one postmortem branch per incident. An incident
// whose task a fault took from its worker is waited for until asynq gives the task back.
func wantExactlyOnce(t *testing.T, pd *pagerdutytest.Server, gh *githubtest.Server, logs fmt.Stringer, ids ...string) {
	t.Helper()
	for _, id := range ids {
		eventuallyWithin(t, leaseRecovery, "the postmortem of "+id, func() bool {
			return pullRequestsOf(gh, id) >= 1 && backLinksOf(pd, id) >= 1
		}, logs)
	}
	time.Sleep(300 * time.Millisecond) // let a duplicate, if any, land
	for _, id := range ids {
		if n := pullRequestsOf(gh, id); n != 1 {
			t.Errorf("%s: %d pull requests, want 1", id, n)
		}
		if n := backLinksOf(pd, id); n != 1 {
			t.Errorf("%s: %d back-link notes, want 1", id, n)
		}
	}
	if n, want := len(gh.Branches()), len(ids)+1; n != want {
		t.Errorf("%d branches, want %d (main and one per incident)", n, want)
	}
	if n, want := len(gh.PullRequests()), len(ids); n != want {
		t.Errorf("%d pull requests in all, want %d", n, want)
	}
}

// aofRedis is a redis-server that keeps every acknowledged write in its append-only file (fsync on each
// write), on a fixed port and directory so that it can be killed and started again with its data.
type aofRedis struct {
	t    *testing.T
	port int
	dir  string
	cmd  *exec.Cmd
}

func startAOFRedis(t *testing.T) *aofRedis {
	t.Helper()
	if os.Getenv("HINDSIGHT_TEST_REDIS_URL") != "" {
		t.Skip("killing Redis needs a server of the test's own")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	r := &aofRedis{t: t, port: port, dir: t.TempDir()}
	r.start()
	t.Cleanup(r.kill)
	return r
}

func (r *aofRedis) URL() string  { return "redis://" + r.Addr() + "/0" }
func (r *aofRedis) Addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

func (r *aofRedis) start() {
	r.t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		r.t.Fatalf("redis-server is not on the PATH (apt-get install -y redis-server): %v", err)
	}
	r.cmd = exec.Command(bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "yes", "--appendfsync", "always", "--dir", r.dir,
		"--logfile", filepath.Join(r.dir, "redis.log"))
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("start redis-server: %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: r.Addr(), DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("redis-server did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends the server with SIGKILL, as a crash or an OOM kill would.
func (r *aofRedis) kill() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_, _ = r.cmd.Process.Wait()
	r.cmd = nil
}

// incidentIDs names n incidents.
func incidentIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("P%s%d", prefix, i+1)
	}
	return ids
}

// addActionItems gives each incident n notes that become action items.
func addActionItems(pd *pagerdutytest.Server, n int, ids ...string) {
	for _, id := range ids {
		for i := range n {
			pd.AddNotes(id, json.RawMessage(fmt.Sprintf(`{"id":"NA%s%d","user":{"id":"PUSERA1","type":"user_reference","summary":"Ana Primary"},"content":"Action item: follow-up %d of %s","created_at":"2021-06-04T12:05:0%dZ"}`, id, i, i, id, i)))
		}
	}
}

// actionItemIssuesOf counts the action item issues of an incident by item, failing the test on any
// duplicate.
func actionItemIssuesOf(gh *githubtest.Server, incidentID string) map[string]int {
	byMarker := map[string]int{}
	for _, is := range gh.Issues() {
		if id, ok := postmortem.IsActionItemIssue(is.Body); ok && id == incidentID {
			byMarker[firstLine(is.Body, "hindsight:action-item")]++
		}
	}
	return byMarker
}

func firstLine(text, containing string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, containing) {
			return l
		}
	}
	return ""
}

// wantOneIssuePerItem waits for n action item issues per incident and checks none is doubled.
func wantOneIssuePerItem(t *testing.T, gh *githubtest.Server, n int, logs fmt.Stringer, ids ...string) {
	t.Helper()
	for _, id := range ids {
		eventually(t, "the action item issues of "+id, func() bool { return len(actionItemIssuesOf(gh, id)) >= n }, logs)
	}
	time.Sleep(200 * time.Millisecond)
	for _, id := range ids {
		issues := actionItemIssuesOf(gh, id)
		if len(issues) != n {
			t.Errorf("%s: %d action items with issues, want %d", id, len(issues), n)
		}
		for marker, count := range issues {
			if count != 1 {
				t.Errorf("%s: %d issues for %s, want 1", id, count, marker)
			}
		}
	}
}

// archivedTask waits until the task is archived and returns it.
func archivedTask(t *testing.T, redisURL, taskID string, logs fmt.Stringer) *asynq.TaskInfo {
	t.Helper()
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	in := asynq.NewInspectorFromRedisClient(rdb)
	var info *asynq.TaskInfo
	eventually(t, "task "+taskID+" archived", func() bool {
		info, err = in.GetTaskInfo("default", taskID)
		return err == nil && info.State == asynq.TaskStateArchived
	}, logs)
	return info
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// startStoppable runs `hindsight serve` like startService, and returns a function that stops it as
// SIGTERM would and waits for it to return.
func startStoppable(t *testing.T, env map[string]string) (*service, func()) {
	t.Helper()
	env["HINDSIGHT_LISTEN_ADDR"] = freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	s := &service{addr: env["HINDSIGHT_LISTEN_ADDR"], logs: &syncbuf.Buffer{}, done: make(chan error, 1)}
	go func() {
		s.done <- run(ctx, []string{"hindsight", "serve"}, func(k string) string { return env[k] }, io.Discard, s.logs)
	}()
	var stopped bool
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-s.done:
			if err != nil {
				t.Errorf("run returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("run did not return after its context ended")
		}
	}
	t.Cleanup(stop)
	// A service that stops before it is ready fails the test at once, with its log.
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + s.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, stop
			}
		}
		select {
		case err := <-s.done:
			stopped = true
			t.Fatalf("run returned before ready: %v\n%s", err, s.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("service not ready: %v\n%s", err, s.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
