package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/hindsight-dev/hindsight/internal/syncbuf"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

const adminToken = "admin-token-for-tests-0123456789"

// adminGet fetches url, with auth applied to the request when set, and returns the status and body.
func adminGet(t *testing.T, url string, auth func(*http.Request)) (int, string, http.Header) {
	t.Helper()
	return adminDo(t, http.MethodGet, url, auth)
}

func adminDo(t *testing.T, method, url string, auth func(*http.Request)) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != nil {
		auth(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func withBearer(token string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

func withBasic(user, password string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, password) }
}

// parkedArchivedTask puts a task in the archive of a queue no worker serves, as a task that failed for
// good would be, and returns its ID.
func parkedArchivedTask(t *testing.T, redisURL string) string {
	t.Helper()
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	c := asynq.NewClientFromRedisClient(rdb)
	info, err := c.Enqueue(asynq.NewTask("postmortem:incident", []byte(`{"incident_id":"PARKED1"}`)), asynq.Queue("parked"))
	if err != nil {
		t.Fatal(err)
	}
	if err := asynq.NewInspectorFromRedisClient(rdb).ArchiveTask("parked", info.ID); err != nil {
		t.Fatal(err)
	}
	return info.ID
}

func TestAdminListenerServesMetricsAndConsoleBehindTheToken(t *testing.T) {
	rds := queuetest.StartRedis(t)
	taskID := parkedArchivedTask(t, rds.URL)
	adminAddr := freeAddr(t)
	svc := startService(t, map[string]string{
		"HINDSIGHT_REDIS_URL":                 rds.URL,
		"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret,
		"HINDSIGHT_OUTPUT_DIR":                t.TempDir(),
		"HINDSIGHT_ADMIN_ADDR":                adminAddr,
		"HINDSIGHT_ADMIN_TOKEN":               adminToken,
	})
	public, admin := "http://"+svc.addr, "http://"+adminAddr

	for _, path := range []string{"/metrics", "/admin/queues", "/admin/queues/api/queues", "/postmortems", "/postmortems.json"} {
		if code, body, _ := adminGet(t, public+path, withBearer(adminToken)); code != http.StatusNotFound {
			t.Errorf("public listener %s answered %d %s, want 404", path, code, body)
		}
	}

	paths := []string{"/metrics", "/admin/queues", "/admin/queues/archived", "/admin/queues/api/queues", "/postmortems", "/postmortems.json"}
	for _, path := range paths {
		for name, auth := range map[string]func(*http.Request){
			"none":          nil,
			"wrong bearer":  withBearer(adminToken + "x"),
			"wrong basic":   withBasic("admin", "nope"),
			"token as user": withBasic(adminToken, ""),
			"empty bearer":  withBearer(""),
		} {
			code, body, h := adminGet(t, admin+path, auth)
			if code != http.StatusUnauthorized {
				t.Errorf("%s with %s: answered %d, want 401", path, name, code)
			}
			if !strings.Contains(body, `"error"`) || !strings.Contains(h.Get("WWW-Authenticate"), "Basic") {
				t.Errorf("%s with %s: body %q, WWW-Authenticate %q", path, name, body, h.Values("WWW-Authenticate"))
			}
		}
		for name, auth := range map[string]func(*http.Request){
			"bearer": withBearer(adminToken),
			"basic":  withBasic("anyone", adminToken),
		} {
			if code, body, _ := adminGet(t, admin+path, auth); code != http.StatusOK {
				t.Errorf("%s with %s: answered %d %.200s, want 200", path, name, code, body)
			}
		}
	}

	_, metrics, _ := adminGet(t, admin+"/metrics", withBearer(adminToken))
	for _, want := range []string{"hindsight_redis_up 1", `hindsight_queue_tasks{queue="parked",state="archived"} 1`, "hindsight_http_request_duration_seconds_count"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("admin /metrics lacks %q", want)
		}
	}
	_, page, _ := adminGet(t, admin+"/admin/queues", withBearer(adminToken))
	if !strings.Contains(page, "<script") {
		t.Errorf("console page is not the console's HTML: %.300s", page)
	}

	// The console lists the archived task and runs it again.
	code, body, _ := adminGet(t, admin+"/admin/queues/api/queues/parked/archived_tasks", withBearer(adminToken))
	if code != http.StatusOK || !strings.Contains(body, taskID) {
		t.Fatalf("archived tasks answered %d %s, want the task %s", code, body, taskID)
	}
	if code, body, _ := adminDo(t, http.MethodPost, admin+"/admin/queues/api/queues/parked/archived_tasks/"+taskID+":run", nil); code != http.StatusUnauthorized {
		t.Errorf("run without the token answered %d %s, want 401", code, body)
	}
	if code, body, _ := adminDo(t, http.MethodPost, admin+"/admin/queues/api/queues/parked/archived_tasks/"+taskID+":run", withBearer(adminToken)); code/100 != 2 {
		t.Fatalf("run answered %d %s", code, body)
	}
	_, body, _ = adminGet(t, admin+"/admin/queues/api/queues/parked", withBearer(adminToken))
	var q struct {
		Current struct {
			Pending, Archived int
		} `json:"current"`
	}
	if err := json.Unmarshal([]byte(body), &q); err != nil || q.Current.Pending != 1 || q.Current.Archived != 0 {
		t.Errorf("queue after the run: %s (%v), want 1 pending and 0 archived", body, err)
	}
}

