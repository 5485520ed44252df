package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/hindsight-dev/hindsight/redisstore"
	"github.com/redis/go-redis/v9"
)

// Task types.
const (
	// TypePostmortem builds and publishes the postmortem of a resolved incident.
	TypePostmortem = "postmortem:publish"
)

// dedupRetention keeps a finished task, and so its ID, long enough to recognise every retry of a delivery:
// PagerDuty retries for up to 48 hours.
const dedupRetention = 72 * time.Hour

// PostmortemPayload is the payload of a TypePostmortem task.
type PostmortemPayload struct {
	IncidentID string `json:"incident_id"`
	// EventID is the PagerDuty event that asked for it, or "replay".
	EventID   string `json:"event_id"`
	WebhookID string `json:"webhook_id,omitempty"`
}

// Queue accepts work: it stores events and enqueues tasks. It is safe for concurrent use.
type Queue struct {
	store  *redisstore.Store
	client *asynq.Client
	// Retry is how many times a failed task is retried before it is archived.
	retry int
	rdb   redis.UniversalClient
	// replicas is how many Redis replicas must hold an accepted delivery (RequireReplicas).
	replicas       int
	replicaTimeout time.Duration
}

// New returns a Queue over rdb. The caller closes rdb; Close releases only the Queue's own resources.
func New(rdb redis.UniversalClient, store *redisstore.Store, maxRetry int) *Queue {
	return &Queue{store: store, client: asynq.NewClientFromRedisClient(rdb), retry: maxRetry, rdb: rdb}
}

// Close releases the queue's client.
func (q *Queue) Close() error { return q.client.Close() }

// PagerDutyDelivery is one verified PagerDuty webhook delivery.
type PagerDutyDelivery struct {
	WebhookID  string // X-Webhook-Id, unchanged on every retry of a delivery
	EventID    string
	EventType  string
	IncidentID string // empty for events that are not about an incident
	Body       []byte // the raw body, as signed
}

// Outcome says what Accept did with a delivery.
type Outcome string

// The outcomes of Accept.
const (
	Enqueued  Outcome = "enqueued"  // stored and a task enqueued
	Stored    Outcome = "stored"    // stored; no task needed
	Duplicate Outcome = "duplicate" // seen before; nothing more done
	Ignored   Outcome = "ignored"   // not about an incident
)

// AcceptPagerDuty makes a delivery durable: an incident event is stored under its incident and, when it
// calls for work, a task is enqueued whose ID is derived from the delivery, so a repeated delivery enqueues
// nothing. It returns only once Redis holds everything; any error means the caller must answer so that
// PagerDuty delivers again.
func (q *Queue) AcceptPagerDuty(ctx context.Context, d PagerDutyDelivery) (Outcome, error) {
	if d.IncidentID == "" {
		return Ignored, nil
	}
	added, err := q.store.SaveEvent(ctx, d.IncidentID, d.EventID, d.Body)
	if err != nil {
		return "", err
	}
	if d.EventType != "incident.resolved" {
		if err := q.waitReplicas(ctx); err != nil {
			return "", err
		}
		if !added {
			return Duplicate, nil
		}
		return Stored, nil
	}
	// The task ID comes from the event, not the delivery, so that two subscriptions delivering the same
	// event enqueue one task; a delivery without an event ID falls back to its webhook ID.
	id := d.EventID
	if id == "" {
		id = d.WebhookID
	}
	err = q.enqueuePostmortem(ctx, PostmortemPayload{IncidentID: d.IncidentID, EventID: d.EventID, WebhookID: d.WebhookID}, "pagerduty-event:"+id)
	outcome := Enqueued
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		outcome, err = Duplicate, nil
	}
	if err != nil {
		return "", err
	}
	// A duplicate waits too: its first delivery may have been answered 503 for want of replicas.
	if err := q.waitReplicas(ctx); err != nil {
		return "", err
	}
	return outcome, nil
}

// Replay enqueues the postmortem pipeline for an incident, e.g. one resolved before Hindsight ran. A
// replay is idempotent like any other run.
func (q *Queue) Replay(ctx context.Context, incidentID string) error {
	id := fmt.Sprintf("replay:%s:%d", incidentID, time.Now().UnixNano())
	return q.enqueuePostmortem(ctx, PostmortemPayload{IncidentID: incidentID, EventID: "replay"}, id)
}

func (q *Queue) enqueuePostmortem(ctx context.Context, p PostmortemPayload, taskID string) error {
	payload, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode task: %w", err)
	}
	task := asynq.NewTask(TypePostmortem, payload,
		asynq.TaskID(taskID),
		asynq.Retention(dedupRetention),
		asynq.MaxRetry(q.retry),
		asynq.Timeout(10*time.Minute),
	)
	if _, err := q.client.EnqueueContext(ctx, task); err != nil {
		return fmt.Errorf("enqueue postmortem of %s: %w", p.IncidentID, err)
	}
	return nil
}
