package queue_test

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/lifecycle"
	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// startReplica starts a second redis-server replicating primary and waits until the primary counts it.
func startReplica(t *testing.T, primary *queuetest.Redis) *queuetest.Redis {
	t.Helper()
	if os.Getenv("HINDSIGHT_TEST_REDIS_URL") != "" {
		t.Skip("replication needs Redis servers of the test's own")
	}
	replica := queuetest.StartRedis(t)
	startReplicaOf(t, replica, primary)
	return replica
}

// TestAcceptWaitsForReplicas: with replicas required, a delivery is accepted only once a replica holds
// it; without the replica it is refused (the receiver answers 503 and PagerDuty delivers again), and the
// redelivery, a duplicate, is accepted once the replica is back.
func TestAcceptWaitsForReplicas(t *testing.T) {
	primary := queuetest.StartRedis(t)
	replica := startReplica(t, primary)
	rdb, err := redisstore.OpenRedis(primary.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	q := queue.New(rdb, redisstore.NewStore(rdb, time.Hour), 3)
	defer q.Close()
	q.RequireReplicas(1, 1500*time.Millisecond)
	ctx := context.Background()
	d := queue.PagerDutyDelivery{WebhookID: "W1", EventID: "E1", EventType: "incident.resolved", IncidentID: "PREPL1", Body: []byte(`{}`)}
	if out, err := q.AcceptPagerDuty(ctx, d); err != nil || out != queue.Enqueued {
		t.Fatalf("with a replica: %s %v", out, err)
	}
	if n := replica.Client(t).HLen(ctx, "hindsight:incident:PREPL1:events").Val(); n != 1 {
		t.Errorf("the replica holds %d events, want 1", n)
	}

	// The replica goes away: nothing is acknowledged.
	if err := replica.Client(t).Do(ctx, "REPLICAOF", "NO", "ONE").Err(); err != nil {
		t.Fatal(err)
	}
	d2 := queue.PagerDutyDelivery{WebhookID: "W2", EventID: "E2", EventType: "incident.resolved", IncidentID: "PREPL2", Body: []byte(`{}`)}
	start := time.Now()
	if _, err := q.AcceptPagerDuty(ctx, d2); !errors.Is(err, queue.ErrNotReplicated) {
		t.Fatalf("without a replica: %v, want ErrNotReplicated", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the refusal took %s, beyond the wait of 1.5s", took)
	}
	gd := lifecycle.PullRequestEvent{DeliveryID: "G1", Action: "opened", Repo: "acme/pm", Number: 1}
	if _, err := q.AcceptGitHub(ctx, gd); !errors.Is(err, queue.ErrNotReplicated) {
		t.Fatalf("GitHub delivery without a replica: %v, want ErrNotReplicated", err)
	}

	// Back: the redeliveries are duplicates, acknowledged now that a replica holds them.
	startReplicaOf(t, replica, primary)
	if out, err := q.AcceptPagerDuty(ctx, d2); err != nil || out != queue.Duplicate {
		t.Fatalf("redelivery: %s %v, want duplicate", out, err)
	}
	if out, err := q.AcceptGitHub(ctx, gd); err != nil || out != queue.Duplicate {
		t.Fatalf("GitHub redelivery: %s %v, want duplicate", out, err)
	}
}

func startReplicaOf(t *testing.T, replica, primary *queuetest.Redis) {
	t.Helper()
	host, port, _ := net.SplitHostPort(primary.Addr)
	p := primary.Client(t)
	// Redis waits 5 s by default for more replicas before a full sync.
	if err := p.ConfigSet(context.Background(), "repl-diskless-sync-delay", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if err := replica.Client(t).Do(context.Background(), "REPLICAOF", host, port).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if n, _ := p.Wait(context.Background(), 1, 100*time.Millisecond).Result(); n >= 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the replica did not reconnect")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
