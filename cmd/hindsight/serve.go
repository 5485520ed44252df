package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/hindsight-dev/hindsight/handlers"
	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/lifecycle"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/redisstore"
	"github.com/hindsight-dev/hindsight/teamconfig"
	"github.com/hindsight-dev/hindsight/templates"
)

func runServe(ctx context.Context, args []string, getenv func(string) string, _, stderr io.Writer) error {
	role, err := parseRole(args)
	if err != nil {
		return err
	}
	api, worker := role == "all" || role == "api", role == "all" || role == "worker"
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if api && len(cfg.PagerDuty.WebhookSecrets) == 0 {
		return bad("HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS", "required to verify PagerDuty webhooks (the secret of the webhook subscription)")
	}
	logger, err := newLogger(cfg, stderr)
	if err != nil {
		return err
	}
	rdb, err := cfg.openRedis()
	if err != nil {
		return err
	}
	defer rdb.Close()

	store := redisstore.NewStore(rdb, time.Duration(cfg.Events.Retention))
	q := queue.New(rdb, store, cfg.Worker.MaxRetry)
	defer q.Close()
	q.RequireReplicas(cfg.Redis.MinReplicasAcked, time.Duration(cfg.Redis.ReplicasTimeout))
	reg := newRegistry(rdb, store)
	go warnDurability(ctx, rdb, logger)
	go indexEarlierPostmortems(ctx, store, logger)

	grace := time.Duration(cfg.ShutdownGrace)
	var w *queue.Worker
	if worker {
		if w, err = startWorker(cfg, rdb, store, q, reg, logger); err != nil {
			return err
		}
		defer w.Shutdown() // for the early returns below; a second Shutdown after drain does nothing
	}

	// A worker alone serves health and metrics only; the webhooks are the API's.
	admin, err := startAdmin(ctx, cfg, rdb, store, reg, logger)
	if err != nil {
		return err
	}
	defer admin.stop(logger)
	srv := newHTTPServer(cfg, !api, admin, rdb, q, reg, logger)
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", cfg.ListenAddr)
	if err != nil {
		return bad("HINDSIGHT_LISTEN_ADDR", "%v", err)
	}
	logger.Info("hindsight listening", "addr", ln.Addr().String(), "role", role, "version", version, "dry_run", !cfg.githubEnabled())
	return serveUntilDone(ctx, srv, ln, w, grace, logger)
}

// parseRole reads serve's flags: the role this process runs (all, api or worker).
func parseRole(args []string) (string, error) {
	fs := newFlags("serve")
	role := fs.String("role", "all", "what this process runs: all, api or worker")
	if err := parseFlags(fs, args); err != nil {
		return "", err
	}
	if *role != "all" && *role != "api" && *role != "worker" {
		return "", usageError{fmt.Sprintf("serve: --role %q: want all, api or worker", *role)}
	}
	return *role, nil
}

// newRegistry is the registry of the process's metrics: Go's and the process's own, and the collectors
// that read the action items, the queue, Redis's durability and the archived tasks from Redis.
func newRegistry(rdb redis.UniversalClient, store *redisstore.Store) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(lifecycle.NewActionItemCollector(store), queue.NewQueueCollector(rdb), redisstore.NewDurabilityCollector(rdb), queue.NewArchiveCollector(rdb))
	return reg
}

// serveUntilDone serves on ln until the server fails or ctx ends, then drains the server and the worker.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, w *queue.Worker, grace time.Duration, logger *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		_ = drain(context.Background(), nil, w, grace, logger)
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", grace.String())
	if err := drain(context.Background(), srv, w, grace, logger); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	return nil
}

// startWorker starts the worker with the task handlers.
func startWorker(cfg config, rdb redis.UniversalClient, store *redisstore.Store, q *queue.Queue, reg *prometheus.Registry, logger *slog.Logger) (*queue.Worker, error) {
	taskHandlers, err := newTaskHandlers(cfg, rdb, store, q, reg, logger)
	if err != nil {
		return nil, err
	}
	w := queue.NewWorker(rdb, queue.WorkerConfig{Concurrency: cfg.Worker.Concurrency, ShutdownTimeout: workerDrain(time.Duration(cfg.ShutdownGrace)),
		Registerer: reg, RetryBase: time.Duration(cfg.Worker.RetryBase), RetryMax: time.Duration(cfg.Worker.RetryMax),
		TaskCheckInterval: time.Duration(cfg.Worker.TaskCheckInterval)}, taskHandlers, logger)
	if err := w.Start(); err != nil {
		return nil, err
	}
	return w, nil
}

