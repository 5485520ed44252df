package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/internal/benchstats"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
)

// The latency benchmarks run `hindsight serve` as a deployment runs it and time, one incident at a time,
// from the POST of its incident.resolved webhook to the log line that says its postmortem is done. They
// take a few seconds each, so they are benchmarks, never part of `go test`.

// doneLines is the service's log output (text format): it passes on the incident ID of each line whose
// message starts with msg.
type doneLines struct {
	msg  string
	ids  chan string
	mu   sync.Mutex
	rest []byte
	all  bytes.Buffer
}

func newDoneLines(msg string) *doneLines {
	return &doneLines{msg: `msg="` + msg, ids: make(chan string, 1024)}
}

func (d *doneLines) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.all.Write(p)
	d.rest = append(d.rest, p...)
	for {
		i := bytes.IndexByte(d.rest, '\n')
		if i < 0 {
			break
		}
		line := string(d.rest[:i])
		d.rest = d.rest[i+1:]
		if !strings.Contains(line, d.msg) {
			continue
		}
		if _, after, ok := strings.Cut(line, " incident_id="); ok {
			id, _, _ := strings.Cut(after, " ")
			d.ids <- id
		}
	}
	return len(p), nil
}

func (d *doneLines) String() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.all.String()
}

// serveFor runs `hindsight serve` with env until the benchmark ends and returns its address.
func serveFor(b *testing.B, env map[string]string, logs io.Writer) string {
	b.Helper()
	return serveForTB(b, env, logs)
}

