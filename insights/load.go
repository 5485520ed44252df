package insights

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/redisstore"
)

// Source is what the report is read from: the postmortem records and the action item records Hindsight
// keeps in Redis (*redisstore.Store).
type Source interface {
	Records(ctx context.Context, since time.Time) ([]redisstore.Record, error)
	ActionItems(ctx context.Context) ([]redisstore.ActionItemRecord, error)
	// Services names the service of postmortems that are not listed (resolved before since).
	Services(ctx context.Context, incidentIDs []string) (map[string]string, error)
}

// Load reads the postmortems of the incidents resolved at since or later (every listed one when since is
// zero) and their action items, and builds their report at now.
func Load(ctx context.Context, src Source, since, now time.Time) (Report, error) {
	recs, err := src.Records(ctx, since)
	if err != nil {
		return Report{}, err
	}
	all, err := src.ActionItems(ctx)
	if err != nil {
		return Report{}, err
	}
	pms := make([]Postmortem, 0, len(recs))
	listed := make(map[string]bool, len(recs))
	for _, r := range recs {
		pms = append(pms, FromRecord(r))
		listed[r.IncidentID] = true
	}
	items := make([]ActionItem, 0, len(all))
	var unlisted []string
	seen := map[string]bool{}
	for _, a := range all {
		// An item of a postmortem resolved before since still counts where it was opened or closed since.
		if !listed[a.IncidentID] && a.Opened.Before(since) && (a.Open || a.Closed.Before(since)) {
			continue
		}
		if !listed[a.IncidentID] && !seen[a.IncidentID] {
			seen[a.IncidentID] = true
			unlisted = append(unlisted, a.IncidentID)
		}
		items = append(items, ActionItem{IncidentID: a.IncidentID, Repo: a.Repo, Number: a.Number, Open: a.Open,
			Opened: a.Opened.UTC(), Closed: a.Closed.UTC()})
	}
	if len(unlisted) > 0 {
		services, err := src.Services(ctx, unlisted)
		if err != nil {
			return Report{}, err
		}
		for i := range items {
			items[i].Service = services[items[i].IncidentID]
		}
	}
	return Build(pms, items, since, now), nil
}

// FromRecord is the postmortem a record describes.
func FromRecord(r redisstore.Record) Postmortem {
	return Postmortem{
		IncidentID: r.IncidentID, IncidentNumber: r.IncidentNumber, Title: r.IncidentTitle, IncidentURL: r.IncidentURL,
		Priority: r.Priority, Service: r.Service, Owner: r.Owner, Reviewers: r.ReviewerLogins(),
		Repo: r.Repo, PullURL: r.PullURL, PullNumber: r.PullNumber,
		Due: unix(r.Due), TriggeredAt: unix(r.TriggeredAt), AcknowledgedAt: unix(r.AcknowledgedAt), ResolvedAt: unix(r.ResolvedAt),
		OpenedAt: unix(r.OpenedAt), MergedAt: unix(r.MergedAt), ClosedAt: unix(r.ClosedAt),
	}
}

func unix(s int64) time.Time {
	if s <= 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// ParseSince reads a start given as a date (2026-10-01, midnight UTC) or an RFC 3339 time; "" is no start.
func ParseSince(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("since %q: want a date such as 2026-10-01 or an RFC 3339 time", s)
	}
	return t.UTC(), nil
}
