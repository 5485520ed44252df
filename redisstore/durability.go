package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Durability risks: ways Redis could lose an event Hindsight already answered 202 for.
const (
	RiskNoAOF    = "no_aof"   // no append-only file: a restart loses what came since the last snapshot
	RiskEviction = "eviction" // a maxmemory policy other than noeviction may drop events and tasks
	RiskUnknown  = "unknown"  // Redis refused CONFIG (a managed service): the settings could not be read
)

// DurabilityRisks reads Redis's persistence settings and returns the risks they leave, each with a
// sentence a person can act on. When Redis refuses CONFIG (managed services rename or forbid it) the one
// risk is RiskUnknown; an error means Redis could not be asked at all.
func DurabilityRisks(ctx context.Context, rdb redis.UniversalClient) (map[string]string, error) {
	settings := map[string]string{}
	for _, name := range []string{"appendonly", "maxmemory-policy", "maxmemory"} {
		m, err := rdb.ConfigGet(ctx, name).Result()
		if err != nil {
			if refused(err) {
				return map[string]string{RiskUnknown: "Redis refused CONFIG GET (" + oneLine(err.Error()) + "): check yourself that it runs with appendonly yes and maxmemory-policy noeviction"}, nil
			}
			return nil, fmt.Errorf("read Redis persistence settings: %w", err)
		}
		settings[name] = m[name]
	}
	risks := map[string]string{}
	if settings["appendonly"] != "yes" {
		risks[RiskNoAOF] = "Redis runs without the append-only file (appendonly " + orNone(settings["appendonly"]) + "): a restart loses events already acknowledged; set appendonly yes"
	}
	if p := settings["maxmemory-policy"]; p != "noeviction" && settings["maxmemory"] != "0" {
		risks[RiskEviction] = "Redis may evict keys (maxmemory-policy " + orNone(p) + "): events and tasks could be dropped; set maxmemory-policy noeviction"
	}
	return risks, nil
}

// refused tells an error of a command Redis will not run (unknown, renamed or forbidden by an ACL) from
// one of a Redis that cannot be reached.
func refused(err error) bool {
	var rerr redis.Error
	if !errors.As(err, &rerr) {
		return false
	}
	msg := rerr.Error()
	return strings.HasPrefix(msg, "ERR unknown command") || strings.HasPrefix(msg, "NOPERM") || strings.HasPrefix(msg, "ERR unknown subcommand")
}

func orNone(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// durabilityCollector reports hindsight_redis_durability_risk, read from Redis at each scrape, so that a
// change of Redis's settings after Hindsight started shows too.
type durabilityCollector struct {
	rdb  redis.UniversalClient
	risk *prometheus.Desc
}

// NewDurabilityCollector returns the collector of hindsight_redis_durability_risk{risk}: 1 for each risk
// DurabilityRisks finds, 0 for the others.
func NewDurabilityCollector(rdb redis.UniversalClient) prometheus.Collector {
	return &durabilityCollector{rdb: rdb, risk: prometheus.NewDesc("hindsight_redis_durability_risk",
		"1 when Redis's settings could lose an acknowledged event: no_aof (no append-only file), eviction (maxmemory-policy is not noeviction), unknown (CONFIG refused).",
		[]string{"risk"}, nil)}
}

func (c *durabilityCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.risk }

func (c *durabilityCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), IOTimeout)
	defer cancel()
	risks, err := DurabilityRisks(ctx, c.rdb)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.risk, err)
		return
	}
	for _, r := range []string{RiskNoAOF, RiskEviction, RiskUnknown} {
		v := 0.0
		if _, ok := risks[r]; ok {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(c.risk, prometheus.GaugeValue, v, r)
	}
}
