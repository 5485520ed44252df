package pagerduty

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// request is one REST call. Only idempotent calls (idempotent == true) are retried after a 5xx or a network
// error: a POST that failed that way may have been applied. Every call is retried after a 429, which
// PagerDuty answers before doing anything.
type request struct {
	method     string
	path       string // starting with "/", already escaped
	query      url.Values
	body       []byte
	from       bool // send the From header
	idempotent bool
}

// send performs r with retries and returns the body of the 2xx answer. Errors never carry the token.
func (c *Client) send(ctx context.Context, r request) ([]byte, error) {
	u := c.baseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var lastErr error
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			if lastErr != nil {
				return nil, fmt.Errorf("%w (last failure: %w)", err, lastErr)
			}
			return nil, err
		}
		body, retry, wait, err := c.attempt(ctx, r, u, attempt)
		if err == nil {
			return body, nil
		}
		if !retry {
			return nil, err
		}
		lastErr = err
		if attempt >= c.maxAttempts {
			return nil, fmt.Errorf("giving up after %d attempts: %w", attempt, err)
		}
		if wait > c.maxWait {
			return nil, fmt.Errorf("retrying needs a wait of %s, longer than the longest allowed (MaxWait %s): %w", wait, c.maxWait, err)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(deadline) {
			return nil, fmt.Errorf("waiting %s before retrying would pass the context deadline: %w", wait, err)
		}
		c.log.LogAttrs(ctx, slog.LevelWarn, "pagerduty: retrying request",
			slog.String("method", r.method), slog.String("path", r.path),
			slog.Int("attempt", attempt), slog.Duration("wait", wait), slog.String("error", err.Error()))
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, fmt.Errorf("%w while waiting %s to retry (last failure: %w)", ctx.Err(), wait, err)
		case <-timer.C:
		}
	}
}

// attempt performs r once. It reports whether a failure is worth retrying and after how long.
func (c *Client) attempt(ctx context.Context, r request, u string, attempt int) (body []byte, retry bool, wait time.Duration, err error) {
	var rd *bytes.Reader
	if r.body != nil {
		rd = bytes.NewReader(r.body)
	}
	var req *http.Request
	if rd != nil {
		req, err = http.NewRequestWithContext(ctx, r.method, u, rd)
	} else {
		req, err = http.NewRequestWithContext(ctx, r.method, u, nil)
	}
	if err != nil {
		return nil, false, 0, c.scrub(fmt.Errorf("build request: %w", err))
	}
	if r.from {
		req.Header.Set("From", c.from)
	}
	// Do adds Accept (API v2), User-Agent, Content-Type and the Authorization header.
	resp, err := c.pd.Do(req, true)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, 0, c.scrub(fmt.Errorf("%s %s: %w", r.method, r.path, ctx.Err()))
		}
		return nil, r.idempotent, c.backoff(attempt), c.scrub(fmt.Errorf("%s %s: %w", r.method, r.path, err))
	}
	defer func() { _ = resp.Body.Close() }()
	body, err = readBody(resp.Body)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, 0, c.scrub(fmt.Errorf("%s %s: read response: %w", r.method, r.path, ctx.Err()))
		}
		return nil, r.idempotent, c.backoff(attempt), c.scrub(fmt.Errorf("%s %s: read response: %w", r.method, r.path, err))
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return body, false, 0, nil
	}
	apiErr := c.apiError(resp.StatusCode, body)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		if d, ok := rateLimitReset(resp.Header); ok {
			return nil, true, d, apiErr
		}
		return nil, true, c.backoff(attempt), apiErr
	case resp.StatusCode >= 500:
		return nil, r.idempotent, c.backoff(attempt), apiErr
	default:
		return nil, false, 0, apiErr
	}
}

// rateLimitReset reads how long PagerDuty asks to wait: ratelimit-reset is the number of seconds until the
// limit resets (PagerDuty's "REST API Rate Limits" page); Retry-After in seconds is accepted as well.
func rateLimitReset(h http.Header) (time.Duration, bool) {
	for _, name := range []string{"Ratelimit-Reset", "Retry-After"} {
		v := strings.TrimSpace(h.Get(name))
		if v == "" {
			continue
		}
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 && secs < 1e6 {
			return time.Duration(secs * float64(time.Second)), true
		}
	}
	return 0, false
}

// backoff is exponential with jitter: half of base·2^(attempt-1), plus a random part up to the other half,
// capped at backoffMax.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.backoffBase << min(attempt-1, 20)
	if d <= 0 || d > c.backoffMax {
		d = c.backoffMax
	}
	half := d / 2
	return half + rand.N(half+1) //nolint:gosec // jitter spreads retries; it needs no unpredictability
}

// apiError builds the error for a non-2xx answer from PagerDuty's {"error": {...}} body when it has one.
func (c *Client) apiError(status int, body []byte) *APIError {
	e := &APIError{StatusCode: status}
	var wire struct {
		Error *struct {
			Code    json.RawMessage `json:"code"`
			Message string          `json:"message"`
			Errors  json.RawMessage `json:"errors"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &wire); err == nil && wire.Error != nil {
		e.Message = c.redact(wire.Error.Message)
		e.Code, _ = strconv.Atoi(strings.Trim(string(wire.Error.Code), `"`))
		e.Errors = c.errorDetails(wire.Error.Errors)
		return e
	}
	if text := strings.TrimSpace(string(body)); text != "" {
		const maxText = 200
		if len(text) > maxText {
			text = text[:maxText] + "…"
		}
		e.Message = c.redact(text)
	}
	return e
}

// errorDetails reads PagerDuty's "errors", which is documented as a list of strings but has been seen as
// a single string and as an object of field → messages.
func (c *Client) errorDetails(raw json.RawMessage) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		for i := range list {
			list[i] = c.redact(list[i])
		}
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{c.redact(one)}
	}
	return []string{c.redact(string(raw))}
}

// wrapOp adds the operation and incident to an error: "fetch log entries for PABC123: ...".
func wrapOp(op, incidentID string, err error) error {
	return fmt.Errorf("%s for %s: %w", op, incidentID, err)
}

var errInvalidID = errors.New("invalid incident ID: want upper-case letters and digits")

func checkID(op, id string) error {
	if !postmortem.ValidIncidentID(id) {
		return fmt.Errorf("%s for %q: %w", op, id, errInvalidID)
	}
	return nil
}
