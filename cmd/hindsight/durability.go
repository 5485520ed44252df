package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/hindsight-dev/hindsight/redisstore"
	"github.com/redis/go-redis/v9"
)

// maxReplicasTimeout keeps a wait for replicas, with the writes before it, inside the receivers' 3-second
// answer timeout and so inside PagerDuty's 5 seconds.
const maxReplicasTimeout = 2 * time.Second

// warnDurability logs, once at start, each way Redis's settings could lose an event Hindsight has already
// acknowledged; hindsight_redis_durability_risk reports the same at every scrape.
func warnDurability(ctx context.Context, rdb redis.UniversalClient, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	risks, err := redisstore.DurabilityRisks(ctx, rdb)
	if err != nil {
		logger.Warn("could not read Redis persistence settings", "error", err)
		return
	}
	for risk, why := range risks {
		logger.Warn("Redis could lose acknowledged events", "risk", risk, "detail", why)
	}
}
