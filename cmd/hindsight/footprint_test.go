package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/internal/payloads"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
)

// redisKeys is every key Hindsight and asynq leave in Redis, by pattern: which code writes it, how it ends,
// and, for a key that never expires, why. The README's "Redis footprint" table says the same.
var redisKeys = []struct {
	class   string
	pattern *regexp.Regexp
	owner   string
	// noExpiry is why the key may live on without an expiry; empty when it must have one.
	noExpiry string
}{
	{"events", regexp.MustCompile(`^hindsight:incident:[A-Z0-9]+:events$`), "redisstore.Store.SaveEvent", ""},
	{"record", regexp.MustCompile(`^hindsight:incident:[A-Z0-9]+:postmortem$`), "redisstore.Store.SaveRecord",
		"read for as long as the pull request can get events: reminders, a reopened incident, its merge"},
	{"tracking", regexp.MustCompile(`^hindsight:incident:[A-Z0-9]+:tracking$`), "redisstore.Store.SaveTracking",
		"the tracking issue of the postmortem's action items, for as long as they can change"},
	{"pulls", regexp.MustCompile(`^hindsight:pulls$`), "redisstore.Store.SaveRecord",
		"one field per postmortem: which incident a pull request's events are about"},
	{"postmortem list", regexp.MustCompile(`^hindsight:postmortems$`), "redisstore.Store.SaveRecord",
		"one member per postmortem, trimmed past redisstore.RecordsRetention (400 days) at each save"},
	{"postmortem list mark", regexp.MustCompile(`^hindsight:postmortems:indexed$`), "redisstore.Store.IndexExisting",
		"one mark: the records saved before the list existed are in it"},
	{"action items", regexp.MustCompile(`^hindsight:action-items$`), "redisstore.Store.SaveActionItem",
		"one field per action item issue: the open action item metrics"},
	{"team rules", regexp.MustCompile(`^hindsight:teamconfig:[^/:]+/[^/:]+$`), "redisstore.Store.SaveTeamConfig",
		"one per postmortem repository: the last valid .github/hindsight.yml stays in force until a valid one replaces it"},
	{"team rules freshness", regexp.MustCompile(`^hindsight:teamconfig:[^/:]+/[^/:]+:fresh$`), "redisstore.Store.SaveTeamConfig", ""},
	{"sent mail", regexp.MustCompile(`^hindsight:mail:`), "redisstore.MailLog", ""},
	{"lock", regexp.MustCompile(`^hindsight:lock:`), "redisstore.Locker", ""},
	{"write limiter", regexp.MustCompile(`^hindsight:write-limit:`), "redisstore.WriteLimiter", ""},
	{"user cache", regexp.MustCompile(`^hindsight:pagerduty:user:`), "redisstore.UserDirectory", ""},
	{"replication probe", regexp.MustCompile(`^hindsight:replication-probe$`), "queue.Queue (redis.min_replicas_acked)",
		"one counter"},
	{"task", regexp.MustCompile(`^asynq:\{[a-z]+\}:t:`), "asynq",
		"asynq deletes a finished task when its retention ends (72 h: its ID deduplicates deliveries), an archived one after 90 days"},
	{"queue", regexp.MustCompile(`^asynq:\{[a-z]+\}:(pending|active|scheduled|retry|archived|completed|lease|paused)$`), "asynq",
		"the queue's lists and sets of task IDs; empty ones are deleted by Redis"},
	{"queue stats", regexp.MustCompile(`^asynq:\{[a-z]+\}:(processed|failed)$`), "asynq", "two counters per queue"},
	{"daily stats", regexp.MustCompile(`^asynq:\{[a-z]+\}:(processed|failed):\d{4}-\d{2}-\d{2}$`), "asynq", ""},
	{"queues", regexp.MustCompile(`^asynq:queues$`), "asynq", "the set of queue names"},
	{"servers", regexp.MustCompile(`^asynq:(servers|workers)$`), "asynq", "sets of the live workers, pruned by asynq"},
	{"server", regexp.MustCompile(`^asynq:(servers|workers):\{`), "asynq", ""},
}

