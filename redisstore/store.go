package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Store keeps what Redis holds besides the task queue: the webhook events of each incident (status updates
// exist nowhere else) and the record of each published postmortem.
type Store struct {
	rdb redis.UniversalClient
	// events stores webhook events, keeping an incident's events for the retention after its last event.
	events *eventWrites
}

// NewStore returns a Store over rdb that keeps events for retention after an incident's last event.
func NewStore(rdb redis.UniversalClient, retention time.Duration) *Store {
	return &Store{rdb: rdb, events: &eventWrites{rdb: rdb, retention: retention}}
}

func eventsKey(incidentID string) string { return "hindsight:incident:" + incidentID + ":events" }

func recordKey(incidentID string) string { return "hindsight:incident:" + incidentID + ":postmortem" }

// SaveEvent stores one webhook event's raw body under its incident and keeps the incident's events for
// the retention from now. It reports false when the event was stored already (a repeated delivery); storing
// it again changes nothing but the expiry. Deliveries that arrive together share round trips (eventWrites).
func (s *Store) SaveEvent(ctx context.Context, incidentID, eventID string, raw []byte) (bool, error) {
	e := &eventWrite{key: eventsKey(incidentID), eventID: eventID, raw: raw}
	if err := s.events.save(ctx, e); err != nil {
		return false, fmt.Errorf("store event %s of incident %s: %w", eventID, incidentID, err)
	}
	return e.added, nil
}

// Events returns the raw bodies of the events stored for an incident, in no particular order.
func (s *Store) Events(ctx context.Context, incidentID string) ([][]byte, error) {
	m, err := s.rdb.HGetAll(ctx, eventsKey(incidentID)).Result()
	if err != nil {
		return nil, fmt.Errorf("read events of incident %s: %w", incidentID, err)
	}
	out := make([][]byte, 0, len(m))
	for _, v := range m {
		out = append(out, []byte(v))
	}
	return out, nil
}

// Record is what Hindsight remembers of a published postmortem.
type Record struct {
	IncidentID string `redis:"incident_id"`
	// Repo is the repository the postmortem went to; empty for the configured one.
	Repo string `redis:"repo"`
	// What the postmortem's issues and reminders say of the incident.
	IncidentTitle  string `redis:"incident_title"`
	IncidentNumber int    `redis:"incident_number"`
	IncidentURL    string `redis:"incident_url"`
	Priority       string `redis:"priority"`
	// Urgency, the service's ID and name and the teams (JSON, [{"ID":…,"Name":…}]) choose the lists a merged
	// postmortem is mailed to (policy rules and routes match services and teams by ID or name); replies to
	// the mail go to Owner's address.
	Urgency     string `redis:"urgency"`
	ServiceID   string `redis:"service_id"`
	ServiceName string `redis:"service_name"`
	Teams       string `redis:"teams"`
	// Reviewers are the logins reminders mention, comma-separated; Due is when the postmortem is due and
	// ReminderAt when its current reminder is scheduled (Unix; 0 for none).
	Reviewers  string `redis:"reviewers"`
	Due        int64  `redis:"due"`
	ReminderAt int64  `redis:"reminder_at"`
	PullURL    string `redis:"pull_url"`
	PullNumber int    `redis:"pull_number"`
	Branch     string `redis:"branch"`
	Path       string `redis:"path"`
	// Linked is true once the back-link note is on the PagerDuty incident.
	Linked bool `redis:"linked"`
	// BlobSHA names the file Hindsight last wrote (git's blob SHA), to tell it from one people edited;
	// LastEntryAt is the Unix time of the newest timeline entry it was written from.
	BlobSHA     string `redis:"blob_sha"`
	LastEntryAt int64  `redis:"last_entry_at"`
	UpdatedAt   int64  `redis:"updated_at"`
	// What the team's figures need (see the insights package). Service is the incident's PagerDuty service
	// (its name, else its ID) and Owner the postmortem's owner, a GitHub login. TriggeredAt,
	// AcknowledgedAt and ResolvedAt are when the incident was detected, first acknowledged and last
	// resolved (Unix; 0 when unknown).
	Service        string `redis:"service"`
	Owner          string `redis:"owner"`
	TriggeredAt    int64  `redis:"triggered_at"`
	AcknowledgedAt int64  `redis:"acknowledged_at"`
	ResolvedAt     int64  `redis:"resolved_at"`
	// OpenedAt is when Hindsight first found the pull request open; MergedAt and ClosedAt when it was merged,
	// or closed without merging (Unix; 0 for not yet). Saving a record never clears them: only
	// SetPullState does, when the pull request is reopened.
	OpenedAt int64 `redis:"opened_at,omitempty"`
	MergedAt int64 `redis:"merged_at,omitempty"`
	ClosedAt int64 `redis:"closed_at,omitempty"`
}

// ReviewerLogins returns the logins of Reviewers, nil for none.
func (r Record) ReviewerLogins() []string {
	var logins []string
	for login := range strings.SplitSeq(r.Reviewers, ",") {
		if login = strings.TrimSpace(login); login != "" {
			logins = append(logins, login)
		}
	}
	return logins
}

// SaveRecord stores the record of an incident's postmortem, and indexes it by its pull request and in the
// list of postmortems (see Records).
func (s *Store) SaveRecord(ctx context.Context, r Record) error {
	now := time.Now()
	r.UpdatedAt = now.Unix()
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, recordKey(r.IncidentID), r)
		if r.PullNumber > 0 {
			p.HSet(ctx, pullsKey, pullField(r.Repo, r.PullNumber), r.IncidentID)
		}
		indexRecord(ctx, p, r, now)
		return nil
	})
	if err != nil {
		return fmt.Errorf("save postmortem record of %s: %w", r.IncidentID, err)
	}
	return nil
}

