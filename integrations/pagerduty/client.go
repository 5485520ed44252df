// Package pagerduty reads incidents, log entries and notes from PagerDuty's REST API, adds notes, decodes
// V3 webhook events, and maps all of it to postmortem.Incident. It is the only package that knows
// PagerDuty's wire format.
//
// The HTTP requests go through github.com/PagerDuty/go-pagerduty (authentication and headers), but the
// JSON is decoded here: that library's structs fail on event_details with non-string values and drop
// fields Hindsight needs. The library retries nothing; this package waits out 429s, retries 5xx and
// network errors, and pages through log entries.
package pagerduty

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	gopagerduty "github.com/PagerDuty/go-pagerduty"

	"github.com/hindsight-dev/hindsight/internal/httpclient"
)

// ErrNotFound is returned (wrapped) when PagerDuty answers 404 for an incident, or 410 for one deleted.
var ErrNotFound = errors.New("pagerduty: incident not found")

// ErrForbidden is returned (wrapped) when PagerDuty answers 403: the token has no access to the incident
// (a team it cannot see, a read-only key asked to write a note). No retry mends it.
var ErrForbidden = errors.New("pagerduty: the token has no access")

// ErrRateLimited is returned (wrapped) when PagerDuty keeps answering 429 or asks for a wait longer than
// Options.MaxWait or than the context allows. The caller may retry later.
var ErrRateLimited = errors.New("pagerduty: rate limited")

// Options configure a Client.
type Options struct {
	BaseURL    string        // e.g. https://api.pagerduty.com (no trailing slash needed; tolerate one)
	Token      string        // REST API token
	From       string        // email for the From header on writes
	HTTPClient *http.Client  // nil: a client with sane timeouts
	Logger     *slog.Logger  // nil: discard
	MaxWait    time.Duration // longest single wait for a 429/backoff before giving up (default 60s)
	// MaxLogEntries caps the log entries fetched per incident (default DefaultMaxLogEntries): an incident
	// with more keeps its earliest ones, and the export says that more were left out.
	MaxLogEntries int
}

// DefaultMaxLogEntries is the default cap on an incident's log entries.
const DefaultMaxLogEntries = 100_000

// Client talks to PagerDuty's REST API. It is safe for concurrent use.
type Client struct {
	pd      *gopagerduty.Client
	baseURL string
	token   string // kept only to scrub it from any text that might echo it
	from    string
	log     *slog.Logger
	maxWait time.Duration
	// maxLogEntries caps the log entries of one incident.
	maxLogEntries int

	// retry tuning; tests shorten backoffBase.
	maxAttempts int
	backoffBase time.Duration
	backoffMax  time.Duration
	listCeiling int // offset+limit ceiling of incident listings; 0 for PagerDuty's 10,000. Tests lower it.
}

const (
	defaultMaxWait     = 60 * time.Second
	defaultMaxAttempts = 6
	defaultBackoffBase = 500 * time.Millisecond
	defaultBackoffMax  = 30 * time.Second
	// maxResponseBytes bounds what is read of one response; a log entry page of 100 is far below it.
	maxResponseBytes = 32 << 20
	// callTimeout bounds one HTTP call of the default client, reading the body included.
	callTimeout = 30 * time.Second
)

// New returns a Client. It fails, naming the option, when BaseURL is not an absolute http(s) URL, the
// token is empty, or MaxWait is negative.
func New(opts Options) (*Client, error) {
	if strings.TrimSpace(opts.Token) == "" {
		return nil, errors.New("pagerduty: Options.Token is empty")
	}
	base := strings.TrimRight(strings.TrimSpace(opts.BaseURL), "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("pagerduty: Options.BaseURL %q is not an absolute http(s) URL without query", opts.BaseURL)
	}
	if opts.MaxWait < 0 {
		return nil, fmt.Errorf("pagerduty: Options.MaxWait %s is negative", opts.MaxWait)
	}
	if opts.From != "" && !strings.Contains(opts.From, "@") {
		return nil, fmt.Errorf("pagerduty: Options.From %q is not an email address", opts.From)
	}
	httpClient := opts.HTTPClient
	if httpClient == nil {
		// The client waits out rate limits between attempts, not inside one: a call is bounded as a whole.
		httpClient = httpclient.New(callTimeout)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	maxWait := opts.MaxWait
	if maxWait == 0 {
		maxWait = defaultMaxWait
	}
	pd := gopagerduty.NewClient(opts.Token, gopagerduty.WithAPIEndpoint(base))
	pd.HTTPClient = httpClient
	return &Client{
		pd:      pd,
		baseURL: base,
		token:   opts.Token,
		from:    opts.From,
		log:     logger,
		maxWait: maxWait,
		maxLogEntries: func() int {
			if opts.MaxLogEntries > 0 {
				return opts.MaxLogEntries
			}
			return DefaultMaxLogEntries
		}(),
		maxAttempts: defaultMaxAttempts,
		backoffBase: defaultBackoffBase,
		backoffMax:  defaultBackoffMax,
	}, nil
}

// APIError is an error answer from PagerDuty: the HTTP status and the error object of the body, when it
// had one. errors.Is(err, ErrNotFound) holds for a 404 or 410, ErrForbidden for a 403, ErrRateLimited for a
// 429.
type APIError struct {
	StatusCode int
	Code       int      // PagerDuty's error code (2100 Not Found, 2020 rate limit, ...), 0 when absent
	Message    string   // PagerDuty's message, or the start of a body that was not PagerDuty's JSON
	Errors     []string // PagerDuty's details
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "PagerDuty answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, " (code %d)", e.Code)
	}
	if len(e.Errors) > 0 {
		fmt.Fprintf(&b, ": %s", strings.Join(e.Errors, "; "))
	}
	return b.String()
}

// Is makes errors.Is match ErrNotFound for a 404 or 410, ErrForbidden for a 403 and ErrRateLimited for a
// 429.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusGone
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// redact removes the token from text that came from outside (a response body, a transport error), so that
// no error or log line ever carries it.
func (c *Client) redact(s string) string {
	if c.token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, "[REDACTED]")
}

// redactedError keeps the chain of an error for errors.Is/As while scrubbing its text.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func (c *Client) scrub(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := c.redact(msg); clean != msg {
		return &redactedError{msg: clean, err: err}
	}
	return err
}

// readBody reads at most maxResponseBytes of a response body.
func readBody(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxResponseBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxResponseBytes {
		return nil, fmt.Errorf("response body larger than %d bytes", maxResponseBytes)
	}
	return b, nil
}