// serveForTB is serveFor for a test or a benchmark.
func serveForTB(b testing.TB, env map[string]string, logs io.Writer) string {
	b.Helper()
	addr := freeAddr(b)
	env["HINDSIGHT_LISTEN_ADDR"] = addr
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var runErr error
	go func() {
		defer close(done)
		runErr = run(ctx, []string{"hindsight", "serve"}, func(k string) string { return env[k] }, io.Discard, logs)
	}()
	b.Cleanup(func() {
		cancel()
		<-done
		if runErr != nil {
			b.Errorf("run returned %v", runErr)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return addr
			}
		}
		select {
		case <-done:
			b.Fatalf("run returned before ready: %v\n%s", runErr, logs)
		default:
		}
		if time.Now().After(deadline) {
			b.Fatalf("service not ready: %v\n%s", err, logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// resolveOneByOne resolves each incident in turn and waits for its done line, returning the time each took.
func resolveOneByOne(b *testing.B, addr string, lines *doneLines, ids []string) []time.Duration {
	b.Helper()
	var took []time.Duration
	for i, id := range ids {
		body := resolvedEvent(id, fmt.Sprintf("01LATENCY%s", id), i+1)
		began := time.Now()
		if code := deliverPagerDuty(addr, body, "latency-"+id); code != http.StatusAccepted {
			b.Fatalf("webhook for %s answered %d\n%s", id, code, lines)
		}
		select {
		case got := <-lines.ids:
			if got != id {
				b.Fatalf("done line for %s while waiting for %s", got, id)
			}
		case <-time.After(30 * time.Second):
			b.Fatalf("no done line for %s within 30 s\n%s", id, lines)
		}
		took = append(took, time.Since(began))
	}
	return took
}

// benchCount reads how many incidents a latency benchmark resolves.
func benchCount(b *testing.B, name string, def int) int {
	b.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s: want a positive count, got %q", name, v)
	}
	return n
}

// idleRedisCommands counts the commands Redis runs in d while the service waits with nothing to do: the
// cost of polling for tasks.
func idleRedisCommands(b *testing.B, redisURL string, d time.Duration) float64 {
	b.Helper()
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		b.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	count := func() float64 {
		info, err := rdb.Info(context.Background(), "stats").Result()
		if err != nil {
			b.Fatal(err)
		}
		for _, line := range strings.Split(info, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "total_commands_processed:"); ok {
				n, _ := strconv.ParseFloat(v, 64)
				return n
			}
		}
		b.Fatal("INFO stats has no total_commands_processed")
		return 0
	}
	before := count()
	time.Sleep(d)
	return (count() - before - 1) / d.Seconds()
}

// BenchmarkDraftLatency: a resolved incident to its dry-run draft on disk (no API calls), one incident at a
// time, with the worker's default task check interval and, as the anchor, asynq's own default of a second;
// and what each costs Redis while idle.
//
//	go test -run XXX -bench DraftLatency -benchtime 1x ./cmd/hindsight/
func BenchmarkDraftLatency(b *testing.B) {
	n := benchCount(b, "HINDSIGHT_BENCH_DRAFTS", 30)
	for b.Loop() {
		for _, c := range []struct{ name, interval string }{{"default", ""}, {"asynq-1s", "1s"}} {
			redisServer := queuetest.StartRedis(b)
			config := "log:\n  format: text\n"
			if c.interval != "" {
				config += "worker:\n  task_check_interval: " + c.interval + "\n"
			}
			env := map[string]string{
				"HINDSIGHT_REDIS_URL":                 redisServer.URL,
				"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret,
				"HINDSIGHT_OUTPUT_DIR":                b.TempDir(),
				"HINDSIGHT_CONFIG":                    writeConfig(b, config),
			}
			lines := newDoneLines("postmortem draft written")
			addr := serveFor(b, env, lines)
			count := n
			if c.interval != "" {
				count = min(n, 10) // a second each: ten tell the spread
			}
			took := resolveOneByOne(b, addr, lines, incidentIDs("DRAFT"+strings.ToUpper(c.name[:1]), count))
			for _, id := range incidentIDs("DRAFT"+strings.ToUpper(c.name[:1]), count) {
				if _, err := os.Stat(env["HINDSIGHT_OUTPUT_DIR"] + "/" + id); err != nil {
					b.Fatalf("no draft for %s: %v", id, err)
				}
			}
			idle := idleRedisCommands(b, redisServer.URL, 2*time.Second)
			b.ReportMetric(benchstats.Ms(benchstats.Quantile(took, 0.5)), c.name+"-p50-ms")
			b.ReportMetric(benchstats.Ms(benchstats.Quantile(took, 1)), c.name+"-max-ms")
			b.ReportMetric(idle, c.name+"-idle-redis-cmd/s")
			b.Logf("%s: %d drafts, p50 %v, max %v; idle Redis %.0f commands/s", c.name, len(took),
				benchstats.Quantile(took, 0.5).Round(time.Millisecond), benchstats.Quantile(took, 1).Round(time.Millisecond), idle)
		}
	}
}

// BenchmarkPullRequestLatency: a resolved incident to its open pull request (labels, assignee, reviewers
// and the back-link note included) with every PagerDuty and GitHub call taking 50 ms, one incident at a
// time. It reports the calls each postmortem made and, as the anchor, what they would cost one after the
// other.
//
//	go test -run XXX -bench PullRequestLatency -benchtime 1x ./cmd/hindsight/
func BenchmarkPullRequestLatency(b *testing.B) {
	const apiLatency = 50 * time.Millisecond
	n := benchCount(b, "HINDSIGHT_BENCH_PULL_REQUESTS", 15)
	for b.Loop() {
		redisServer := queuetest.StartRedis(b)
		pd := pagerdutytest.NewServer(b, pdToken)
		gh := githubtest.NewServer(b, "acme", "postmortems", ghToken)
		gh.SetLogin("hindsight-bot")
		gh.AddCollaborators("sre-lead", "ana-gh", "ben-gh")
		ids := incidentIDs("PULL", n)
		for i, id := range ids {
			inc, entries, notes := pagerdutytest.Synthetic(id, i+1, 40, time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
			pd.AddIncident(inc)
			pd.AddLogEntries(id, entries...)
			pd.AddNotes(id, notes...)
		}
		// The write limiter is off: its 80 writes a minute would hold the twelfth pull request back, and the
		// time measured here is the pipeline's, not the limiter's (BenchmarkIncidentStorm measures that).
		config := writeConfig(b, "log:\n  format: text\ngithub:\n  labels: [postmortem]\n  reviewers: [sre-lead]\n  default_owner: sre-lead\n"+
			"  write_limits: {per_minute: 0, per_hour: 0}\n"+
			"people:\n  PUSERA1: ana-gh\n  PUSERB2: ben-gh\n")
		lines := newDoneLines("postmortem pull request opened")
		addr := serveFor(b, fakesEnv(redisServer.URL, pd, gh, config), lines)
		pd.SetLatency(apiLatency)
		gh.SetLatency(apiLatency)
		pdBefore, ghBefore := len(pd.Requests()), len(gh.Requests())
		took := resolveOneByOne(b, addr, lines, ids)
		pdCalls := float64(len(pd.Requests())-pdBefore) / float64(n)
		ghCalls := float64(len(gh.Requests())-ghBefore) / float64(n)
		serial := time.Duration((pdCalls + ghCalls) * float64(apiLatency))
		for _, pr := range gh.PullRequests() {
			if len(pr.Labels) == 0 || len(pr.Assignees) == 0 || len(pr.RequestedReviewers) == 0 {
				b.Errorf("pull request #%d lacks labels, an assignee or reviewers: %+v", pr.Number, pr)
			}
		}
		b.ReportMetric(benchstats.Ms(benchstats.Quantile(took, 0.5)), "p50-ms")
		b.ReportMetric(benchstats.Ms(benchstats.Quantile(took, 1)), "max-ms")
		b.ReportMetric(pdCalls, "pagerduty-calls/pr")
		b.ReportMetric(ghCalls, "github-calls/pr")
		b.ReportMetric(benchstats.Ms(serial), "serial-calls-ms")
		b.Logf("%d pull requests: p50 %v, max %v; %.1f PagerDuty and %.1f GitHub calls each, %v one after the other",
			n, benchstats.Quantile(took, 0.5).Round(time.Millisecond), benchstats.Quantile(took, 1).Round(time.Millisecond), pdCalls, ghCalls, serial.Round(time.Millisecond))
	}
}
