package redisstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

func teamConfigKey(repo string) string { return "hindsight:teamconfig:" + strings.ToLower(repo) }

// TeamConfig returns the last valid configuration read from repo (an opaque snapshot) and whether it is
// fresh: read less than its time to live ago. ok is false when none was ever saved.
func (s *Store) TeamConfig(ctx context.Context, repo string) (snapshot []byte, fresh, ok bool, err error) {
	vals, err := s.rdb.MGet(ctx, teamConfigKey(repo), teamConfigKey(repo)+":fresh").Result()
	if err != nil {
		return nil, false, false, fmt.Errorf("load the configuration of %s: %w", repo, err)
	}
	str, ok := vals[0].(string)
	return []byte(str), vals[1] != nil, ok, nil
}

// SaveTeamConfig keeps snapshot as the last valid configuration of repo (nil keeps the one there) and marks
// it fresh for ttl: until then, or until ExpireTeamConfig, it is used without reading the repository again.
func (s *Store) SaveTeamConfig(ctx context.Context, repo string, snapshot []byte, ttl time.Duration) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		if snapshot != nil {
			p.Set(ctx, teamConfigKey(repo), snapshot, 0)
		}
		p.Set(ctx, teamConfigKey(repo)+":fresh", time.Now().UTC().Format(time.RFC3339), ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("save the configuration of %s: %w", repo, err)
	}
	return nil
}

// ExpireTeamConfig makes the configuration of repo stale, so the next use reads the repository again; the
// last valid one stays until a valid one replaces it.
func (s *Store) ExpireTeamConfig(ctx context.Context, repo string) error {
	if err := s.rdb.Del(ctx, teamConfigKey(repo)+":fresh").Err(); err != nil {
		return fmt.Errorf("expire the configuration of %s: %w", repo, err)
	}
	return nil
}
