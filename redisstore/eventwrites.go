package redisstore

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// eventWrites stores webhook events, sharing Redis round trips between the deliveries that arrive
// together. Up to maxEventWrites writes are in flight at once, each made by the delivery that started it;
// a delivery that finds them all busy joins the batch gathering meanwhile, which the first write to finish
// sends as one pipeline. A delivery alone makes its own round trip at once; in a burst, tens of
// deliveries share one, which spares Redis and the service a read, a write and a wake-up each. Every
// delivery still returns only once Redis has answered for its own event.
type eventWrites struct {
	rdb       redis.UniversalClient
	retention time.Duration

	mu      sync.Mutex
	running int         // writes in flight
	next    *eventBatch // the events gathered while maxEventWrites writes are in flight
}

// maxEventWrites is how many event writes are in flight at once. Few enough that a burst gathers into
// batches, enough that a slow answer from Redis does not hold up every other delivery.
const maxEventWrites = 4

// batchTimeout bounds the write of a gathered batch, made on behalf of deliveries that each wait for it
// under their own deadline.
const batchTimeout = 30 * time.Second

// eventWrite is one event to store, and what became of it.
type eventWrite struct {
	key, eventID string
	raw          []byte
	added        bool
	err          error
}

// eventBatch is events gathered to be written together; done is closed once they are.
type eventBatch struct {
	events []*eventWrite
	done   chan struct{}
}

// save stores e, alone or with the events gathered beside it, and returns once Redis answered for it or
// ctx ended. When ctx ends first, the event may still be stored: the caller answers so that the sender
// delivers again, and the repeated delivery is then found a duplicate.
func (w *eventWrites) save(ctx context.Context, e *eventWrite) error {
	w.mu.Lock()
	if w.running >= maxEventWrites {
		b := w.next
		if b == nil {
			b = &eventBatch{done: make(chan struct{})}
			w.next = b
		}
		b.events = append(b.events, e)
		w.mu.Unlock()
		select {
		case <-b.done:
			return e.err
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	w.running++
	w.mu.Unlock()
	events := [1]*eventWrite{e}
	w.write(ctx, events[:])
	w.finish()
	return e.err
}

// finish ends a write. The events gathered meanwhile are written next, by a goroutine of their own, so
// that the delivery that made this write returns at once.
func (w *eventWrites) finish() {
	w.mu.Lock()
	b := w.next
	w.next = nil
	if b == nil {
		w.running--
		w.mu.Unlock()
		return
	}
	w.mu.Unlock()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		w.write(ctx, b.events)
		cancel()
		close(b.done)
		w.finish()
	}()
}

// write stores events in one pipelined round trip, each with HSETNX and EXPIRE, without MULTI/EXEC,
// which would cost Redis more than the commands themselves: should the connection fail between the two,
// the delivery gets an error, is answered 503, and the sender's next delivery sets the expiry again.
func (w *eventWrites) write(ctx context.Context, events []*eventWrite) {
	added := make([]*redis.BoolCmd, len(events))
	expire := make([]*redis.BoolCmd, len(events))
	_, _ = w.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, e := range events {
			added[i] = p.HSetNX(ctx, e.key, e.eventID, e.raw)
			expire[i] = p.Expire(ctx, e.key, w.retention)
		}
		return nil
	})
	// A failed round trip sets its error on every command; a command Redis refused fails its event only.
	for i, e := range events {
		e.added, e.err = added[i].Val(), added[i].Err()
		if e.err == nil {
			e.err = expire[i].Err()
		}
	}
}
