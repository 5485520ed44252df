// Package queuetest starts a real redis-server for tests.
package queuetest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a redis-server process owned by one test.
type Redis struct {
	URL  string
	Addr string
	cmd  *exec.Cmd
}

// StartRedis starts redis-server on a free loopback port with nothing persisted, and stops it when the test
// ends. With HINDSIGHT_TEST_REDIS_URL set it uses that server instead and flushes its database first. A
// machine without redis-server fails the test with the command that installs it.
func StartRedis(tb testing.TB) *Redis {
	tb.Helper()
	if u := os.Getenv("HINDSIGHT_TEST_REDIS_URL"); u != "" {
		opts, err := redis.ParseURL(u)
		if err != nil {
			tb.Fatalf("HINDSIGHT_TEST_REDIS_URL: %v", err)
		}
		c := redis.NewClient(opts)
		defer c.Close()
		if err := c.FlushDB(context.Background()).Err(); err != nil {
			tb.Fatalf("flush test redis: %v", err)
		}
		return &Redis{URL: u, Addr: opts.Addr}
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redis-server is not on the PATH (apt-get install -y redis-server): %v", err)
	}
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("find a free port: %v", err)
		}
		dir := tb.TempDir()
		cmd := exec.CommandContext(context.Background(), bin,
			"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", dir,
			"--logfile", filepath.Join(dir, "redis.log"))
		if err := cmd.Start(); err != nil {
			tb.Fatalf("start redis-server: %v", err)
		}
		r := &Redis{URL: fmt.Sprintf("redis://127.0.0.1:%d/0", port), Addr: fmt.Sprintf("127.0.0.1:%d", port), cmd: cmd}
		if r.waitReady(5 * time.Second) {
			tb.Cleanup(r.Stop)
			return r
		}
		r.Stop()
	}
	tb.Fatalf("redis-server did not start")
	return nil
}

// StopForTest ends the redis-server process, as a test that needs Redis to go down does; it skips the test
// when the server is HINDSIGHT_TEST_REDIS_URL's, which is not the test's to stop.
func (r *Redis) StopForTest(tb testing.TB) {
	tb.Helper()
	if r.cmd == nil {
		tb.Skip("the Redis of HINDSIGHT_TEST_REDIS_URL is not this test's to stop")
	}
	r.Stop()
}

// Stop ends the redis-server process the test started; it does nothing to a server it did not start.
func (r *Redis) Stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_, _ = r.cmd.Process.Wait()
	r.cmd = nil
}

// Client returns a client of the server, closed when the test ends.
func (r *Redis) Client(tb testing.TB) *redis.Client {
	opts, err := redis.ParseURL(r.URL)
	if err != nil {
		tb.Fatal(err)
	}
	c := redis.NewClient(opts)
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

func (r *Redis) waitReady(limit time.Duration) bool {
	c := redis.NewClient(&redis.Options{Addr: r.Addr, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func freePort() (int, error) {
	l, err := new(net.ListenConfig).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartSentinel starts a redis-server in Sentinel mode watching r as the primary "mymaster", and returns
// the redis-sentinel:// URL that reaches r through it. It stops when the test ends.
func StartSentinel(tb testing.TB, r *Redis) string {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redis-server is not on the PATH (apt-get install -y redis-server): %v", err)
	}
	host, port, _ := net.SplitHostPort(r.Addr)
	sentinelPort, err := freePort()
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor mymaster %s %s 1\nsentinel down-after-milliseconds mymaster 5000\n", sentinelPort, dir, host, port)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.CommandContext(context.Background(), bin, conf, "--sentinel", "--logfile", filepath.Join(dir, "sentinel.log"))
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start redis sentinel: %v", err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", sentinelPort)
	c := redis.NewSentinelClient(&redis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_, err := c.GetMasterAddrByName(ctx, "mymaster").Result()
		cancel()
		if err == nil {
			return "redis-sentinel://" + addr + "/mymaster"
		}
		if time.Now().After(deadline) {
			tb.Fatalf("redis sentinel did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
