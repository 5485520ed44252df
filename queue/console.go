package queue

import (
	"net/http"

	"github.com/hibiken/asynqmon"
	"github.com/redis/go-redis/v9"
)

// ConsolePath is where the queue console is served.
const ConsolePath = "/admin/queues"

// NewConsole returns asynqmon, the queue console, served under ConsolePath over rdb: the queues, their
// pending, retried and archived (dead) tasks, and the actions that run or delete them. It shares rdb and
// never closes it.
func NewConsole(rdb redis.UniversalClient) http.Handler {
	return asynqmon.New(asynqmon.Options{RootPath: ConsolePath, RedisConnOpt: sharedRedis{rdb}})
}

// sharedRedis hands asynqmon the process's Redis client instead of letting it open its own.
type sharedRedis struct{ rdb redis.UniversalClient }

func (s sharedRedis) MakeRedisClient() any { return s.rdb }
