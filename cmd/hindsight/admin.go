package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/hindsight-dev/hindsight/handlers"
	"github.com/hindsight-dev/hindsight/insights"
	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// minAdminTokenBytes keeps the admin token out of reach of guessing.
const minAdminTokenBytes = 16

// checkAdmin checks the admin settings: an admin listener beyond loopback needs a token.
func (c *config) checkAdmin() error {
	if t := c.Admin.Token; t != "" && len(t) < minAdminTokenBytes {
		return bad("HINDSIGHT_ADMIN_TOKEN", "want at least %d characters", minAdminTokenBytes)
	}
	if c.Admin.Addr == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(c.Admin.Addr); err != nil {
		return bad("HINDSIGHT_ADMIN_ADDR", "want host:port such as 127.0.0.1:9090, got %q", c.Admin.Addr)
	}
	if c.Admin.Addr == c.ListenAddr {
		return bad("HINDSIGHT_ADMIN_ADDR", "%q is HINDSIGHT_LISTEN_ADDR too; leave it unset to serve the admin side there", c.Admin.Addr)
	}
	if c.Admin.Token == "" && !isLoopback(c.Admin.Addr) {
		return bad("HINDSIGHT_ADMIN_TOKEN", "required when HINDSIGHT_ADMIN_ADDR %q listens beyond loopback", c.Admin.Addr)
	}
	return nil
}

// isLoopback reports whether a listen address binds a loopback interface only; ":8080", "0.0.0.0:8080"
// and host names other than localhost bind beyond it.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && isLoopbackHost(host)
}

// adminSide is where /metrics and the queue console are served: on the main listener (onMain), or on an
// admin listener of their own.
type adminSide struct {
	onMain    handlers.Admin
	elsewhere bool
	srv       *http.Server
	done      chan error
}

// startAdmin serves the admin side. With HINDSIGHT_ADMIN_ADDR it listens there, and the main listener
// serves neither /metrics, the console nor the postmortems page. Without it they stay on the main
// listener, the console and the postmortems page only when a token guards them or the main listener binds
// loopback: what they show (incident titles, people, the tasks' payloads) is not for the internet.
func startAdmin(ctx context.Context, cfg config, rdb redis.UniversalClient, postmortems insights.Source, gatherer prometheus.Gatherer, logger *slog.Logger) (*adminSide, error) {
	a := handlers.Admin{Token: cfg.Admin.Token}
	if cfg.Admin.Addr == "" {
		if cfg.Admin.Token != "" || isLoopback(cfg.ListenAddr) {
			a.Console, a.Postmortems = queue.NewConsole(rdb), postmortems
		} else {
			logger.Info("queue console and postmortems page off: set HINDSIGHT_ADMIN_TOKEN, or HINDSIGHT_ADMIN_ADDR on loopback, to serve them at " +
				queue.ConsolePath + " and " + handlers.PostmortemsPath)
		}
		return &adminSide{onMain: a}, nil
	}
	a.Console, a.Postmortems = queue.NewConsole(rdb), postmortems
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", cfg.Admin.Addr)
	if err != nil {
		return nil, bad("HINDSIGHT_ADMIN_ADDR", "%v", err)
	}
	s := &adminSide{elsewhere: true, done: make(chan error, 1), srv: &http.Server{
		Handler:           handlers.NewAdmin(logger, gatherer, a),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}}
	logger.Info("admin listening", "addr", ln.Addr().String(), "console", queue.ConsolePath, "postmortems", handlers.PostmortemsPath, "token", cfg.Admin.Token != "")
	go func() { s.done <- s.srv.Serve(ln) }()
	// The admin listener drains as soon as the process is told to stop, beside the main listener and the
	// workers, not after them.
	go func() {
		<-ctx.Done()
		s.shutdown(logger)
	}()
	return s, nil
}

// shutdownGrace bounds how long the admin listener lets its requests finish.
const shutdownGrace = 5 * time.Second

func (s *adminSide) shutdown(logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		logger.Warn("admin listener shutdown", "error", err)
	}
}

// stop ends the admin listener, if there is one, and waits until it has.
func (s *adminSide) stop(logger *slog.Logger) {
	if s.srv == nil {
		return
	}
	s.shutdown(logger)
	if err := <-s.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Warn("admin listener", "error", err)
	}
}

// indexEarlierPostmortems lists, once per Redis, the postmortems an earlier version recorded, for the
// postmortems page and `hindsight stats`.
func indexEarlierPostmortems(ctx context.Context, store *redisstore.Store, logger *slog.Logger) {
	n, err := store.IndexExisting(ctx)
	if err != nil {
		logger.Warn("earlier postmortems not listed yet; the next start tries again", "error", err)
		return
	}
	if n > 0 {
		logger.Info("earlier postmortems listed", "postmortems", n)
	}
}