func TestAdminOnTheMainListener(t *testing.T) {
	rds := queuetest.StartRedis(t)
	t.Run("loopback without a token: open", func(t *testing.T) {
		svc := startService(t, map[string]string{
			"HINDSIGHT_REDIS_URL":                 rds.URL,
			"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret,
			"HINDSIGHT_OUTPUT_DIR":                t.TempDir(),
		})
		for _, path := range []string{"/metrics", "/admin/queues/api/queues", "/postmortems"} {
			if code, body, _ := adminGet(t, "http://"+svc.addr+path, nil); code != http.StatusOK {
				t.Errorf("%s answered %d %.200s, want 200", path, code, body)
			}
		}
	})
	t.Run("with a token: guarded", func(t *testing.T) {
		svc := startService(t, map[string]string{
			"HINDSIGHT_REDIS_URL":                 rds.URL,
			"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret,
			"HINDSIGHT_OUTPUT_DIR":                t.TempDir(),
			"HINDSIGHT_ADMIN_TOKEN":               adminToken,
		})
		for _, path := range []string{"/metrics", "/admin/queues/api/queues", "/postmortems.json"} {
			if code, _, _ := adminGet(t, "http://"+svc.addr+path, nil); code != http.StatusUnauthorized {
				t.Errorf("%s without the token answered %d, want 401", path, code)
			}
			if code, _, _ := adminGet(t, "http://"+svc.addr+path, withBearer(adminToken)); code != http.StatusOK {
				t.Errorf("%s with the token answered %d, want 200", path, code)
			}
		}
		// Health checks never need the token.
		if code, _, _ := adminGet(t, "http://"+svc.addr+"/readyz", nil); code != http.StatusOK {
			t.Errorf("/readyz answered %d", code)
		}
	})
}

