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
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/redisstore"
	"github.com/hindsight-dev/hindsight/templates"
)

func runServe(ctx context.Context, args []string, getenv func(string) string, _, stderr io.Writer) error {
	fs := newFlags("serve")
	role := fs.String("role", "all", "what this process runs: all, api or worker")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	api, worker := *role == "all" || *role == "api", *role == "all" || *role == "worker"
	if !api && !worker {
		return usageError{fmt.Sprintf("serve: --role %q: want all, api or worker", *role)}
	}

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
	rdb, err := redisstore.OpenRedis(cfg.RedisURL)
	if err != nil {
		return bad("HINDSIGHT_REDIS_URL", "%v", err)
	}
	defer rdb.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	store := redisstore.NewStore(rdb, time.Duration(cfg.Events.Retention))
	q := queue.New(rdb, store, cfg.Worker.MaxRetry)
	defer q.Close()
	q.RequireReplicas(cfg.Redis.MinReplicasAcked, time.Duration(cfg.Redis.ReplicasTimeout))

	reg.MustRegister(queue.NewActionItemCollector(store), queue.NewQueueCollector(rdb), redisstore.NewDurabilityCollector(rdb), queue.NewArchiveCollector(rdb))
	go warnDurability(ctx, rdb, logger)

	grace := time.Duration(cfg.ShutdownGrace)
	var w *queue.Worker
	if worker {
		taskHandlers, err := newTaskHandlers(cfg, rdb, store, q, reg, logger)
		if err != nil {
			return err
		}
		w = queue.NewWorker(rdb, queue.WorkerConfig{Concurrency: cfg.Worker.Concurrency, ShutdownTimeout: workerDrain(grace), Registerer: reg,
			RetryBase: time.Duration(cfg.Worker.RetryBase), RetryMax: time.Duration(cfg.Worker.RetryMax),
			TaskCheckInterval: time.Duration(cfg.Worker.TaskCheckInterval)}, taskHandlers, logger)
		if err := w.Start(); err != nil {
			return err
		}
		defer w.Shutdown() // for the early returns below; a second Shutdown after drain does nothing
	}

	ping := func(ctx context.Context) error { return queue.Ping(ctx, rdb) }
	// A worker alone serves health and metrics only; the webhooks are the API's.
	admin, err := startAdmin(ctx, cfg, rdb, reg, logger)
	if err != nil {
		return err
	}
	defer admin.stop(logger)
	hcfg := handlers.Config{PagerDutySecrets: cfg.PagerDuty.WebhookSecrets, GitHubSecret: cfg.GitHub.WebhookSecret, WebhooksOff: !api,
		Admin: admin.onMain, AdminElsewhere: admin.elsewhere}
	srv := &http.Server{
		Handler:           handlers.NewServer(logger, hcfg, q, ping, reg, reg),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", cfg.ListenAddr)
	if err != nil {
		return bad("HINDSIGHT_LISTEN_ADDR", "%v", err)
	}
	logger.Info("hindsight listening", "addr", ln.Addr().String(), "role", *role, "version", version, "dry_run", !cfg.githubEnabled())
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

// newTaskHandlers wires the worker: the postmortem pipeline (PagerDuty when a token is set, GitHub when
// credentials are set, else the dry run) and, with GitHub, the jobs of its events and the reminders.
func newTaskHandlers(cfg config, rdb redis.UniversalClient, store *redisstore.Store, q *queue.Queue, reg prometheus.Registerer, logger *slog.Logger) (map[string]asynq.Handler, error) {
	composer, err := newComposer(cfg)
	if err != nil {
		return nil, err
	}
	h := &queue.PostmortemHandler{
		Store:       store,
		Locker:      redisstore.NewLocker(rdb, lockTTL),
		DecodeEvent: pagerduty.DecodeEvent,
		FromEvents:  pagerduty.IncidentFromEvents,
		Policy:      cfg.Policy,
		Composer:    composer,
		Metrics:     queue.NewMetrics(reg),
		Logger:      logger,
	}
	if cfg.PagerDuty.Token != "" {
		pd, err := pagerduty.New(pagerduty.Options{BaseURL: cfg.PagerDuty.APIURL, Token: cfg.PagerDuty.Token, From: cfg.PagerDuty.From, Logger: logger,
			MaxLogEntries: cfg.Limits.LogEntries})
		if err != nil {
			return nil, bad("HINDSIGHT_PAGERDUTY_TOKEN", "%v", err)
		}
		h.Source = incidentSource{pd}
		h.Notes = noteWriter{pd}
		if peopleByEmail(cfg.People) {
			h.Users = &redisstore.UserDirectory{Redis: rdb, Source: pd, TTL: time.Duration(cfg.PagerDuty.UserCacheTTL),
				MaxLookups: cfg.PagerDuty.UserLookups, NotFound: func(err error) bool { return errors.Is(err, pagerduty.ErrNotFound) }, Logger: logger}
		}
	}
	if cfg.githubEnabled() {
		var writes github.WriteLimiter
		if windows := cfg.writeWindows(); len(windows) > 0 {
			l, err := redisstore.NewWriteLimiter(rdb, writeLimiterName(cfg.GitHub.APIURL, cfg.GitHub.Repo), windows)
			if err != nil {
				return nil, bad("HINDSIGHT_CONFIG", "github.write_limits: %v", err)
			}
			writes = l
		}
		gh, err := github.NewRouter(github.Options{
			BaseURL:        cfg.GitHub.APIURL,
			Token:          cfg.GitHub.Token,
			AppID:          cfg.GitHub.AppID,
			InstallationID: cfg.GitHub.InstallationID,
			PrivateKeyPEM:  cfg.privateKey,
			Repo:           cfg.GitHub.Repo,
			BaseBranch:     cfg.GitHub.BaseBranch,
			Logger:         logger,
			WriteLimiter:   writes,
			Registerer:     reg,

			MaxCommentCharacters: cfg.Limits.CommentCharacters,
		})
		if err != nil {
			return nil, bad("HINDSIGHT_GITHUB_TOKEN", "%v", err)
		}
		h.Publisher = publisher{gh}
		h.Refresher, h.Issues, h.BlobSHA = gh, gh, github.BlobSHA
		h.DefaultRepo, h.Reminders = cfg.GitHub.Repo, q
		h.BackLink = true
		lint := cfg.Lint
		lint.People = append(append([]string(nil), lint.People...), lintLogins(cfg.People)...)
		jobs := &queue.GitHubJobs{Store: store, GitHub: gh, Logger: logger, Repos: cfg.publishRepos(), Metrics: h.Metrics, MaxActionItems: cfg.Limits.ActionItems,
			Lint: func(md string) []postmortem.Finding { return postmortem.Lint(md, lint) }}
		reminders := &queue.ReminderHandler{Store: store, Scheduler: q, GitHub: gh, Every: time.Duration(cfg.Reminders.Every), Logger: logger,
			Reminded: queue.NewReminderCounter(reg)}
		return map[string]asynq.Handler{
			queue.TypePostmortem:  h,
			queue.TypeReminder:    reminders,
			queue.TypePullRequest: jobs,
			queue.TypeActionItem:  jobs,
			queue.TypeCommand:     jobs,
		}, nil
	}
	logger.Warn("no GitHub credentials: dry run, drafts are written to the output directory", "dir", cfg.OutputDir)
	if err := os.MkdirAll(cfg.OutputDir, 0o750); err != nil {
		return nil, bad("HINDSIGHT_OUTPUT_DIR", "%v", err)
	}
	h.Publisher = github.DryRun{Dir: cfg.OutputDir, Repo: cfg.GitHub.Repo}
	// Without credentials there is nothing to do on GitHub's events; they are dropped, not retried.
	ignore := asynq.HandlerFunc(func(_ context.Context, t *asynq.Task) error {
		logger.Info("GitHub event ignored: dry run, no GitHub credentials", "task", t.Type())
		return nil
	})
	return map[string]asynq.Handler{
		queue.TypePostmortem:  h,
		queue.TypePullRequest: ignore,
		queue.TypeActionItem:  ignore,
		queue.TypeCommand:     ignore,
	}, nil
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

// incidentSource marks PagerDuty's not-found (404, 410: deleted) and no-access (403) errors as permanent
// for the queue; so does noteWriter.
type incidentSource struct{ pd *pagerduty.Client }

func (s incidentSource) Incident(ctx context.Context, id string) (postmortem.Incident, error) {
	inc, err := s.pd.Incident(ctx, id)
	return inc, pagerDutyPermanent(err)
}

type noteWriter struct{ pd *pagerduty.Client }

func (w noteWriter) AddNote(ctx context.Context, id, content string) (postmortem.Note, error) {
	n, err := w.pd.AddNote(ctx, id, content)
	return n, pagerDutyPermanent(err)
}

func pagerDutyPermanent(err error) error {
	if errors.Is(err, pagerduty.ErrNotFound) || errors.Is(err, pagerduty.ErrForbidden) {
		return fmt.Errorf("%w: %w", err, queue.ErrPermanent)
	}
	return err
}

// publisher marks GitHub errors that no retry mends as permanent for the queue.
type publisher struct{ gh *github.Router }

func (p publisher) Publish(ctx context.Context, d postmortem.Draft) (postmortem.PullRequest, error) {
	pr, err := p.gh.Publish(ctx, d)
	if errors.Is(err, github.ErrBaseBranchNotFound) {
		return pr, fmt.Errorf("%w: %w", err, queue.ErrPermanent)
	}
	return pr, err
}

// newComposer loads the templates, the team's directory over the embedded set, and checks each one by
// rendering a sample incident, so a broken template stops the process at start rather than a postmortem.
func newComposer(cfg config) (*postmortem.Composer, error) {
	sets := []fsys{templates.FS}
	if dir := cfg.Templates.Directory; dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, bad("HINDSIGHT_CONFIG", "templates.directory %q is not a readable directory", dir)
		}
		sets = append(sets, os.DirFS(dir))
	}
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
