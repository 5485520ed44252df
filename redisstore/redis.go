// Package redisstore holds Hindsight's state in Redis, apart from the task queue: the connection, the
// webhook events of each incident, the records of published postmortems (and the list of them) and of their
// action items, the write limiter shared by every replica and the per-incident locks.
package redisstore

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Timeouts bound every Redis call so that a webhook is answered well inside PagerDuty's 5 seconds even when
// Redis is unreachable.
const (
	redisDialTimeout = 2 * time.Second
	IOTimeout        = 2 * time.Second
)

// A command that meets a reset connection is sent again, for about 1.5 s in all, so that a blip rides
// through instead of failing a webhook or, worse, asynq's one write of a task's result (which it never
// retries with a live context: the task then waits a minute and a half for asynq's recoverer).
const (
	redisMaxRetries      = 4
	redisMinRetryBackoff = 100 * time.Millisecond
	redisMaxRetryBackoff = time.Second
)

// OpenRedis connects to Redis from a URL: redis://[user:password@]host:port/db, rediss:// for TLS, or
// redis-sentinel://[:password@]host:port[,host:port...]/master-name[?db=N&sentinel_password=...] for a
// Sentinel-managed primary. It does not dial; the first command does. Its errors never contain the URL's
// passwords.
func OpenRedis(rawURL string) (redis.UniversalClient, error) {
	rdb, err := openRedis(rawURL)
	if err != nil {
		return nil, redactedError{err: err, msg: RedactURLSecrets(err.Error(), rawURL)}
	}
	return rdb, nil
}

func openRedis(rawURL string) (redis.UniversalClient, error) {
	if rest, ok := strings.CutPrefix(rawURL, "redis-sentinel://"); ok {
		return openSentinel(rest)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("not a URL: %w", err)
	}
	switch u.Scheme {
	case "redis", "rediss":
		opts, err := redis.ParseURL(rawURL)
		if err != nil {
			return nil, err
		}
		opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = redisDialTimeout, IOTimeout, IOTimeout
		opts.MaxRetries, opts.MinRetryBackoff, opts.MaxRetryBackoff = redisMaxRetries, redisMinRetryBackoff, redisMaxRetryBackoff
		return redis.NewClient(opts), nil
	default:
		return nil, fmt.Errorf("scheme %q: want redis, rediss or redis-sentinel", u.Scheme)
	}
}

// openSentinel parses what follows "redis-sentinel://" by hand: url.Parse refuses several hosts.
func openSentinel(rest string) (redis.UniversalClient, error) {
	rest, rawQuery, _ := strings.Cut(rest, "?")
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	var user *url.Userinfo
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		name, password, hasPassword := strings.Cut(rest[:at], ":")
		if hasPassword {
			user = url.UserPassword(name, password)
		} else {
			user = url.User(name)
		}
		rest = rest[at+1:]
	}
	hosts, master, _ := strings.Cut(rest, "/")
	master = strings.Trim(master, "/")
	if master == "" {
		return nil, fmt.Errorf("redis-sentinel URL needs the master name as its path: redis-sentinel://host:26379/mymaster")
	}
	var addrs []string
	for _, a := range strings.Split(hosts, ",") {
		if a = strings.TrimSpace(a); a != "" {
			if !strings.Contains(a, ":") {
				a += ":26379"
			}
			addrs = append(addrs, a)
		}
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("redis-sentinel URL names no sentinel host")
	}
	opts := &redis.FailoverOptions{
		MasterName:       master,
		SentinelAddrs:    addrs,
		SentinelPassword: query.Get("sentinel_password"),
		DialTimeout:      redisDialTimeout,
		ReadTimeout:      IOTimeout,
		WriteTimeout:     IOTimeout,
		MaxRetries:       redisMaxRetries,
		MinRetryBackoff:  redisMinRetryBackoff,
		MaxRetryBackoff:  redisMaxRetryBackoff,
	}
	if user != nil {
		opts.Username = user.Username()
		opts.Password, _ = user.Password()
	}
	if db := query.Get("db"); db != "" {
		n, err := strconv.Atoi(db)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("db %q: want a database number", db)
		}
		opts.DB = n
	}
	return redis.NewFailoverClient(opts), nil
}
