package pagerduty

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// wireChangeEvent is a change event as GET /incidents/{id}/related_change_events lists it.
type wireChangeEvent struct {
	ID          string     `json:"id"`
	Summary     string     `json:"summary"`
	Timestamp   string     `json:"timestamp"`
	Source      string     `json:"source"`
	Integration *reference `json:"integration"`
	Links       []struct {
		Href string `json:"href"`
		Text string `json:"text"`
	} `json:"links"`
	CorrelationReason *struct {
		Reason string `json:"reason"`
	} `json:"correlation_reason"`
}

// correlationReasons say in words why PagerDuty relates a change event to an incident.
var correlationReasons = map[string]string{
	"most_recent":     "the most recent change",
	"related_service": "a change on a related service",
	"intelligent":     "related by PagerDuty's change correlation",
}

// RelatedChangeEvents fetches the change events PagerDuty relates to an incident (GET
// /incidents/{id}/related_change_events, one page of 100, which is one request): deploys, builds and
// configuration changes sent to PagerDuty, each with why PagerDuty relates it. more is true when PagerDuty
// holds more than the page. Errors are those of FetchExport; an event that does not decode is an error
// naming it.
func (c *Client) RelatedChangeEvents(ctx context.Context, incidentID string) (events []postmortem.Change, more bool, err error) {
	if err := checkID("fetch related change events", incidentID); err != nil {
		return nil, false, err
	}
	q := url.Values{}
	q.Set("limit", strconv.Itoa(pageLimit))
	body, err := c.send(ctx, request{method: http.MethodGet, path: "/incidents/" + incidentID + "/related_change_events", query: q, idempotent: true})
	if err != nil {
		return nil, false, wrapOp("fetch related change events", incidentID, err)
	}
	events, more, err = decodeChangeEvents(body)
	if err != nil {
		return nil, false, wrapOp("fetch related change events", incidentID, err)
	}
	return events, more, nil
}

// decodeChangeEvents decodes a page of related change events, times in UTC. An event without an RFC 3339
// timestamp is an error naming it.
func decodeChangeEvents(body []byte) (events []postmortem.Change, more bool, err error) {
	var page struct {
		ChangeEvents []wireChangeEvent `json:"change_events"`
		More         bool              `json:"more"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, false, fmt.Errorf("decode answer: %w", err)
	}
	for _, w := range page.ChangeEvents {
		at, err := parseTime(w.Timestamp)
		if err != nil || at.IsZero() {
			return nil, false, fmt.Errorf("decode change event %q: timestamp %q: want an RFC 3339 time", w.ID, w.Timestamp)
		}
		ch := postmortem.Change{At: at.UTC(), Kind: postmortem.ChangeEvent, Source: "PagerDuty", What: w.Summary, Agent: w.Source}
		if ch.Agent == "" {
			ch.Agent = w.Integration.name()
		}
		if w.CorrelationReason != nil {
			if why := correlationReasons[w.CorrelationReason.Reason]; why != "" {
				ch.What += " (" + why + ")"
			}
		}
		for _, l := range w.Links {
			if l.Href != "" {
				ch.URL = l.Href
				break
			}
		}
		events = append(events, ch)
	}
	return events, page.More, nil
}

// ReadChanges implements postmortem.ChangeReader with the change events PagerDuty relates to the incident.
// It never fails: an error is the source's Problem.
func (c *Client) ReadChanges(ctx context.Context, q postmortem.ChangeQuery) postmortem.Changes {
	out := postmortem.Changes{Query: q}
	src := postmortem.ChangeSource{Name: postmortem.ChangeSourcePagerDuty}
	events, more, err := c.RelatedChangeEvents(ctx, q.IncidentID)
	switch {
	case err != nil:
		src.Problem = err.Error()
	case more:
		src.Problem = fmt.Sprintf("only the first %d were read", len(events))
	}
	out.Items, out.Sources = events, []postmortem.ChangeSource{src}
	return out
}