// newHTTPServer serves the webhooks (unless webhooksOff), health, metrics and, when admin says so, the
// admin endpoints.
func newHTTPServer(cfg config, webhooksOff bool, admin *adminSide, rdb redis.UniversalClient, q *queue.Queue, reg *prometheus.Registry, logger *slog.Logger) *http.Server {
	ping := func(ctx context.Context) error { return queue.Ping(ctx, rdb) }
	hcfg := handlers.Config{PagerDutySecrets: cfg.PagerDuty.WebhookSecrets, GitHubSecret: cfg.GitHub.WebhookSecret, WebhooksOff: webhooksOff,
		Admin: admin.onMain, AdminElsewhere: admin.elsewhere}
	return &http.Server{
		Handler:           handlers.NewServer(logger, hcfg, q, ping, reg, reg),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
}

// newTaskHandlers wires the worker: the postmortem pipeline (PagerDuty when a token is set, GitHub when
// credentials are set, else the dry run) and, with GitHub, the jobs of its events and the reminders.
func newTaskHandlers(cfg config, rdb redis.UniversalClient, store *redisstore.Store, q *queue.Queue, reg prometheus.Registerer, logger *slog.Logger) (map[string]asynq.Handler, error) {
	composer, err := newComposer(cfg)
	if err != nil {
		return nil, err
	}
	deps := lifecycle.Deps{
		Store:          store,
		Locker:         redisstore.NewLocker(rdb, lockTTL),
		Source:         pagerduty.EventsOnly{},
		Notes:          pagerduty.EventsOnly{},
		Users:          postmortem.NoEmails{},
		Policy:         cfg.Policy,
		Composer:       composer,
		Reminders:      postmortem.NoReminders{},
		RemindEvery:    time.Duration(cfg.Reminders.Every),
		Repos:          cfg.publishRepos(),
		MaxActionItems: cfg.Limits.ActionItems,
		Registerer:     reg,
		Logger:         logger,
		ChangeScope:    cfg.changeScope(),
	}
	if err := withPagerDuty(&deps, cfg, rdb, logger); err != nil {
		return nil, err
	}
	if deps.Publisher, err = newPublisher(cfg, rdb, reg, logger); err != nil {
		return nil, err
	}
	if gh, ok := deps.Publisher.(postmortem.ChangeReader); ok {
		deps.Changes = append(deps.Changes, gh)
	}
	if cfg.githubEnabled() {
		deps.DefaultRepo, deps.Reminders = cfg.GitHub.Repo, q
		withTeamRules(&deps, cfg, store, logger)
	}
	sender, err := newSender(cfg, rdb, deps.Publisher, deps.Notes, deps.Rules, reg, logger)
	if err != nil {
		return nil, err
	}
	if sender != nil {
		deps.Mail = q
	}
	handlers := queue.NewHandlers(lifecycle.New(deps), logger)
	if sender != nil {
		handlers[queue.TypeMail] = queue.NewMailHandler(sender)
	}
	return handlers, nil
}

// withTeamRules proposes customer versions of merged postmortems, and puts the postmortem repository's
// .github/hindsight.yml over the service's configuration, as configured.
func withTeamRules(deps *lifecycle.Deps, cfg config, store *redisstore.Store, logger *slog.Logger) {
	if cfg.CustomerVersion.Enabled {
		deps.Customer = lifecycle.CustomerOptions{Directory: cfg.customerDirectory(), Labels: cfg.CustomerVersion.Labels,
			TeamReviewers: cfg.GitHub.TeamReviewers}
	}
	gh, ok := deps.Publisher.(*github.Router)
	if !cfg.TeamConfig.Enabled || !ok {
		deps.Rules = postmortem.FixedRules(cfg.ruleSet(deps.Composer))
		return
	}
	loader := &teamconfig.Loader{Store: store, GitHub: gh, Repo: cfg.GitHub.Repo, TTL: time.Duration(cfg.TeamConfig.TTL),
		Build: teamBuild(cfg), Logger: logger}
	deps.Rules, deps.TeamRules, deps.ConfigRepo = loader, loader, cfg.GitHub.Repo
}

// withPagerDuty reads incidents from PagerDuty's API when a token is set, and looks up users' emails when
// some person is known by email; without a token, incidents are built from their webhook events.
func withPagerDuty(deps *lifecycle.Deps, cfg config, rdb redis.UniversalClient, logger *slog.Logger) error {
	if cfg.PagerDuty.Token == "" {
		return nil
	}
	pd, err := pagerduty.New(pagerduty.Options{BaseURL: cfg.PagerDuty.APIURL, Token: cfg.PagerDuty.Token, From: cfg.PagerDuty.From, Logger: logger,
		MaxLogEntries: cfg.Limits.LogEntries})
	if err != nil {
		return bad("HINDSIGHT_PAGERDUTY_TOKEN", "%v", err)
	}
	deps.Source, deps.Notes = pagerduty.Source{Client: pd}, pagerduty.Source{Client: pd}
	deps.Changes = append(deps.Changes, pd)
	if peopleByEmail(cfg.People) {
		deps.Users = &redisstore.UserDirectory{Redis: rdb, Source: pd, TTL: time.Duration(cfg.PagerDuty.UserCacheTTL),
			MaxLookups: cfg.PagerDuty.UserLookups, NotFound: func(err error) bool { return errors.Is(err, pagerduty.ErrNotFound) }, Logger: logger}
	}
	return nil
}

// newPublisher is GitHub when credentials are set, else the dry run into the output directory.
func newPublisher(cfg config, rdb redis.UniversalClient, reg prometheus.Registerer, logger *slog.Logger) (postmortem.Publisher, error) {
	if !cfg.githubEnabled() {
		logger.Warn("no GitHub credentials: dry run, drafts are written to the output directory", "dir", cfg.OutputDir)
		if err := os.MkdirAll(cfg.OutputDir, 0o750); err != nil {
			return nil, bad("HINDSIGHT_OUTPUT_DIR", "%v", err)
		}
		return github.DryRun{Dir: cfg.OutputDir, Repo: cfg.GitHub.Repo}, nil
	}
	var writes github.WriteLimiter
	if windows := cfg.writeWindows(); len(windows) > 0 {
		l, err := redisstore.NewWriteLimiter(rdb, writeLimiterName(cfg.GitHub.APIURL, cfg.GitHub.Repo), windows)
		if err != nil {
			return nil, bad("HINDSIGHT_CONFIG", "github.write_limits: %v", err)
		}
		writes = l
	}
	opts := cfg.githubOptions()
	opts.Logger, opts.WriteLimiter, opts.Registerer = logger, writes, reg
	gh, err := github.NewRouter(opts)
	if err != nil {
		return nil, bad("HINDSIGHT_GITHUB_TOKEN", "%v", err)
	}
	return gh, nil
}

// writeLimiterName keys the shared write limiter by GitHub host and repository, so every replica publishing
// to the same repository draws from the same slots.
func writeLimiterName(apiURL, repo string) string {
	host := apiURL
	if u, err := url.Parse(apiURL); err == nil && u.Host != "" {
		host = u.Host
	}
	return strings.ToLower(host + "/" + repo)
}

// peopleByEmail reports whether some `people` key is an email, which only a user lookup can match.
func peopleByEmail(people map[string]string) bool {
	for k := range people {
		if strings.Contains(k, "@") {
			return true
		}
	}
	return false
}

// newComposer loads the templates, the team's directory over the embedded set, and checks each one by
// rendering a sample incident, so a broken template stops the process at start rather than a postmortem.
func newComposer(cfg config, over ...fsys) (*postmortem.Composer, error) {
	sets := []fsys{templates.FS}
	if dir := cfg.Templates.Directory; dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, bad("HINDSIGHT_CONFIG", "templates.directory %q is not a readable directory", dir)
		}
		sets = append(sets, os.DirFS(dir))
	}
	sets = append(sets, over...)
	r, err := postmortem.NewRenderer(sets...)
	if err != nil {
		return nil, bad("HINDSIGHT_CONFIG", "templates: %v", err)
	}
	c := &postmortem.Composer{
		Renderer:           r,
		OwnerRule:          cfg.GitHub.OwnerRule,
		Routes:             cfg.Routes,
		ActionItemPrefixes: cfg.ActionItems.Prefixes,
		Facts:              cfg.Facts,
		People:             cfg.People,
		Labels:             cfg.GitHub.Labels,
		Reviewers:          cfg.GitHub.Reviewers,
		TeamReviewers:      cfg.GitHub.TeamReviewers,
		DefaultOwner:       cfg.GitHub.DefaultOwner,
		Dir:                cfg.GitHub.Directory,
		MaxActionItems:     cfg.Limits.ActionItems,
	}
	if err := checkTemplates(c, cfg.Policy); err != nil {
		return nil, bad("HINDSIGHT_CONFIG", "templates: %v", err)
	}
	return c, nil
}

func newLogger(cfg config, w io.Writer) (*slog.Logger, error) {
	level, err := parseLevel(cfg.Log.Level)
	if err != nil {
		return nil, bad("HINDSIGHT_CONFIG", "log.level: %v", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return slog.New(slog.NewJSONHandler(w, opts)), nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("want debug, info, warn or error, got %q", s)
	}
	return l, nil
}