const pullsKey = "hindsight:pulls"

func pullField(repo string, number int) string {
	return strings.ToLower(repo) + "#" + strconv.Itoa(number)
}

// IncidentOfPull returns the incident whose postmortem is pull request number of repo; ok is false when
// it is not a postmortem Hindsight opened.
func (s *Store) IncidentOfPull(ctx context.Context, repo string, number int) (string, bool, error) {
	id, err := s.rdb.HGet(ctx, pullsKey, pullField(repo, number)).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("look up pull request %s#%d: %w", repo, number, err)
	}
	return id, true, nil
}

// SetReminderAt records which reminder of an incident's postmortem is the current one, changing nothing
// else of its record.
func (s *Store) SetReminderAt(ctx context.Context, incidentID string, at int64) error {
	if err := s.rdb.HSet(ctx, recordKey(incidentID), "reminder_at", at).Err(); err != nil {
		return fmt.Errorf("save the reminder of %s: %w", incidentID, err)
	}
	return nil
}

// SetPullState records what became of an incident's postmortem pull request, changing nothing else of its
// record: merged at mergedAt, or closed without merging at closedAt, or (both zero) open again.
func (s *Store) SetPullState(ctx context.Context, incidentID string, mergedAt, closedAt time.Time) error {
	unix := func(t time.Time) int64 {
		if t.IsZero() {
			return 0
		}
		return t.Unix()
	}
	// The caller has read the record: the pull request is one Hindsight opened.
	if err := s.rdb.HSet(ctx, recordKey(incidentID), "merged_at", unix(mergedAt), "closed_at", unix(closedAt)).Err(); err != nil {
		return fmt.Errorf("save the pull request state of %s: %w", incidentID, err)
	}
	return nil
}

// LoadRecord returns the record of an incident's postmortem; ok is false when there is none.
func (s *Store) LoadRecord(ctx context.Context, incidentID string) (r Record, ok bool, err error) {
	res := s.rdb.HGetAll(ctx, recordKey(incidentID))
	if err := res.Err(); err != nil {
		return Record{}, false, fmt.Errorf("load postmortem record of %s: %w", incidentID, err)
	}
	if len(res.Val()) == 0 {
		return Record{}, false, nil
	}
	if err := res.Scan(&r); err != nil {
		return Record{}, false, fmt.Errorf("load postmortem record of %s: %w", incidentID, err)
	}
	return r, true, nil
}

// Published reports whether Hindsight has opened the incident's postmortem pull request, by the record
// the pipeline keeps of it.
func (s *Store) Published(ctx context.Context, incidentID string) (pullURL string, ok bool, err error) {
	r, found, err := s.LoadRecord(ctx, incidentID)
	if err != nil || !found || r.PullURL == "" {
		return "", false, err
	}
	return r.PullURL, true, nil
}
