package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The list of postmortems is a sorted set of incident IDs scored by when each incident was resolved (or,
// unknown that, when its record was first saved), so that the team's figures read a bounded, recent slice
// of the records instead of scanning the keyspace.
const recordsIndexKey = "hindsight:postmortems"

// RecordsRetention is how long a postmortem stays in the list after its incident was resolved: a little
// over a year, so that a quarter compares with the same quarter a year before. Each save trims older
// entries; the records themselves are kept, as before, for their pull requests and reminders.
const RecordsRetention = 400 * 24 * time.Hour

// MaxListedRecords bounds how many records one call of Records reads: the newest are kept.
const MaxListedRecords = 5000

// indexRecord adds r to the list of postmortems and trims the entries past RecordsRetention.
func indexRecord(ctx context.Context, p redis.Pipeliner, r Record, now time.Time) {
	score := float64(r.ResolvedAt)
	if r.ResolvedAt == 0 {
		// Without a resolution time the first save dates it; a later save with one moves it.
		p.ZAddNX(ctx, recordsIndexKey, redis.Z{Score: float64(now.Unix()), Member: r.IncidentID})
	} else {
		p.ZAdd(ctx, recordsIndexKey, redis.Z{Score: score, Member: r.IncidentID})
	}
	p.ZRemRangeByScore(ctx, recordsIndexKey, "-inf", "("+strconv.FormatInt(now.Add(-RecordsRetention).Unix(), 10))
}

// Records returns the records of the postmortems of incidents resolved at since or later, newest first, at
// most MaxListedRecords of them. An incident listed without a record (it cannot be, short of a person
// deleting keys) is left out.
func (s *Store) Records(ctx context.Context, since time.Time) ([]Record, error) {
	min := "-inf"
	if !since.IsZero() {
		min = strconv.FormatInt(since.Unix(), 10)
	}
	ids, err := s.rdb.ZRevRangeByScore(ctx, recordsIndexKey, &redis.ZRangeBy{Min: min, Max: "+inf", Count: MaxListedRecords}).Result()
	if err != nil {
		return nil, fmt.Errorf("list postmortems: %w", err)
	}
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.HGetAll(ctx, recordKey(id))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read postmortem records: %w", err)
	}
	out := make([]Record, 0, len(ids))
	for i, c := range cmds {
		if len(c.Val()) == 0 {
			continue
		}
		var r Record
		if err := c.Scan(&r); err != nil {
			return nil, fmt.Errorf("read postmortem record of %s: %w", ids[i], err)
		}
		out = append(out, r)
	}
	return out, nil
}

// indexedKey marks the list as holding every record saved before it existed.
const indexedKey = "hindsight:postmortems:indexed"

// IndexExisting adds to the list of postmortems the records saved before the list existed (by an earlier
// version), dated by their resolution, else their last save. It runs once per Redis: after it has gone
// through every record it leaves a mark, and later calls return at once. It scans the keyspace in batches,
// so it is for the background of a start, not for a request. It returns how many records it added.
func (s *Store) IndexExisting(ctx context.Context) (int, error) {
	if n, err := s.rdb.Exists(ctx, indexedKey).Result(); err != nil || n > 0 {
		return 0, err
	}
	added := 0
	iter := s.rdb.Scan(ctx, 0, recordKey("*"), 500).Iterator()
	var keys []string
	flush := func() error {
		n, err := s.indexRecords(ctx, keys)
		added += n
		keys = keys[:0]
		return err
	}
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 500 {
			if err := flush(); err != nil {
				return added, fmt.Errorf("list earlier postmortems: %w", err)
			}
		}
	}
	if err := errors.Join(iter.Err(), flush()); err != nil {
		return added, fmt.Errorf("list earlier postmortems: %w", err)
	}
	if err := s.rdb.Set(ctx, indexedKey, time.Now().Unix(), 0).Err(); err != nil {
		return added, fmt.Errorf("list earlier postmortems: %w", err)
	}
	return added, nil
}

// indexRecords adds the records of keys to the list of postmortems, scored by their resolution (else their
// last update), leaving out those past RecordsRetention; it returns how many it added.
func (s *Store) indexRecords(ctx context.Context, keys []string) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	cmds := make([]*redis.SliceCmd, len(keys))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.HMGet(ctx, k, "incident_id", "resolved_at", "updated_at")
		}
		return nil
	}); err != nil {
		return 0, err
	}
	now := time.Now()
	var zs []redis.Z
	for _, c := range cmds {
		var r struct {
			IncidentID string `redis:"incident_id"`
			ResolvedAt int64  `redis:"resolved_at"`
			UpdatedAt  int64  `redis:"updated_at"`
		}
		if err := c.Scan(&r); err != nil || r.IncidentID == "" {
			continue
		}
		score := r.ResolvedAt
		if score == 0 {
			score = r.UpdatedAt
		}
		if score == 0 || now.Sub(time.Unix(score, 0)) > RecordsRetention {
			continue
		}
		zs = append(zs, redis.Z{Score: float64(score), Member: r.IncidentID})
	}
	if len(zs) == 0 {
		return 0, nil
	}
	n, err := s.rdb.ZAddNX(ctx, recordsIndexKey, zs...).Result()
	return int(n), err
}

// Services returns the service recorded for each of the incidents' postmortems, by incident ID; an
// incident without a record, or whose record names no service, is left out.
func (s *Store) Services(ctx context.Context, incidentIDs []string) (map[string]string, error) {
	cmds := make([]*redis.StringCmd, len(incidentIDs))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range incidentIDs {
			cmds[i] = p.HGet(ctx, recordKey(id), "service")
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("read the services of postmortems: %w", err)
	}
	out := make(map[string]string, len(incidentIDs))
	for i, c := range cmds {
		if v := c.Val(); v != "" {
			out[incidentIDs[i]] = v
		}
	}
	return out, nil
}
