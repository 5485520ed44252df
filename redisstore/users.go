package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// UserSource looks a PagerDuty user up by ID (GET /users/{id}).
type UserSource interface {
	User(ctx context.Context, userID string) (postmortem.Person, error)
}

// UserDirectory gives the incidents' user references their emails, which PagerDuty's references lack, so
// that `people` keyed by email match: each user is looked up once per TTL across every worker (the answers
// are kept in Redis, unknown users too), and at most MaxLookups users are asked for per incident.
type UserDirectory struct {
	Redis  redis.UniversalClient
	Source UserSource
	// TTL is how long an answer is kept; MaxLookups bounds the calls to Source for one incident.
	TTL        time.Duration
	MaxLookups int
	// NotFound reports whether an error means the user does not exist: such a user is remembered as
	// unknown instead of failing the incident.
	NotFound func(error) bool
	Logger   *slog.Logger
}

// Default user directory settings.
const (
	DefaultUserTTL        = 24 * time.Hour
	DefaultUserLookups    = 50
	userKeyPrefix         = "hindsight:pagerduty:user:"
	unknownUserCacheValue = `{"unknown":true}`
)

type cachedUser struct {
	Name    string `json:"name,omitempty"`
	Email   string `json:"email,omitempty"`
	Unknown bool   `json:"unknown,omitempty"`
}

// FillEmails sets the email of every user reference of inc whose user it can find. Users beyond the
// per-incident bound keep no email and are logged; an error of the source other than not-found is returned
// (the task is retried later), with the emails found so far already filled in.
func (d *UserDirectory) FillEmails(ctx context.Context, inc *postmortem.Incident) error {
	ids := inc.UserIDs()
	if len(ids) == 0 {
		return nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = userKeyPrefix + id
	}
	cached, err := d.Redis.MGet(ctx, keys...).Result()
	if err != nil {
		return fmt.Errorf("read cached users: %w", err)
	}
	emails := map[string]string{}
	defer func() { inc.SetEmails(emails) }()
	var missing []string
	for i, v := range cached {
		s, ok := v.(string)
		var u cachedUser
		if !ok || json.Unmarshal([]byte(s), &u) != nil {
			missing = append(missing, ids[i])
			continue
		}
		if u.Email != "" {
			emails[ids[i]] = u.Email
		}
	}
	limit := d.MaxLookups
	if limit <= 0 {
		limit = DefaultUserLookups
	}
	if len(missing) > limit {
		d.Logger.Warn("more PagerDuty users than the lookups allowed per incident: the rest keep no email",
			"incident_id", inc.ID, "users", len(missing), "lookups", limit)
		missing = missing[:limit]
	}
	ttl := d.TTL
	if ttl <= 0 {
		ttl = DefaultUserTTL
	}
	for _, id := range missing {
		p, err := d.Source.User(ctx, id)
		value := unknownUserCacheValue
		switch {
		case err == nil:
			b, _ := json.Marshal(cachedUser{Name: p.Name, Email: p.Email})
			value = string(b)
			if p.Email != "" {
				emails[id] = p.Email
			}
		case d.NotFound != nil && d.NotFound(err):
			d.Logger.Info("PagerDuty user not found: kept as unknown", "incident_id", inc.ID, "user_id", id)
		default:
			return fmt.Errorf("look up PagerDuty user %s: %w", id, err)
		}
		if err := d.Redis.Set(ctx, userKeyPrefix+id, value, ttl).Err(); err != nil {
			return fmt.Errorf("cache PagerDuty user %s: %w", id, err)
		}
	}
	return nil
}
