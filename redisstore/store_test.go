package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

func TestStoreEventsAndRecords(t *testing.T) {
	r := queuetest.StartRedis(t)
	rdb, err := redisstore.OpenRedis(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	ctx := context.Background()
	s := redisstore.NewStore(rdb, 90*time.Minute)

	added, err := s.SaveEvent(ctx, "PINC1", "E1", []byte(`{"a":1}`))
	if err != nil || !added {
		t.Fatalf("first save: %v %v", added, err)
	}
	added, err = s.SaveEvent(ctx, "PINC1", "E1", []byte(`{"a":2}`))
	if err != nil || added {
		t.Fatalf("repeated save: added=%v err=%v, want false", added, err)
	}
	events, err := s.Events(ctx, "PINC1")
	if err != nil || len(events) != 1 || string(events[0]) != `{"a":1}` {
		t.Fatalf("events = %q, %v; want the first body once", events, err)
	}
	ttl := r.Client(t).TTL(ctx, "hindsight:incident:PINC1:events").Val()
	if ttl <= 80*time.Minute || ttl > 90*time.Minute {
		t.Errorf("retention TTL = %v, want about 90m", ttl)
	}

	if _, ok, err := s.LoadRecord(ctx, "PINC1"); ok || err != nil {
		t.Fatalf("record before saving: %v %v", ok, err)
	}
	want := redisstore.Record{IncidentID: "PINC1", PullURL: "https://github.example/acme/pm/pull/7", PullNumber: 7, Branch: "postmortem/PINC1", Path: "p.md", Linked: true}
	if err := s.SaveRecord(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.LoadRecord(ctx, "PINC1")
	if err != nil || !ok {
		t.Fatalf("load: %v %v", ok, err)
	}
	got.UpdatedAt = 0
	if got != want {
		t.Errorf("record = %+v, want %+v", got, want)
	}
}

func TestOpenRedis(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"redis://127.0.0.1:6379/0", true},
		{"rediss://user:pw@redis.example:6380/2", true},
		{"redis-sentinel://:pw@s1:26379,s2:26379,s3/mymaster?db=1", true},
		{"redis-sentinel://s1:26379", false},
		{"redis-sentinel://s1:26379/m?db=x", false},
		{"mysql://x", false},
		{"redis://127.0.0.1:6379/notadb", false},
	}
	for _, tt := range tests {
		c, err := redisstore.OpenRedis(tt.url)
		if (err == nil) != tt.ok {
			t.Errorf("OpenRedis(%q) error = %v, want ok=%v", tt.url, err, tt.ok)
		}
		if c != nil {
			_ = c.Close()
		}
	}
}

// TestThroughSentinel reaches the primary through a real Sentinel, as an HA deployment does.
func TestThroughSentinel(t *testing.T) {
	r := queuetest.StartRedis(t)
	url := queuetest.StartSentinel(t, r)
	rdb, err := redisstore.OpenRedis(url)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	s := redisstore.NewStore(rdb, time.Hour)
	if _, err := s.SaveEvent(context.Background(), "PSENT1", "E1", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	// The event is on the primary.
	if n := r.Client(t).HLen(context.Background(), "hindsight:incident:PSENT1:events").Val(); n != 1 {
		t.Errorf("%d events on the primary, want 1", n)
	}
}
