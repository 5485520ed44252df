package pagerduty

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// listRange is the longest since/until range one listing asks for: PagerDuty accepts at most 6 months.
const listRange = 90 * 24 * time.Hour

// IncidentQuery selects resolved incidents by creation time, [Since, Until), and optionally by service.
type IncidentQuery struct {
	Since, Until time.Time
	ServiceIDs   []string
}

// ListProgress is called after each page: listed incidents so far, and the total of the ranges begun.
type ListProgress func(listed, total int)

// ResolvedIncidents lists the resolved incidents of q (GET /incidents with statuses[]=resolved, 100 a page,
// offset paging while more), without their log entries or notes. Ranges over 90 days are asked for in
// parts; a part holding more than PagerDuty's 10,000 offset ceiling is split in halves. Incidents come in
// creation order, each once. Errors are those of the REST calls (ErrRateLimited, *APIError).
func (c *Client) ResolvedIncidents(ctx context.Context, q IncidentQuery, progress ListProgress) ([]postmortem.Incident, error) {
	// Whole seconds, as PagerDuty reads since and until; halving a range then always moves forward.
	q.Since, q.Until = q.Since.Truncate(time.Second), q.Until.Add(time.Second-1).Truncate(time.Second)
	if !q.Until.After(q.Since) {
		return nil, fmt.Errorf("list incidents: until %s is not after since %s", q.Until.Format(time.RFC3339), q.Since.Format(time.RFC3339))
	}
	l := &lister{c: c, q: q, progress: progress, seen: map[string]bool{}, ceiling: c.listCeiling}
	if l.ceiling == 0 {
		l.ceiling = maxOffsetPlusLimit
	}
	for from := q.Since; from.Before(q.Until); from = from.Add(listRange) {
		if err := l.list(ctx, window{since: from, until: minTime(from.Add(listRange), q.Until)}); err != nil {
			return nil, err
		}
	}
	return l.incidents, nil
}

type lister struct {
	c         *Client
	q         IncidentQuery
	progress  ListProgress
	seen      map[string]bool
	incidents []postmortem.Incident
	total     int
	ceiling   int // offset+limit may not exceed it
}

func (l *lister) list(ctx context.Context, w window) error {
	for offset := 0; ; offset += pageLimit {
		page, err := l.page(ctx, w, offset)
		if err != nil {
			return err
		}
		if offset == 0 {
			if page.Total > l.ceiling && w.until.Sub(w.since) > time.Second {
				mid := w.since.Add(w.until.Sub(w.since) / 2).Truncate(time.Second)
				if err := l.list(ctx, window{since: w.since, until: mid}); err != nil {
					return err
				}
				return l.list(ctx, window{since: mid, until: w.until})
			}
			l.total += page.Total
		}
		for _, raw := range page.Incidents {
			in, err := decodeIncident(raw)
			if err != nil {
				return fmt.Errorf("list incidents: %w", err)
			}
			if l.seen[in.ID] {
				continue
			}
			l.seen[in.ID] = true
			l.incidents = append(l.incidents, in)
		}
		if l.progress != nil {
			l.progress(len(l.incidents), max(l.total, len(l.incidents)))
		}
		if !page.More || len(page.Incidents) == 0 {
			return nil
		}
		if offset+2*pageLimit > l.ceiling {
			return fmt.Errorf("list incidents %s: more than %d incidents in one second", w, l.ceiling)
		}
	}
}

type incidentPage struct {
	Incidents []json.RawMessage `json:"incidents"`
	More      bool              `json:"more"`
	Total     int               `json:"total"`
}

func (l *lister) page(ctx context.Context, w window, offset int) (incidentPage, error) {
	v := url.Values{}
	v.Set("statuses[]", "resolved")
	for _, id := range l.q.ServiceIDs {
		v.Add("service_ids[]", id)
	}
	v.Set("since", w.since.UTC().Format(time.RFC3339))
	v.Set("until", w.until.UTC().Format(time.RFC3339))
	v.Set("time_zone", "UTC")
	v.Set("limit", strconv.Itoa(pageLimit))
	v.Set("offset", strconv.Itoa(offset))
	if offset == 0 {
		v.Set("total", "true")
	}
	body, err := l.c.send(ctx, request{method: http.MethodGet, path: "/incidents", query: v, idempotent: true})
	if err != nil {
		return incidentPage{}, fmt.Errorf("list incidents %s: %w", w, err)
	}
	var p incidentPage
	if err := json.Unmarshal(body, &p); err != nil {
		return incidentPage{}, fmt.Errorf("list incidents %s: decode answer: %w", w, err)
	}
	return p, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
