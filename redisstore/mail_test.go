package redisstore_test

import (
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

func TestMailLogRecordsOnceAndExpires(t *testing.T) {
	rdb := queuetest.StartRedis(t).Client(t)
	log := redisstore.NewMailLog(rdb, 48*time.Hour)
	ctx := t.Context()
	const id = "postmortem.P1.internal.abc@example.com"
	start := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	if _, claimed, err := log.Claim(ctx, id, start); err != nil || !claimed {
		t.Fatalf("first claim: %v %v", claimed, err)
	}
	if ttl := rdb.TTL(ctx, "hindsight:mail:"+id).Val(); ttl <= 47*time.Hour || ttl > 48*time.Hour {
		t.Errorf("TTL %s, want 48h", ttl)
	}
	st, claimed, err := log.Claim(ctx, id, start.Add(time.Minute))
	if err != nil || claimed || st.State != redisstore.MailSending || !st.StartedAt.Equal(start) {
		t.Fatalf("second claim: %+v %v %v, want the first one's sending record", st, claimed, err)
	}
	// A refused send is forgotten: the next claim is new.
	if err := log.Release(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, claimed, _ := log.Claim(ctx, id, start); !claimed {
		t.Fatal("claim after release refused")
	}
	if err := log.MarkSent(ctx, id, start.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := log.MarkStep(ctx, id, "note"); err != nil {
		t.Fatal(err)
	}
	// A sent message is never released.
	if err := log.Release(ctx, id); err != nil {
		t.Fatal(err)
	}
	st, claimed, err = log.Claim(ctx, id, start.Add(time.Hour))
	if err != nil || claimed || st.State != redisstore.MailSent || !st.SentAt.Equal(start.Add(time.Second)) || !st.Steps["note"] || st.Steps["chat"] {
		t.Fatalf("after sending: %+v %v %v", st, claimed, err)
	}
	if ttl := rdb.TTL(ctx, "hindsight:mail:"+id).Val(); ttl <= 0 {
		t.Errorf("TTL %s after sending, want an expiry", ttl)
	}
}