// webhookOf is a recorded PagerDuty webhook (a fixture of internal/payloads) made about incidentID, as
// event eventID.
func webhookOf(tb testing.TB, fixture, incidentID, eventID string) []byte {
	tb.Helper()
	var body map[string]any
	if err := json.Unmarshal(payloads.PagerDuty(tb, fixture), &body); err != nil {
		tb.Fatal(err)
	}
	ev := body["event"].(map[string]any)
	ev["id"] = eventID
	data := ev["data"].(map[string]any)
	if inc, ok := data["incident"].(map[string]any); ok {
		inc["id"] = incidentID
	} else {
		data["id"] = incidentID
	}
	out, err := json.Marshal(body)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// incidentWebhooks are the webhooks of a typical incident's life, in order.
var incidentWebhooks = []string{
	"webhook-v3_incident.triggered_zulip-fixture.json",
	"webhook-v3_incident.annotated_zulip-fixture.json",
	"webhook-v3_incident.status_update_published_zulip-fixture.json",
	"webhook-v3_incident.annotated_zulip-fixture.json",
	"webhook-v3_incident.resolved_zulip-fixture.json",
}

// publishIncidents runs the service on a Redis of its own against the fakes and takes n incidents through
// their life: five webhooks each, a postmortem pull request with two action item issues. It returns a
// client of that Redis once every pull request is open.
func publishIncidents(tb testing.TB, n int) redis.UniversalClient {
	tb.Helper()
	redisServer := queuetest.StartRedis(tb)
	pd := pagerdutytest.NewServer(tb, pdToken)
	gh := githubtest.NewServer(tb, "acme", "postmortems", ghToken)
	gh.SetLogin("hindsight-bot")
	gh.AddCollaborators("sre-lead")
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("PFOOT%03d", i)
	}
	addIncidents(pd, ids...)
	addActionItems(pd, 2, ids...)
	config := writeConfig(tb, "log:\n  format: text\ngithub:\n  reviewers: [sre-lead]\n  default_owner: sre-lead\n  write_limits: {per_minute: 0, per_hour: 0}\n")
	lines := newDoneLines("postmortem pull request opened")
	env := fakesEnv(redisServer.URL, pd, gh, config)
	addr := serveForTB(tb, env, lines)
	for _, id := range ids {
		for j, fixture := range incidentWebhooks {
			body := webhookOf(tb, fixture, id, fmt.Sprintf("01FOOT%s%02d", id, j))
			if code := deliverPagerDuty(addr, body, fmt.Sprintf("foot-%s-%d", id, j)); code != http.StatusAccepted {
				tb.Fatalf("%s of %s answered %d\n%s", fixture, id, code, lines)
			}
		}
	}
	done := map[string]bool{}
	deadline := time.After(60 * time.Second)
	for len(done) < n {
		select {
		case id := <-lines.ids:
			done[id] = true
		case <-deadline:
			tb.Fatalf("%d of %d pull requests opened within a minute\n%s", len(done), n, lines)
		}
	}
	opts, err := redis.ParseURL(redisServer.URL)
	if err != nil {
		tb.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	tb.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// TestEveryRedisKeyHasAnOwnerAndAnExpiry takes incidents through their life and checks every key left in
// Redis against redisKeys: each has an owner, and an expiry unless redisKeys says why not.
func TestEveryRedisKeyHasAnOwnerAndAnExpiry(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole service")
	}
	rdb := publishIncidents(t, 2)
	ctx := context.Background()
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d keys: %v", len(keys), keys)
	seen := map[string]bool{}
	for _, key := range keys {
		i := slices.IndexFunc(redisKeys, func(k struct {
			class    string
			pattern  *regexp.Regexp
			owner    string
			noExpiry string
		}) bool {
			return k.pattern.MatchString(key)
		})
		if i < 0 {
			t.Errorf("key %s has no owner in redisKeys", key)
			continue
		}
		seen[redisKeys[i].class] = true
		ttl, err := rdb.PTTL(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl == -2 {
			// Gone since KEYS: a lock released as its run ended.
			continue
		}
		if ttl < 0 && redisKeys[i].noExpiry == "" {
			t.Errorf("key %s (%s, written by %s) has no expiry", key, redisKeys[i].class, redisKeys[i].owner)
		}
	}
	for _, class := range []string{"events", "record", "tracking", "pulls", "action items", "task"} {
		if !seen[class] {
			t.Errorf("no %s key after two postmortems: %v", class, keys)
		}
	}
}

// BenchmarkRedisFootprint takes 20 incidents through their life (five webhooks, a pull request, two action
// items each) and reports what Redis keeps per incident, by kind of key (MEMORY USAGE), and in all
// (used_memory, against an empty Redis).
//
//	go test -run XXX -bench RedisFootprint -benchtime 1x ./cmd/hindsight/
func BenchmarkRedisFootprint(b *testing.B) {
	const n = 20
	for b.Loop() {
		rdb := publishIncidents(b, n)
		ctx := context.Background()
		keys, err := rdb.Keys(ctx, "*").Result()
		if err != nil {
			b.Fatal(err)
		}
		byClass := map[string]int64{}
		var total int64
		for _, key := range keys {
			class := "other"
			for _, k := range redisKeys {
				if k.pattern.MatchString(key) {
					class = k.class
					break
				}
			}
			used, err := rdb.MemoryUsage(ctx, key, 0).Result()
			if err != nil {
				b.Fatal(err)
			}
			byClass[class] += used
			total += used
		}
		classes := make([]string, 0, len(byClass))
		for c := range byClass {
			classes = append(classes, c)
		}
		sort.Strings(classes)
		var parts []string
		for _, c := range classes {
			perIncident := float64(byClass[c]) / n
			b.ReportMetric(perIncident, strings.ReplaceAll(c, " ", "-")+"-B/incident")
			parts = append(parts, fmt.Sprintf("%s %.0f B", c, perIncident))
		}
		b.ReportMetric(float64(total)/n, "keys-B/incident")
		// The anchor: the webhook bodies alone, as PagerDuty sent them.
		var raw int
		for j, fixture := range incidentWebhooks {
			raw += len(webhookOf(b, fixture, "PFOOT000", fmt.Sprintf("01FOOTPFOOT000%02d", j)))
		}
		b.ReportMetric(float64(raw), "webhook-bodies-B/incident")
		b.Logf("%d keys for %d incidents; per incident: %s; in all %.0f B", len(keys), n, strings.Join(parts, ", "), float64(total)/n)
	}
}
