// Package httpclient makes the HTTP clients of the PagerDuty and GitHub integrations, so that both talk to
// their APIs with the same connection settings.
package httpclient

import (
	"net"
	"net/http"
	"time"
)

// Where the two clients' settings had drifted apart, the one kept is said beside it.
const (
	dialTimeout         = 10 * time.Second
	keepAlive           = 30 * time.Second
	tlsHandshakeTimeout = 10 * time.Second
	// responseHeaderTimeout is PagerDuty's 20s, the stricter (GitHub's was 60s): GitHub ends a request
	// that takes it more than 10 seconds itself, so a longer wait only holds a worker on a dead connection.
	responseHeaderTimeout = 20 * time.Second
	expectContinueTimeout = time.Second
	idleConnTimeout       = 90 * time.Second
	// maxIdleConnsPerHost is GitHub's 10 (PagerDuty's was 4): workers call one host concurrently, and an
	// idle connection kept saves a TLS handshake.
	maxIdleConnsPerHost = 10
)

// New returns a client over a new Transport. timeout bounds a whole call, redirects and reading the body
// included; 0 for none, where the caller's context bounds the call (a GitHub call may wait minutes for a
// rate limit to reset inside the transport).
func New(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: Transport()}
}

// Transport bounds connecting and waiting for a response's headers, but not the whole call, and honours
// the proxy variables of the environment.
func Transport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: keepAlive}).DialContext,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ResponseHeaderTimeout: responseHeaderTimeout,
		ExpectContinueTimeout: expectContinueTimeout,
		IdleConnTimeout:       idleConnTimeout,
		MaxIdleConnsPerHost:   maxIdleConnsPerHost,
		ForceAttemptHTTP2:     true,
	}
}
