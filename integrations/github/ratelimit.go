package github

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrRateLimited matches (errors.Is) every *LimitError.
var ErrRateLimited = errors.New("github rate limit")

const (
	kindPrimary         = "primary"
	kindSecondary       = "secondary"
	kindTooManyRequests = "too many requests"
	kindWriteLimiter    = "write limiter"
)

// WriteLimiter spaces out content-creating requests (POST, PATCH, PUT, DELETE) so that they stay under
// GitHub's secondary limits (80 a minute and 500 an hour) instead of running into them. An implementation
// shared by every replica (redisstore.WriteLimiter, over Redis) keeps the whole deployment under them.
type WriteLimiter interface {
	// Wait blocks until one more write may go out, or ctx ends; it may fail at once when ctx's deadline
	// comes before a write may go out. It returns how long it blocked and a function to call once the
	// write has been answered or has failed.
	Wait(ctx context.Context) (waited time.Duration, done func(), err error)
}

// LimitError is returned (wrapped) when a rate limit would need a longer wait than the Client's MaxWait or
// than the context allows. A caller that queues work can retry after Reset.
type LimitError struct {
	Kind    string    // "primary", "secondary" or "too many requests" (a 429 that names neither)
	Reset   time.Time // when GitHub accepts requests again
	MaxWait time.Duration
	Waited  time.Duration // how long the call had already waited
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("github %s rate limit until %s (in %s): waiting exceeds the longest wait of %s (already waited %s)",
		e.Kind, e.Reset.UTC().Format(time.RFC3339), time.Until(e.Reset).Round(time.Second), e.MaxWait, e.Waited.Round(time.Millisecond))
}

// RetryAfter is how long to wait before trying again, so a task queue can reschedule the work for when
// GitHub accepts requests.
func (e *LimitError) RetryAfter() time.Duration { return max(time.Until(e.Reset), 0) }

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *LimitError) Is(target error) bool { return target == ErrRateLimited }

// limitTransport waits out GitHub's rate limits and sends the request again. It covers what go-github v60
// leaves out: a 429 (primary or secondary) is not a rate-limit error there, and go-github never waits. It
// recognises
//   - primary limits: 403 or 429 with x-ratelimit-remaining 0, until x-ratelimit-reset;
//   - secondary limits: 403 or 429 with retry-after (seconds), or a body naming a secondary rate limit;
//   - any other 429: retry-after when present, else fallback, doubling on each repeat.
//
// While a limit holds, every request through the transport waits for it, so concurrent calls do not hit
// GitHub again and risk a ban. Before a content-creating request goes out, the transport takes a slot of
// the write limiter, when there is one, so that those limits are seldom met at all. Waits are bounded per
// request by maxWait and the request's context.
type limitTransport struct {
	base     http.RoundTripper
	maxWait  time.Duration
	logger   *slog.Logger
	writes   WriteLimiter  // nil: writes go out as they come
	metrics  *metrics      // nil: none recorded
	minWait  time.Duration // floor of any wait: a reset already past (clock skew) does not become a busy loop
	fallback time.Duration // first wait for a limit answer that names no time

	mu    sync.Mutex
	until time.Time
	kind  string
}

func newLimitTransport(base http.RoundTripper, maxWait time.Duration, logger *slog.Logger, writes WriteLimiter, m *metrics) *limitTransport {
	return &limitTransport{base: base, maxWait: maxWait, logger: logger, writes: writes, metrics: m, minWait: time.Second, fallback: time.Minute}
}

func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var waited time.Duration
	fallback := t.fallback
	for attempt := 0; ; attempt++ {
		t.mu.Lock()
		until, kind := t.until, t.kind
		t.mu.Unlock()
		if time.Now().Before(until) {
			if err := t.sleep(req.Context(), kind, until, &waited, req.Method+" "+req.URL.Path); err != nil {
				return nil, err
			}
		}

		send := req
		if attempt > 0 {
			var err error
			if send, err = rewind(req); err != nil {
				return nil, err
			}
		}
		done, err := t.waitForWrite(req)
		if err != nil {
			return nil, err
		}
		resp, err := t.base.RoundTrip(send)
		done()
		if err != nil {
			return nil, err
		}
		t.metrics.observeQuota(resp.Header)
		kind, until, usedFallback := t.classify(resp, fallback)
		if kind == "" {
			return resp, nil
		}
		if req.Body != nil && req.GetBody == nil {
			return resp, nil // the body cannot be sent twice: let the caller see the limit
		}
		if usedFallback {
			fallback *= 2
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		_ = resp.Body.Close()
		t.logger.LogAttrs(req.Context(), slog.LevelWarn, "github rate limit",
			slog.String("kind", kind), slog.Int("status", resp.StatusCode),
			slog.String("request", req.Method+" "+req.URL.Path), slog.Time("until", until))

		t.mu.Lock()
		if until.After(t.until) {
			t.until, t.kind = until, kind
		}
		t.mu.Unlock()
	}
}

