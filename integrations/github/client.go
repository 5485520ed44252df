// Package github publishes postmortems as GitHub pull requests: one branch with one commit, one pull request,
// its labels, assignee and reviewers, and comments on it. It is the only package that knows GitHub's wire
// format. Every call is safe to repeat: Publish finds what an earlier attempt left behind before creating
// anything.
package github

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	gh "github.com/google/go-github/v60/github"

	"github.com/hindsight-dev/hindsight/internal/httpclient"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/prometheus/client_golang/prometheus"
)

// DefaultBaseURL is GitHub.com's REST API.
const DefaultBaseURL = "https://api.github.com/"

// DefaultMaxWait is the longest a call waits out a rate limit when Options.MaxWait is zero.
const DefaultMaxWait = 15 * time.Minute

// Options configure a Client. Either Token or the three App fields are required, and Repo.
type Options struct {
	// BaseURL is the REST API root: DefaultBaseURL when empty, "https://ghe.example.com/api/v3/" for
	// GitHub Enterprise Server, or a test server's URL, used as given (a trailing slash is added).
	BaseURL string
	// Token is a personal access token or fine-grained token. It is never logged nor put in an error.
	Token string
	// AppID, InstallationID and PrivateKeyPEM authenticate as a GitHub App installation instead of Token.
	AppID          int64
	InstallationID int64
	PrivateKeyPEM  []byte
	// Repo is the postmortem repository, "owner/name".
	Repo string
	// BaseBranch is the branch pull requests target; empty means the repository's default branch, looked up
	// once and remembered.
	BaseBranch string
	// HTTPClient carries the requests; nil means a client with connection and response-header timeouts.
	// A Timeout set on it bounds rate-limit waits too.
	HTTPClient *http.Client
	// Logger receives rate-limit waits and refused reviewers; nil discards them.
	Logger *slog.Logger
	// MaxWait is the longest a single call waits out rate limits before it fails with a *LimitError;
	// zero means DefaultMaxWait.
	MaxWait time.Duration
	// WriteLimiter, when set, is waited on before every content-creating request (POST, PATCH, PUT,
	// DELETE) goes out, each retry included; reads are not limited. Its wait is bounded by MaxWait and the
	// request's context, whose deadline it is given.
	WriteLimiter WriteLimiter
	// Registerer receives the client's metrics: the primary quota GitHub reports and the rate-limit waits.
	// Clients given the same registry share the metrics; nil records none.
	Registerer prometheus.Registerer
	// MaxCommentCharacters caps the comments Hindsight writes, at most and by default GitHub's MaxBody.
	MaxCommentCharacters int
}

// Client publishes postmortems to one repository. It is safe for concurrent use.
type Client struct {
	gh     *gh.Client
	owner  string
	repo   string
	logger *slog.Logger
	limits *limitTransport
	// app asks GitHub about the App itself, with the App's JWT; nil with a token. A client with one is an App
	// installation, which alone may create check runs.
	app *gh.Client

	mu         sync.Mutex
	self       string // the login Hindsight writes as, once looked up
	maxComment int    // Options.MaxCommentCharacters, within GitHub's limit
	baseBranch string // Options.BaseBranch, or the default branch once looked up
	htmlURL    string // the repository's web address, once looked up
}

// ErrBadCredentials is returned (wrapped) when GitHub answers 401: the token or the App's key is wrong,
// expired or revoked.
var ErrBadCredentials = errors.New("github rejected the credentials")

// ErrBaseBranchNotFound is returned (wrapped) when the branch pull requests target does not exist, which is
// also the case of an empty repository. Those errors wrap postmortem.ErrPermanent too: no retry creates it.
var ErrBaseBranchNotFound = errors.New("base branch not found")

// New returns a Client for opts.Repo. It makes no request. Errors name the option at fault.
func New(opts Options) (*Client, error) {
	owner, name, err := ParseRepo(opts.Repo)
	if err != nil {
		return nil, fmt.Errorf("repo: %w", err)
	}
	baseURL, err := parseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("base URL: %w", err)
	}
	if opts.MaxWait < 0 {
		return nil, fmt.Errorf("max wait: must not be negative, got %v", opts.MaxWait)
	}
	maxWait := opts.MaxWait
	if maxWait == 0 {
		maxWait = DefaultMaxWait
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("repo", owner+"/"+name)

	httpClient := opts.HTTPClient
	if httpClient == nil {
		// No whole-call timeout: a call may legitimately wait minutes for a rate limit to reset.
		httpClient = httpclient.New(0)
	}
	base := httpClient.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	limits := newLimitTransport(base, maxWait, logger, opts.WriteLimiter, m)

	client, appClient, err := authClients(opts, httpClient, limits, baseURL)
	if err != nil {
		return nil, err
	}
	client.BaseURL = baseURL

	return &Client{
		gh:         client,
		owner:      owner,
		repo:       name,
		logger:     logger,
		limits:     limits,
		app:        appClient,
		maxComment: opts.MaxCommentCharacters,
		baseBranch: opts.BaseBranch,
	}, nil
}

