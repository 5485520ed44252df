package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// TestServeWarnsOfRedisDurabilityAndWaitsForReplicas: against a Redis without an append-only file and
// without replicas, serve warns in its log and metrics, and with redis.min_replicas_acked it answers 503
// rather than 202: the event is not safe yet.
func TestServeWarnsOfRedisDurabilityAndWaitsForReplicas(t *testing.T) {
	redis := queuetest.StartRedis(t)
	svc := startService(t, map[string]string{
		"HINDSIGHT_CONFIG":                    writeConfig(t, "redis:\n  min_replicas_acked: 1\n  replicas_timeout: 200ms\nlog:\n  format: text\n"),
		"HINDSIGHT_REDIS_URL":                 redis.URL,
		"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret,
		"HINDSIGHT_OUTPUT_DIR":                t.TempDir(),
	})
	body := resolvedFixture(t)
	req, _ := http.NewRequest(http.MethodPost, "http://"+svc.addr+"/webhooks/pagerduty", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-PagerDuty-Signature", "v1="+hmacHex(webhookSecret, body))
	req.Header.Set("X-Webhook-Id", "delivery-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(answer), `"error"`) {
		t.Errorf("answered %d %s, want 503 with an error: no replica holds the event", resp.StatusCode, answer)
	}
	eventually(t, "the durability warning", func() bool {
		return strings.Contains(svc.logs.String(), "Redis could lose acknowledged events") && strings.Contains(svc.logs.String(), "risk=no_aof")
	}, svc.logs)

	resp, err = http.Get("http://" + svc.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`hindsight_redis_durability_risk{risk="no_aof"} 1`, `hindsight_redis_durability_risk{risk="eviction"} 0`, `hindsight_archived_tasks{type="postmortem:publish"} 0`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestConfigReplicasTimeoutIsBounded(t *testing.T) {
	for _, text := range []string{"redis:\n  replicas_timeout: 10s\n", "redis:\n  min_replicas_acked: -1\n", "shutdown_grace: 30s\n", "shutdown_grace: 0s\n"} {
		env := map[string]string{"HINDSIGHT_CONFIG": writeConfig(t, text)}
		if _, err := loadConfig(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "HINDSIGHT_CONFIG") {
			t.Errorf("%q: %v, want an error naming HINDSIGHT_CONFIG", text, err)
		}
	}
}

// TestReplayArchived moves an archived postmortem task back to the queue.
func TestReplayArchived(t *testing.T) {
	redis := queuetest.StartRedis(t)
	rdb, err := redisstore.OpenRedis(redis.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	q := queue.New(rdb, redisstore.NewStore(rdb, time.Hour), 0)
	defer q.Close()
	if _, err := q.AcceptPagerDuty(context.Background(), queue.PagerDutyDelivery{WebhookID: "W1", EventID: "E1", EventType: "incident.resolved", IncidentID: "PCPZE64", Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	in := asynq.NewInspectorFromRedisClient(rdb)
	if err := in.ArchiveTask("default", "pagerduty-event:E1"); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	env := map[string]string{"HINDSIGHT_REDIS_URL": redis.URL}
	if err := run(context.Background(), []string{"hindsight", "replay", "--archived"}, func(k string) string { return env[k] }, &out, &errs); err != nil {
		t.Fatalf("%v %s", err, errs.String())
	}
	if got := out.String(); got != "enqueued 1 archived tasks again\n" {
		t.Errorf("stdout %q", got)
	}
	info, err := in.GetQueueInfo("default")
	if err != nil {
		t.Fatal(err)
	}
	if info.Archived != 0 || info.Pending != 1 {
		t.Errorf("archived %d pending %d, want 0 and 1", info.Archived, info.Pending)
	}
	err = run(context.Background(), []string{"hindsight", "replay", "--archived", "--incident", "PCPZE64"}, func(k string) string { return env[k] }, &out, &errs)
	if ue := (usageError{}); !errors.As(err, &ue) {
		t.Errorf("--archived with --incident: %v, want a usage error", err)
	}
}