// waitForWrite takes a slot of the write limiter for a content-creating request; every attempt of one
// takes its own, since GitHub counts each. The returned function, called once the answer is in, never
// is nil.
func (t *limitTransport) waitForWrite(req *http.Request) (func(), error) {
	if t.writes == nil || !isContentCreating(req) {
		return func() {}, nil
	}
	// MaxWait bounds this wait as it bounds the others; a limiter told of the deadline can fail at once.
	ctx, cancel := context.WithTimeout(req.Context(), t.maxWait)
	defer cancel()
	waited, done, err := t.writes.Wait(ctx)
	if waited > 0 {
		t.metrics.observeWait(kindWriteLimiter, waited)
		t.logger.LogAttrs(req.Context(), slog.LevelDebug, "waited for the write limiter",
			slog.String("request", req.Method+" "+req.URL.Path), slog.Duration("wait", waited))
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	return done, nil
}

// isContentCreating reports whether GitHub counts req against its content-creation limit: every request
// but GET, HEAD and OPTIONS, except the App's own installation-token requests.
func isContentCreating(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	p := req.URL.Path
	return !strings.HasSuffix(p, "/access_tokens") || !strings.Contains(p, "/app/installations/")
}

// sleep waits until the given time, or fails at once with a *LimitError when that would take more than
// what is left of maxWait (waited counts what the call already spent) or go past ctx's deadline.
func (t *limitTransport) sleep(ctx context.Context, kind string, until time.Time, waited *time.Duration, what string) error {
	d := time.Until(until)
	if d <= 0 {
		return nil
	}
	deadline, hasDeadline := ctx.Deadline()
	if *waited+d > t.maxWait || (hasDeadline && deadline.Before(until)) {
		return &LimitError{Kind: kind, Reset: until, MaxWait: t.maxWait, Waited: *waited}
	}
	if what != "" {
		t.logger.LogAttrs(ctx, slog.LevelInfo, "waiting for github rate limit",
			slog.String("kind", kind), slog.String("request", what), slog.Duration("wait", d))
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	start := time.Now()
	select {
	case <-ctx.Done():
		t.metrics.observeWait(kind, time.Since(start))
		return ctx.Err()
	case <-timer.C:
		*waited += d
		t.metrics.observeWait(kind, time.Since(start))
		return nil
	}
}

// classify tells whether resp is a rate limit, of which kind and until when.
func (t *limitTransport) classify(resp *http.Response, fallback time.Duration) (kind string, until time.Time, usedFallback bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return "", time.Time{}, false
	}
	now := time.Now()
	floor := func(u time.Time) time.Time {
		if u.Before(now.Add(t.minWait)) {
			return now.Add(t.minWait)
		}
		return u
	}
	h := resp.Header
	if h.Get("x-ratelimit-remaining") == "0" {
		if reset, err := strconv.ParseInt(h.Get("x-ratelimit-reset"), 10, 64); err == nil {
			return kindPrimary, floor(time.Unix(reset, 0)), false
		}
		return kindPrimary, floor(now.Add(fallback)), true
	}
	if s := h.Get("retry-after"); s != "" {
		if secs, err := strconv.ParseInt(s, 10, 64); err == nil {
			kind := kindSecondary
			if resp.StatusCode == http.StatusTooManyRequests && !isSecondaryBody(resp) {
				kind = kindTooManyRequests
			}
			return kind, floor(now.Add(time.Duration(secs) * time.Second)), false
		}
	}
	if isSecondaryBody(resp) {
		return kindSecondary, floor(now.Add(fallback)), true
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return kindTooManyRequests, floor(now.Add(fallback)), true
	}
	// A 403 that is not a limit: a permission error, for the caller to see.
	return "", time.Time{}, false
}

// isSecondaryBody reads the body of a 403/429 (and puts it back) to find GitHub's secondary-limit message.
func isSecondaryBody(resp *http.Response) bool {
	if resp.Body == nil {
		return false
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	if err != nil {
		return false
	}
	var body struct {
		Message          string `json:"message"`
		DocumentationURL string `json:"documentation_url"`
	}
	if json.Unmarshal(data, &body) != nil {
		return false
	}
	return strings.Contains(strings.ToLower(body.Message), "secondary rate limit") ||
		strings.HasSuffix(body.DocumentationURL, "secondary-rate-limits") ||
		strings.HasSuffix(body.DocumentationURL, "#abuse-rate-limits")
}

// rewind returns a copy of req with a fresh body, for sending it again.
func rewind(req *http.Request) (*http.Request, error) {
	r := req.Clone(req.Context())
	if req.Body == nil || req.GetBody == nil {
		return r, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("resend %s %s: %w", req.Method, req.URL.Path, err)
	}
	r.Body = body
	return r, nil
}