// TestAdminPagesOffBeyondLoopbackWithoutAToken: with neither an admin listener nor a token, a main listener
// that binds every interface serves neither the queue console nor the postmortems page.
func TestAdminPagesOffBeyondLoopbackWithoutAToken(t *testing.T) {
	rdb, err := redisstore.OpenRedis("redis://127.0.0.1:1/0") // never dialled
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	store := redisstore.NewStore(rdb, time.Hour)
	for _, tt := range []struct {
		listen, token string
		served        bool
	}{
		{":8080", "", false},
		{"0.0.0.0:8080", "", false},
		{":8080", adminToken, true},
		{"127.0.0.1:8080", "", true},
	} {
		var c config
		c.ListenAddr, c.Admin.Token = tt.listen, tt.token
		side, err := startAdmin(context.Background(), c, rdb, store, nil, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		if (side.onMain.Postmortems != nil) != tt.served || (side.onMain.Console != nil) != tt.served || side.elsewhere {
			t.Errorf("listen %q, token %v: postmortems page %v, console %v; want served %v", tt.listen, tt.token != "",
				side.onMain.Postmortems != nil, side.onMain.Console != nil, tt.served)
		}
	}
}

func TestAdminSettingsThatStopTheStart(t *testing.T) {
	tests := []struct {
		name, addr, token, want string
	}{
		{"beyond loopback without a token", "0.0.0.0:0", "", `HINDSIGHT_ADMIN_TOKEN: required when HINDSIGHT_ADMIN_ADDR "0.0.0.0:0" listens beyond loopback`},
		{"every interface without a token", ":9090", "", `HINDSIGHT_ADMIN_TOKEN: required when HINDSIGHT_ADMIN_ADDR ":9090" listens beyond loopback`},
		{"a host name without a token", "admin.internal:9090", "", "HINDSIGHT_ADMIN_TOKEN: required"},
		{"a short token", "127.0.0.1:0", "short", "HINDSIGHT_ADMIN_TOKEN: want at least 16 characters"},
		{"not host:port", "9090", adminToken, `HINDSIGHT_ADMIN_ADDR: want host:port`},
		{"the main listener's address", "127.0.0.1:0", adminToken, "HINDSIGHT_ADMIN_ADDR: \"127.0.0.1:0\" is HINDSIGHT_LISTEN_ADDR too"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{
				"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret,
				"HINDSIGHT_LISTEN_ADDR":               "127.0.0.1:0",
				"HINDSIGHT_REDIS_URL":                 "redis://127.0.0.1:1/0",
				"HINDSIGHT_ADMIN_ADDR":                tt.addr,
				"HINDSIGHT_ADMIN_TOKEN":               tt.token,
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := run(ctx, []string{"hindsight", "serve"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run = %v, want an error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), adminToken) {
				t.Errorf("error is not one line free of the token: %q", err)
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:9090": true, "localhost:9090": true, "[::1]:9090": true, "127.0.0.2:1": true,
		":9090": false, "0.0.0.0:9090": false, "[::]:9090": false, "10.0.0.5:9090": false, "admin:9090": false, "junk": false,
	} {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestAdminListenerStopsWithTheProcess(t *testing.T) {
	rds := queuetest.StartRedis(t)
	addr, adminAddr := freeAddr(t), freeAddr(t)
	env := map[string]string{
		"HINDSIGHT_REDIS_URL":                 rds.URL,
		"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret,
		"HINDSIGHT_OUTPUT_DIR":                t.TempDir(),
		"HINDSIGHT_LISTEN_ADDR":               addr,
		"HINDSIGHT_ADMIN_ADDR":                adminAddr,
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncbuf.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"hindsight", "serve", "--role", "worker"}, func(k string) string { return env[k] }, io.Discard, logs)
	}()
	eventually(t, "the admin listener", func() bool {
		resp, err := http.Get("http://" + adminAddr + "/metrics")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK // loopback without a token: open
	}, logs)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run = %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return")
	}
	if resp, err := http.Get("http://" + adminAddr + "/metrics"); err == nil {
		resp.Body.Close()
		t.Error("the admin listener still answers after the process stopped")
	}
}

// With Redis down, /metrics still answers, and says so: a scrape that failed whole would hide it.
func TestMetricsReportRedisDown(t *testing.T) {
	rds := queuetest.StartRedis(t)
	svc := startService(t, map[string]string{
		"HINDSIGHT_REDIS_URL":                 rds.URL,
		"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret,
		"HINDSIGHT_OUTPUT_DIR":                t.TempDir(),
	})
	if _, body, _ := adminGet(t, "http://"+svc.addr+"/metrics", nil); !strings.Contains(body, "hindsight_redis_up 1") {
		t.Fatalf("with Redis up /metrics lacks hindsight_redis_up 1")
	}
	rds.StopForTest(t)
	code, body, _ := adminGet(t, "http://"+svc.addr+"/metrics", nil)
	if code != http.StatusOK || !strings.Contains(body, "hindsight_redis_up 0") || !strings.Contains(body, "go_goroutines") {
		t.Errorf("with Redis down /metrics answered %d:\n%.3000s", code, body)
	}
}
