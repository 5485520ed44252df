package pagerduty

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// wireAlert is an alert as GET /incidents/{id}/alerts returns it.
type wireAlert struct {
	ID          string     `json:"id"`
	Summary     string     `json:"summary"`
	HTMLURL     string     `json:"html_url"`
	CreatedAt   string     `json:"created_at"`
	Status      string     `json:"status"`
	Severity    string     `json:"severity"`
	Service     *reference `json:"service"`
	Integration *reference `json:"integration"`
	Body        *struct {
		Contexts   []wireContext   `json:"contexts"`
		Details    json.RawMessage `json:"details"`
		CEFDetails *struct {
			Client    text `json:"client"`
			ClientURL text `json:"client_url"`
		} `json:"cef_details"`
	} `json:"body"`
}

// wireContext is a link or image of an alert or trigger ({type, href, text, src}).
type wireContext struct {
	Type string `json:"type"`
	Href string `json:"href"`
	Text string `json:"text"`
	Src  string `json:"src"`
}

func decodeAlert(raw []byte) (postmortem.Alert, error) {
	var w wireAlert
	if err := json.Unmarshal(raw, &w); err != nil {
		return postmortem.Alert{}, fmt.Errorf("decode alert: %w", err)
	}
	at, err := parseTime(w.CreatedAt)
	if err != nil {
		return postmortem.Alert{}, fmt.Errorf("decode alert %s: created_at: %w", w.ID, err)
	}
	a := postmortem.Alert{ID: w.ID, At: at, Summary: w.Summary, URL: w.HTMLURL, Status: w.Status, Severity: w.Severity,
		Source: w.Integration.name(), Service: w.Service.name()}
	if b := w.Body; b != nil {
		a.Details = details(b.Details)
		a.Links = links(b.Contexts)
		if cef := b.CEFDetails; cef != nil {
			if a.Source == "" {
				a.Source = string(cef.Client)
			}
			a.Links = appendLink(a.Links, string(cef.Client), string(cef.ClientURL))
		}
	}
	return a, nil
}

// details reads custom details, an object or a string, as key-value pairs sorted by key; nested values
// keep their compact JSON.
func details(raw json.RawMessage) []postmortem.Detail {
	fields := objectFields(raw)
	if fields == nil {
		if s := scalarText(raw); s != "" && !strings.HasPrefix(s, "[") {
			return []postmortem.Detail{{Key: "details", Value: s}}
		}
		return nil
	}
	out := make([]postmortem.Detail, 0, len(fields))
	for k, v := range fields {
		if s := scalarText(v); s != "" {
			out = append(out, postmortem.Detail{Key: k, Value: s})
		}
	}
	slices.SortFunc(out, func(a, b postmortem.Detail) int { return strings.Compare(a.Key, b.Key) })
	return out
}

func links(contexts []wireContext) []postmortem.Link {
	var out []postmortem.Link
	for _, c := range contexts {
		if c.Type == "link" || c.Type == "" {
			out = appendLink(out, c.Text, c.Href)
		}
	}
	return out
}

func appendLink(list []postmortem.Link, label, href string) []postmortem.Link {
	if href == "" || slices.ContainsFunc(list, func(l postmortem.Link) bool { return l.URL == href }) {
		return list
	}
	return append(list, postmortem.Link{Text: label, URL: href})
}

// alertFromTrigger describes what fired from the first trigger log entry, for an incident whose alerts
// were not fetched: its channel carries the summary, custom details and client link, its contexts the
// links. ok is false when there is no trigger log entry.
func alertFromTrigger(entries []json.RawMessage) (postmortem.Alert, bool) {
	for _, raw := range entries {
		var w struct {
			ID        string          `json:"id"`
			Type      string          `json:"type"`
			HTMLURL   string          `json:"html_url"`
			CreatedAt string          `json:"created_at"`
			Agent     *reference      `json:"agent"`
			Service   *reference      `json:"service"`
			Contexts  []wireContext   `json:"contexts"`
			Channel   json.RawMessage `json:"channel"`
		}
		if json.Unmarshal(raw, &w) != nil || w.Type != "trigger_log_entry" {
			continue
		}
		var ch struct {
			Summary     text            `json:"summary"`
			Description text            `json:"description"`
			Client      text            `json:"client"`
			ClientURL   text            `json:"client_url"`
			Details     json.RawMessage `json:"details"`
			Contexts    []wireContext   `json:"contexts"`
		}
		_ = json.Unmarshal(w.Channel, &ch)
		at, err := parseTime(w.CreatedAt)
		if err != nil {
			continue
		}
		a := postmortem.Alert{ID: w.ID, At: at, URL: w.HTMLURL, Summary: string(ch.Summary), Service: w.Service.name(),
			Source: string(ch.Client), Details: details(ch.Details)}
		if a.Summary == "" {
			a.Summary = string(ch.Description)
		}
		if a.Source == "" && w.Agent != nil && w.Agent.Type != "user_reference" {
			a.Source = w.Agent.name()
		}
		a.Links = links(append(w.Contexts, ch.Contexts...))
		a.Links = appendLink(a.Links, string(ch.Client), string(ch.ClientURL))
		if a.Summary == "" && len(a.Details) == 0 && len(a.Links) == 0 {
			return postmortem.Alert{}, false
		}
		return a, true
	}
	return postmortem.Alert{}, false
}

// fetchAlerts fetches the first page of an incident's alerts (GET /incidents/{id}/alerts, oldest first, 100
// a page): the first is what fired; an incident with more keeps the first hundred.
func (c *Client) fetchAlerts(ctx context.Context, id string) ([]json.RawMessage, error) {
	q := url.Values{}
	q.Set("limit", strconv.Itoa(pageLimit))
	q.Set("sort_by", "created_at:asc")
	body, err := c.send(ctx, request{method: http.MethodGet, path: "/incidents/" + id + "/alerts", query: q, idempotent: true})
	if err != nil {
		return nil, err
	}
	var page struct {
		Alerts []json.RawMessage `json:"alerts"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, fmt.Errorf("decode answer: %w", err)
	}
	return page.Alerts, nil
}
