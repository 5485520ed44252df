package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// MailRetention is how long the sent state of a message is kept: far longer than any task that could
// send it again lives (asynq keeps a finished task's ID for days, a PagerDuty retry comes within 48 hours).
const MailRetention = 400 * 24 * time.Hour

// MailSending and MailSent are the states of a message: its SMTP transaction has started, and the server
// has accepted it.
const (
	MailSending = "sending"
	MailSent    = "sent"
)

// MailState is what Redis holds of one message, by its Message-ID.
type MailState struct {
	// State is MailSending or MailSent.
	State     string
	StartedAt time.Time
	SentAt    time.Time
	// Steps are the follow-ups done after the send ("note", "chat"), each recorded once done.
	Steps map[string]bool
}

// MailLog records, by Message-ID, which messages have been sent, so that none is sent twice by any worker.
type MailLog struct {
	rdb redis.UniversalClient
	ttl time.Duration
}

// NewMailLog returns a MailLog over rdb whose records expire after ttl (MailRetention when 0).
func NewMailLog(rdb redis.UniversalClient, ttl time.Duration) *MailLog {
	if ttl <= 0 {
		ttl = MailRetention
	}
	return &MailLog{rdb: rdb, ttl: ttl}
}

func mailKey(messageID string) string { return "hindsight:mail:" + messageID }

// claimScript records a message as being sent unless a record of it exists, and returns the record as it
// is afterwards: claimed is 1 when this call wrote it.
var claimScript = redis.NewScript(`
if redis.call("exists", KEYS[1]) == 0 then
	redis.call("hset", KEYS[1], "state", "sending", "started_at", ARGV[1])
	redis.call("pexpire", KEYS[1], ARGV[2])
	return {1, redis.call("hgetall", KEYS[1])}
end
return {0, redis.call("hgetall", KEYS[1])}`)

// Claim records, before its SMTP transaction, that the message is being sent. It returns claimed true when
// the record is new: the caller, and only it, may send the message. Otherwise it returns the record an
// earlier attempt left: sent, or being sent since StartedAt (by a running attempt or one that never
// confirmed).
func (l *MailLog) Claim(ctx context.Context, messageID string, now time.Time) (MailState, bool, error) {
	res, err := claimScript.Run(ctx, l.rdb, []string{mailKey(messageID)}, now.UnixMilli(), l.ttl.Milliseconds()).Slice()
	if err != nil || len(res) != 2 {
		return MailState{}, false, fmt.Errorf("record the sending of %s: %w", messageID, orUnexpected(err))
	}
	claimed, _ := res[0].(int64)
	fields, _ := res[1].([]any)
	return decodeMailState(fields), claimed == 1, nil
}

func orUnexpected(err error) error {
	if err == nil {
		return fmt.Errorf("unexpected answer from Redis")
	}
	return err
}

func decodeMailState(fields []any) MailState {
	s := MailState{Steps: map[string]bool{}}
	for i := 0; i+1 < len(fields); i += 2 {
		k, _ := fields[i].(string)
		v, _ := fields[i+1].(string)
		switch k {
		case "state":
			s.State = v
		case "started_at":
			s.StartedAt = unixMilli(v)
		case "sent_at":
			s.SentAt = unixMilli(v)
		default:
			if step, ok := stepField(k); ok {
				s.Steps[step] = v == "1"
			}
		}
	}
	return s
}

func unixMilli(v string) time.Time {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n == 0 {
		return time.Time{}
	}
	return time.UnixMilli(n)
}

const stepPrefix = "step:"

func stepField(k string) (string, bool) {
	step, ok := strings.CutPrefix(k, stepPrefix)
	return step, ok && step != ""
}

// releaseScript removes a claim that is still "sending": the server refused the message, so it was not sent.
var releaseScript = redis.NewScript(`
if redis.call("hget", KEYS[1], "state") == "sending" then return redis.call("del", KEYS[1]) end
return 0`)

// Release removes the claim of a message whose SMTP transaction certainly failed (the server refused it,
// or never got it), so that a retry may send it. A message recorded as sent keeps its record.
func (l *MailLog) Release(ctx context.Context, messageID string) error {
	if err := releaseScript.Run(ctx, l.rdb, []string{mailKey(messageID)}).Err(); err != nil {
		return fmt.Errorf("release the sending of %s: %w", messageID, err)
	}
	return nil
}

// MarkSent records, after its SMTP transaction, that the server accepted the message.
func (l *MailLog) MarkSent(ctx context.Context, messageID string, at time.Time) error {
	key := mailKey(messageID)
	_, err := l.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, "state", MailSent, "sent_at", at.UnixMilli())
		p.PExpire(ctx, key, l.ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("record %s as sent: %w", messageID, err)
	}
	return nil
}

// MarkStep records that a follow-up of a sent message (its note, its chat post) is done.
func (l *MailLog) MarkStep(ctx context.Context, messageID, step string) error {
	if err := l.rdb.HSet(ctx, mailKey(messageID), stepPrefix+step, "1").Err(); err != nil {
		return fmt.Errorf("record the %s of %s: %w", step, messageID, err)
	}
	return nil
}

// Forget removes the record of a message, so that it can be sent again: for an operator who has checked,
// in the mail server's log, that a message left unconfirmed never went out.
func (l *MailLog) Forget(ctx context.Context, messageID string) (bool, error) {
	n, err := l.rdb.Del(ctx, mailKey(messageID)).Result()
	if err != nil {
		return false, fmt.Errorf("forget %s: %w", messageID, err)
	}
	return n == 1, nil
}