// authClients are the API client with the configured credentials and, under App auth, the client that
// authenticates as the App itself (nil with a token).
func authClients(opts Options, httpClient *http.Client, limits http.RoundTripper, baseURL *url.URL) (client, appClient *gh.Client, err error) {
	app := opts.AppID != 0 || opts.InstallationID != 0 || len(opts.PrivateKeyPEM) > 0
	switch {
	case opts.Token != "" && app:
		return nil, nil, errors.New("token: set either a token or the GitHub App ID, installation ID and private key, not both")
	case opts.Token != "":
		return gh.NewClient(withTransport(httpClient, limits)).WithAuthToken(opts.Token), nil, nil
	case !app:
		return nil, nil, errors.New("token: a token or a GitHub App (ID, installation ID, private key) is required")
	case opts.AppID == 0:
		return nil, nil, errors.New("app ID: required with an installation ID or a private key")
	case opts.InstallationID == 0:
		return nil, nil, errors.New("app installation ID: required with an App ID")
	case len(opts.PrivateKeyPEM) == 0:
		return nil, nil, errors.New("app private key: required with an App ID")
	}
	itr, err := ghinstallation.New(limits, opts.AppID, opts.InstallationID, opts.PrivateKeyPEM)
	if err != nil {
		// The key's bytes never appear: ghinstallation reports only the parse failure.
		return nil, nil, fmt.Errorf("app private key: %w", err)
	}
	itr.BaseURL = strings.TrimSuffix(baseURL.String(), "/")
	atr, err := ghinstallation.NewAppsTransport(limits, opts.AppID, opts.PrivateKeyPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("app private key: %w", err)
	}
	atr.BaseURL = itr.BaseURL
	appClient = gh.NewClient(withTransport(httpClient, atr))
	appClient.BaseURL = baseURL
	return gh.NewClient(withTransport(httpClient, itr)), appClient, nil
}

// ParseRepo splits "owner/name" into its two parts. Surrounding spaces, a URL or a ".git" suffix are refused
// rather than guessed at.
func ParseRepo(s string) (owner, name string, err error) {
	owner, name, ok := strings.Cut(s, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") ||
		strings.TrimSpace(s) != s || strings.ContainsAny(s, " \t\n:?#@") || strings.HasSuffix(name, ".git") {
		return "", "", fmt.Errorf("want owner/name, got %q", s)
	}
	if name == "." || name == ".." {
		return "", "", fmt.Errorf("want owner/name, got %q", s)
	}
	return owner, name, nil
}

func parseBaseURL(s string) (*url.URL, error) {
	if s == "" {
		s = DefaultBaseURL
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("want an http(s) URL, got %q", s)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("want an http(s) URL such as %q, got %q", DefaultBaseURL, s)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

func withTransport(c *http.Client, rt http.RoundTripper) *http.Client {
	return &http.Client{Transport: rt, Timeout: c.Timeout, Jar: c.Jar, CheckRedirect: c.CheckRedirect}
}

// call runs one go-github call. go-github refuses calls locally, without a request, while it believes a rate
// limit is exhausted (after a response said "0 remaining"); call waits for that reset, within MaxWait and
// ctx, and runs fn again so the request really goes out.
func call[T any](ctx context.Context, c *Client, fn func() (T, *gh.Response, error)) (T, *gh.Response, error) {
	var waited time.Duration
	for {
		v, resp, err := fn()
		var wait time.Duration
		var kind string
		var primary *gh.RateLimitError
		var secondary *gh.AbuseRateLimitError
		switch {
		case errors.As(err, &primary):
			kind, wait = kindPrimary, time.Until(primary.Rate.Reset.Time)+100*time.Millisecond
		case errors.As(err, &secondary) && secondary.RetryAfter != nil:
			kind, wait = kindSecondary, *secondary.RetryAfter
		default:
			return v, resp, err
		}
		wait = max(wait, c.limits.minWait)
		if err := c.limits.sleep(ctx, kind, time.Now().Add(wait), &waited, "next call"); err != nil {
			return v, resp, err
		}
	}
}

// defaultBranch returns the branch pull requests target, asking GitHub once when Options.BaseBranch is empty.
func (c *Client) defaultBranch(ctx context.Context) (string, error) {
	c.mu.Lock()
	b := c.baseBranch
	c.mu.Unlock()
	if b != "" {
		return b, nil
	}
	repo, _, err := call(ctx, c, func() (*gh.Repository, *gh.Response, error) {
		return c.gh.Repositories.Get(ctx, c.owner, c.repo)
	})
	if err != nil {
		return "", fmt.Errorf("get repository %s/%s: %w", c.owner, c.repo, describe(err))
	}
	c.mu.Lock()
	c.htmlURL = repo.GetHTMLURL()
	c.mu.Unlock()
	b = repo.GetDefaultBranch()
	if b == "" {
		return "", fmt.Errorf("repository %s/%s has no default branch: %w: %w", c.owner, c.repo, ErrBaseBranchNotFound, postmortem.ErrPermanent)
	}
	c.mu.Lock()
	c.baseBranch = b
	c.mu.Unlock()
	return b, nil
}

// describe marks a 401 with ErrBadCredentials so callers can tell a configuration error from a passing one,
// and a 422 GitHub's validation refused with postmortem.ErrRejected, since no retry changes its answer.
func describe(err error) error {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("%w: %w", ErrBadCredentials, err)
	}
	if msg, ok := validationMessage(err); ok {
		return fmt.Errorf("%w (%s): %w", postmortem.ErrRejected, msg, err)
	}
	return err
}

// statusOf is the HTTP status of a go-github error, 0 when there was no response.
func statusOf(err error) int {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

// validationMessage returns the text of a 422: the messages of its errors, or its top-level message.
func validationMessage(err error) (string, bool) {
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusUnprocessableEntity {
		return "", false
	}
	var parts []string
	for _, e := range er.Errors {
		if e.Message != "" {
			parts = append(parts, e.Message)
		}
	}
	if len(parts) == 0 {
		return er.Message, true
	}
	return strings.Join(parts, " "), true
}

// isValidation reports whether err is a 422 whose message contains text.
func isValidation(err error, text string) bool {
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	if strings.Contains(er.Message, text) {
		return true
	}
	for _, e := range er.Errors {
		if strings.Contains(e.Message, text) {
			return true
		}
	}
	return false
}
