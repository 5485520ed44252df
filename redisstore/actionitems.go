package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// ActionItemRecord is what Hindsight remembers of an action item issue, for its metrics and the tracking
// issue's task list.
type ActionItemRecord struct {
	Repo       string    `json:"repo"`
	Number     int       `json:"number"`
	IncidentID string    `json:"incident_id"`
	Open       bool      `json:"open"`
	Opened     time.Time `json:"opened"`
	// Closed is when Hindsight saw the issue closed; zero while it is open.
	Closed time.Time `json:"closed,omitzero"`
}

const actionItemsKey = "hindsight:action-items"

func actionItemField(repo string, number int) string { return repo + "#" + strconv.Itoa(number) }

// SaveActionItem records an action item issue and its state; the first time it is seen is kept as when it
// opened, and the first time it is seen closed as when it closed (until it is reopened).
func (s *Store) SaveActionItem(ctx context.Context, a ActionItemRecord) error {
	field := actionItemField(a.Repo, a.Number)
	prev, err := s.rdb.HGet(ctx, actionItemsKey, field).Bytes()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("read action item %s: %w", field, err)
	}
	var old ActionItemRecord
	if len(prev) > 0 && json.Unmarshal(prev, &old) == nil && !old.Opened.IsZero() {
		a.Opened = old.Opened
	}
	now := time.Now().UTC()
	if a.Opened.IsZero() {
		a.Opened = now
	}
	switch {
	case a.Open:
		a.Closed = time.Time{}
	case !a.Closed.IsZero():
	case !old.Open && !old.Closed.IsZero():
		a.Closed = old.Closed
	default:
		a.Closed = now
	}
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if err := s.rdb.HSet(ctx, actionItemsKey, field, b).Err(); err != nil {
		return fmt.Errorf("save action item %s: %w", field, err)
	}
	return nil
}

// ActionItems returns every recorded action item.
func (s *Store) ActionItems(ctx context.Context) ([]ActionItemRecord, error) {
	m, err := s.rdb.HGetAll(ctx, actionItemsKey).Result()
	if err != nil {
		return nil, fmt.Errorf("read action items: %w", err)
	}
	out := make([]ActionItemRecord, 0, len(m))
	for _, v := range m {
		var a ActionItemRecord
		if json.Unmarshal([]byte(v), &a) == nil {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b ActionItemRecord) int { return a.Number - b.Number })
	return out, nil
}

func trackingKey(incidentID string) string { return "hindsight:incident:" + incidentID + ":tracking" }

// SaveTracking records an incident's tracking issue and whether it lists its items as a task list.
func (s *Store) SaveTracking(ctx context.Context, incidentID string, number int, taskList bool) error {
	if err := s.rdb.HSet(ctx, trackingKey(incidentID), "number", number, "task_list", taskList).Err(); err != nil {
		return fmt.Errorf("save tracking issue of %s: %w", incidentID, err)
	}
	return nil
}

// Tracking returns an incident's tracking issue number (0 for none) and whether it is a task list.
func (s *Store) Tracking(ctx context.Context, incidentID string) (number int, taskList bool, err error) {
	var t struct {
		Number   int  `redis:"number"`
		TaskList bool `redis:"task_list"`
	}
	if err := s.rdb.HGetAll(ctx, trackingKey(incidentID)).Scan(&t); err != nil {
		return 0, false, fmt.Errorf("read tracking issue of %s: %w", incidentID, err)
	}
	return t.Number, t.TaskList, nil
}
