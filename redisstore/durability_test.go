package redisstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/hindsight-dev/hindsight/internal/promtest"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

func TestDurabilityRisks(t *testing.T) {
	r := queuetest.StartRedis(t)
	rdb := r.Client(t)
	ctx := context.Background()
	set := func(kv ...string) {
		t.Helper()
		for i := 0; i < len(kv); i += 2 {
			if err := rdb.ConfigSet(ctx, kv[i], kv[i+1]).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	check := func(want ...string) {
		t.Helper()
		risks, err := redisstore.DurabilityRisks(ctx, rdb)
		if err != nil {
			t.Fatal(err)
		}
		if len(risks) != len(want) {
			t.Fatalf("risks %v, want %v", risks, want)
		}
		for _, w := range want {
			if risks[w] == "" {
				t.Errorf("risks %v lack %s", risks, w)
			}
		}
		for _, risk := range []string{redisstore.RiskNoAOF, redisstore.RiskEviction, redisstore.RiskUnknown} {
			_, at := risks[risk]
			want := 0.0
			if at {
				want = 1
			}
			if got := promtest.Gauge(t, redisstore.NewDurabilityCollector(rdb), "risk", risk); got != want {
				t.Errorf("hindsight_redis_durability_risk{risk=%q} = %v, want %v", risk, got, want)
			}
		}
	}
	// The test server runs as an unsafe deployment would: no append-only file.
	check(redisstore.RiskNoAOF)
	set("appendonly", "yes")
	check()
	set("maxmemory", "100mb", "maxmemory-policy", "allkeys-lru")
	check(redisstore.RiskEviction)
	// A policy that evicts, without a memory limit, never evicts.
	set("maxmemory", "0")
	check()

	// A user who may not run CONFIG, as on managed services: the risk is unknown, and said so.
	if err := rdb.Do(ctx, "ACL", "SETUSER", "app", "on", ">app-password", "~*", "&*", "+@all", "-config").Err(); err != nil {
		t.Fatal(err)
	}
	limited := redis.NewClient(&redis.Options{Addr: r.Addr, Username: "app", Password: "app-password"})
	defer limited.Close()
	risks, err := redisstore.DurabilityRisks(ctx, limited)
	if err != nil {
		t.Fatal(err)
	}
	if msg := risks[redisstore.RiskUnknown]; len(risks) != 1 || !strings.Contains(msg, "refused CONFIG") {
		t.Errorf("risks %v, want only %s saying CONFIG was refused", risks, redisstore.RiskUnknown)
	}
}
