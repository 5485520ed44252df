package handlers

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/insights"
)

// Admin is the admin side: /metrics and, when set, the queue console under queue.ConsolePath and the
// postmortems page.
type Admin struct {
	// Token guards every admin route when set: a request must carry it as a bearer token
	// (Authorization: Bearer TOKEN) or as the password of HTTP basic auth (any user name), which is what a
	// browser sends once a person has typed it in its login prompt. Empty, the admin routes are open: the
	// caller allows that on loopback only.
	Token string
	// Console is the queue console; nil serves none.
	Console http.Handler
	// Postmortems is what the postmortems page (PostmortemsPath) is read from; nil serves none.
	Postmortems insights.Source
}

// NewAdmin returns the HTTP handler of an admin listener of its own: /metrics, the queue console, the
// postmortems page and /healthz.
func NewAdmin(logger *slog.Logger, gatherer prometheus.Gatherer, admin Admin) http.Handler {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler(logger)
	e.Use(requestID, adminLog(logger))
	e.GET("/healthz", handleHealthz)
	addAdminRoutes(e, logger, gatherer, admin)
	return e
}

// requireToken refuses with 401 a request that does not carry token, as a bearer token or as a basic auth
// password; with no token it lets every request through. The comparison takes the same time whatever the
// guess.
func requireToken(token string) echo.MiddlewareFunc {
	want := sha256.Sum256([]byte(token))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if token == "" {
			return next
		}
		return func(c echo.Context) error {
			r := c.Request()
			var got string
			if scheme, v, ok := strings.Cut(r.Header.Get(echo.HeaderAuthorization), " "); ok && strings.EqualFold(scheme, "Bearer") {
				got = strings.TrimSpace(v)
			} else if _, pass, ok := r.BasicAuth(); ok {
				got = pass
			}
			sum := sha256.Sum256([]byte(got))
			if got == "" || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
				h := c.Response().Header()
				h.Add(echo.HeaderWWWAuthenticate, `Basic realm="Hindsight admin", charset="UTF-8"`)
				h.Add(echo.HeaderWWWAuthenticate, `Bearer realm="Hindsight admin"`)
				return echo.NewHTTPError(http.StatusUnauthorized,
					"admin token required: send HINDSIGHT_ADMIN_TOKEN as a bearer token or as the password of basic auth")
			}
			return next(c)
		}
	}
}

// adminLog logs every request on the admin listener but the scrapes and health checks, so the actions
// taken in the console (running or deleting tasks) leave a trace.
func adminLog(logger *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			r := c.Request()
			if r.Method != http.MethodGet || c.Response().Status >= 400 {
				logger.Info("admin request", "request_id", requestIDOf(c), "method", r.Method,
					"path", r.URL.Path, "status", c.Response().Status, "duration_ms", time.Since(start).Milliseconds())
			}
			return nil
		}
	}
}
