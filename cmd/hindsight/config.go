package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"gopkg.in/yaml.v3"

	"github.com/hindsight-dev/hindsight/distribution"
	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/internal/yamlcheck"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// config is Hindsight's whole configuration: the YAML file named by HINDSIGHT_CONFIG, then the
// environment variables, which win.
type config struct {
	ListenAddr string `yaml:"listen_addr"`
	RedisURL   string `yaml:"redis_url"`
	OutputDir  string `yaml:"output_dir"`
	PagerDuty  struct {
		APIURL         string   `yaml:"api_url"`
		Token          string   `yaml:"token"`
		From           string   `yaml:"from"`
		WebhookSecrets []string `yaml:"webhook_secrets"`
		// UserCacheTTL is how long a user looked up for `people` keys by email is kept in Redis;
		// UserLookups bounds the users looked up per incident.
		UserCacheTTL postmortem.Duration `yaml:"user_cache_ttl"`
		UserLookups  int                 `yaml:"user_lookups"`
	} `yaml:"pagerduty"`
	GitHub struct {
		APIURL         string   `yaml:"api_url"`
		Token          string   `yaml:"token"`
		AppID          int64    `yaml:"app_id"`
		InstallationID int64    `yaml:"installation_id"`
		PrivateKeyFile string   `yaml:"private_key_file"`
		Repo           string   `yaml:"repo"`
		BaseBranch     string   `yaml:"base_branch"`
		WebhookSecret  string   `yaml:"webhook_secret"`
		Directory      string   `yaml:"directory"`
		Labels         []string `yaml:"labels"`
		Reviewers      []string `yaml:"reviewers"`
		TeamReviewers  []string `yaml:"team_reviewers"`
		DefaultOwner   string   `yaml:"default_owner"`
		// OwnerRule picks the postmortem's owner among the responders: resolver (default),
		// first-acknowledger, assignee or default.
		OwnerRule string `yaml:"owner_rule"`
		// WriteLimits keep content-creating requests, across every worker replica sharing Redis, under
		// GitHub's secondary limits; zero turns a window off.
		WriteLimits struct {
			PerMinute int `yaml:"per_minute"`
			PerHour   int `yaml:"per_hour"`
		} `yaml:"write_limits"`
	} `yaml:"github"`
	Policy postmortem.Policy `yaml:"policy"`
	// Routes add reviewers, teams and labels by service or team, and may send postmortems elsewhere.
	Routes []postmortem.Route `yaml:"routes"`
	// Services name, by PagerDuty service ID or name, the repositories whose changes a postmortem lists.
	Services map[string]postmortem.ServiceChanges `yaml:"services"`
	Changes  struct {
		// Window is how long before the trigger the changes section starts.
		Window postmortem.Duration `yaml:"window"`
	} `yaml:"changes"`
	// Lint configures the blameless and completeness check.
	Lint        postmortem.LintConfig `yaml:"lint"`
	ActionItems struct {
		// Prefixes start the PagerDuty notes that become action items.
		Prefixes []string `yaml:"prefixes"`
	} `yaml:"action_items"`
	Reminders struct {
		// Every is the time between reminders once a postmortem is overdue.
		Every postmortem.Duration `yaml:"every"`
	} `yaml:"reminders"`
	// People maps PagerDuty user IDs or emails to GitHub logins.
	People    map[string]string `yaml:"people"`
	Templates struct {
		Directory string `yaml:"directory"`
	} `yaml:"templates"`
	Events struct {
		Retention postmortem.Duration `yaml:"retention"`
	} `yaml:"events"`
	Worker struct {
		Concurrency int `yaml:"concurrency"`
		MaxRetry    int `yaml:"max_retry"`
		// RetryBase and RetryMax space the retries of a failed task: RetryBase·2^n up to RetryMax.
		RetryBase postmortem.Duration `yaml:"retry_base"`
		RetryMax  postmortem.Duration `yaml:"retry_max"`
		// TaskCheckInterval is how often an idle worker asks Redis for a new task: the most a resolved
		// incident waits before a worker picks it up.
		TaskCheckInterval postmortem.Duration `yaml:"task_check_interval"`
	} `yaml:"worker"`
	Log struct {
		Format string `yaml:"format"`
		Level  string `yaml:"level"`
	} `yaml:"log"`
	// Admin moves /metrics and the queue console to a listener of their own and guards them with a token.
	Admin struct {
		Addr  string `yaml:"addr"`
		Token string `yaml:"token"`
	} `yaml:"admin"`
	// Facts names the prefixes of notes and status updates that state mitigation and impact start.
	Facts postmortem.FactsConfig `yaml:"facts"`
	// TeamConfig reads the team's rules from the postmortem repository's .github/hindsight.yml.
	TeamConfig struct {
		Enabled bool `yaml:"enabled"`
		// TTL is how long the rules read are used before the repository is read again (a push to the
		// default branch reads them at once).
		TTL postmortem.Duration `yaml:"ttl"`
	} `yaml:"team_config"`
	// CustomerVersion proposes the customer-facing version of every merged postmortem.
	CustomerVersion struct {
		Enabled bool `yaml:"enabled"`
		// Directory is where versions go; default: "public" under github.directory.
		Directory string   `yaml:"directory"`
		Labels    []string `yaml:"labels"`
	} `yaml:"customer_version"`
	// Limits cap what one incident can make Hindsight fetch and write.
	Limits struct {
		LogEntries        int `yaml:"log_entries"`
		ActionItems       int `yaml:"action_items"`
		CommentCharacters int `yaml:"comment_characters"`
	} `yaml:"limits"`

	// ShutdownGrace bounds the drain after SIGTERM: the HTTP server and the workers stop in parallel
	// within it. It stays below 25 s so that the 30 s orchestrators give is never exceeded.
	ShutdownGrace postmortem.Duration `yaml:"shutdown_grace"`

	// SMTPURL is the mail server merged postmortems are sent through (HINDSIGHT_SMTP_URL); none turns the
	// mails off.
	SMTPURL string `yaml:"smtp_url"`
	// Distribution names the lists merged postmortems are mailed to.
	Distribution distribution.Settings `yaml:"distribution"`

	// Redis tunes what Hindsight asks of Redis beyond its URL.
	Redis struct {
		// MinReplicasAcked makes the webhook receivers answer 202 only once that many replicas hold the
		// event (Redis's WAIT), 503 otherwise; 0 (default) does not wait.
		MinReplicasAcked int `yaml:"min_replicas_acked"`
		// ReplicasTimeout bounds that wait; it must leave the answer inside PagerDuty's 5 seconds.
		ReplicasTimeout postmortem.Duration `yaml:"replicas_timeout"`
	} `yaml:"redis"`

	privateKey []byte
	// secretSources name where each webhook secret came from, for an error that points at it.
	secretSources secretSources
}

func defaultConfig() config {
	var c config
	c.ListenAddr = ":8080"
	c.RedisURL = "redis://127.0.0.1:6379/0"
	c.OutputDir = "./hindsight-out"
	c.ShutdownGrace = postmortem.Duration(defaultShutdownGrace)
	c.Redis.ReplicasTimeout = postmortem.Duration(time.Second)
	c.PagerDuty.APIURL = "https://api.pagerduty.com"
	c.GitHub.APIURL = "https://api.github.com/"
	c.GitHub.Directory = "postmortems"
	c.GitHub.Labels = []string{"postmortem"}
	c.GitHub.WriteLimits.PerMinute = 80
	c.GitHub.WriteLimits.PerHour = 500
	c.Policy = postmortem.DefaultPolicy()
	c.CustomerVersion.Enabled = true
	c.CustomerVersion.Labels = []string{"postmortem", "customer-version"}
	c.TeamConfig.Enabled = true
	c.TeamConfig.TTL = postmortem.Duration(10 * time.Minute)
	c.ActionItems.Prefixes = postmortem.DefaultActionItemPrefixes
	c.Facts.MitigatedPrefixes = postmortem.DefaultMitigatedPrefixes
	c.Facts.ImpactStartPrefixes = postmortem.DefaultImpactStartPrefixes
	c.PagerDuty.UserCacheTTL = postmortem.Duration(redisstore.DefaultUserTTL)
	c.PagerDuty.UserLookups = redisstore.DefaultUserLookups
	c.Reminders.Every = postmortem.Duration(24 * time.Hour)
	c.Changes.Window = postmortem.Duration(postmortem.DefaultChangeWindow)
	c.Events.Retention = postmortem.Duration(30 * 24 * time.Hour)
	c.Worker.Concurrency = 10
	c.Worker.MaxRetry = 12
	c.Worker.RetryBase = postmortem.Duration(10 * time.Second)
	c.Worker.RetryMax = postmortem.Duration(10 * time.Minute)
	c.Worker.TaskCheckInterval = postmortem.Duration(queue.DefaultTaskCheckInterval)
	c.Log.Format = "json"
	c.Log.Level = "info"
	c.Limits.LogEntries = pagerduty.DefaultMaxLogEntries
	c.Limits.ActionItems = postmortem.DefaultMaxActionItems
	c.Limits.CommentCharacters = github.MaxBody
	return c
}

// settingError names the setting that is wrong.
type settingError struct {
	setting string
	err     error
}

func (e *settingError) Error() string { return e.setting + ": " + e.err.Error() }
func (e *settingError) Unwrap() error { return e.err }

func bad(setting, format string, args ...any) error {
	return &settingError{setting: setting, err: fmt.Errorf(format, args...)}
}

// loadConfig reads the configuration file, applies the environment and checks every setting.
func loadConfig(getenv func(string) string) (config, error) {
	c := defaultConfig()
	if path := getenv("HINDSIGHT_CONFIG"); path != "" {
		if err := c.readFile(path); err != nil {
			return config{}, &settingError{setting: "HINDSIGHT_CONFIG", err: err}
		}
	}
	if err := c.applyEnv(getenv); err != nil {
		return config{}, err
	}
	if err := c.validate(); err != nil {
		return config{}, err
	}
	return c, nil
}

func (c *config) readFile(path string) error {
	data, err := os.ReadFile(path) //nolint:gosec // the operator names the configuration file
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %s", path, oneLine(strings.TrimPrefix(err.Error(), "yaml: ")))
	}
	if err := yamlcheck.CheckKeys(&doc, reflect.TypeOf(c), ""); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	c.Policy = postmortem.Policy{} // a file's policy replaces the default one whole
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: %s", path, oneLine(withoutValues(err.Error())))
	}
	if len(c.Policy.Rules) == 0 && c.Policy.Default == "" {
		c.Policy = postmortem.DefaultPolicy()
	}
	return c.secretSources.fromFile(data)
}

func (c *config) applyEnv(getenv func(string) string) error {
	str := map[string]*string{
		"HINDSIGHT_LISTEN_ADDR":                 &c.ListenAddr,
		"HINDSIGHT_REDIS_URL":                   &c.RedisURL,
		"HINDSIGHT_OUTPUT_DIR":                  &c.OutputDir,
		"HINDSIGHT_PAGERDUTY_API_URL":           &c.PagerDuty.APIURL,
		"HINDSIGHT_PAGERDUTY_TOKEN":             &c.PagerDuty.Token,
		"HINDSIGHT_PAGERDUTY_FROM":              &c.PagerDuty.From,
		"HINDSIGHT_GITHUB_API_URL":              &c.GitHub.APIURL,
		"HINDSIGHT_GITHUB_TOKEN":                &c.GitHub.Token,
		"HINDSIGHT_GITHUB_APP_PRIVATE_KEY_FILE": &c.GitHub.PrivateKeyFile,
		"HINDSIGHT_GITHUB_REPO":                 &c.GitHub.Repo,
		"HINDSIGHT_GITHUB_WEBHOOK_SECRET":       &c.GitHub.WebhookSecret,
		"HINDSIGHT_ADMIN_ADDR":                  &c.Admin.Addr,
		"HINDSIGHT_ADMIN_TOKEN":                 &c.Admin.Token,
		"HINDSIGHT_SMTP_URL":                    &c.SMTPURL,
	}
	for name, field := range str {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			*field = v
		}
	}
	if err := c.secretSources.fromEnv(getenv, &c.PagerDuty.WebhookSecrets, &c.GitHub.WebhookSecret); err != nil {
		return err
	}
	for name, field := range map[string]*int64{
		"HINDSIGHT_GITHUB_APP_ID":              &c.GitHub.AppID,
		"HINDSIGHT_GITHUB_APP_INSTALLATION_ID": &c.GitHub.InstallationID,
	} {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return bad(name, "want a positive number, got %q", v)
			}
			*field = n
		}
	}
	return nil
}

// maxChangeWindow bounds changes.window: a longer one fills a page of each list with changes of no
// interest, and the section then says it read only part of them.
const maxChangeWindow = 7 * 24 * time.Hour

var repoPattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$`)

// validate checks the configuration, first error first, reads the App's key and normalises people.
func (c *config) validate() error {
	for _, check := range []func() error{c.checkEndpoints, c.checkGitHub, c.checkPostmortems, c.checkRuntime, c.checkAdmin, c.checkLimits, c.checkLint, c.checkActionItems, c.checkDistribution, c.normalizePeople} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// checkEndpoints checks the addresses: the listener, the webhook secrets' sources, Redis and the APIs.
func (c *config) checkEndpoints() error {
	if _, _, err := net.SplitHostPort(c.ListenAddr); err != nil {
		return bad("HINDSIGHT_LISTEN_ADDR", "want host:port such as :8080, got %q", c.ListenAddr)
	}
	if err := c.secretSources.check(c.PagerDuty.WebhookSecrets, c.GitHub.WebhookSecret); err != nil {
		return err
	}
	rdb, err := c.openRedis()
	if err != nil {
		return err
	}
	_ = rdb.Close()
	if err := checkBaseURL(c.PagerDuty.APIURL); err != nil {
		return bad("HINDSIGHT_PAGERDUTY_API_URL", "%v", err)
	}
	if err := checkBaseURL(c.GitHub.APIURL); err != nil {
		return bad("HINDSIGHT_GITHUB_API_URL", "%v", err)
	}
	if c.PagerDuty.From != "" {
		if checkAddress(c.PagerDuty.From) != nil {
			return bad("HINDSIGHT_PAGERDUTY_FROM", "want the email of a PagerDuty user, got %q", c.PagerDuty.From)
		}
	}
	return nil
}

// checkGitHub checks the GitHub credentials, reads the App's key, and checks the repository and the
// write limits.
func (c *config) checkGitHub() error {
	app := c.GitHub.AppID != 0 || c.GitHub.InstallationID != 0 || c.GitHub.PrivateKeyFile != ""
	if app {
		switch {
		case c.GitHub.AppID == 0:
			return bad("HINDSIGHT_GITHUB_APP_ID", "required with the other GitHub App settings")
		case c.GitHub.InstallationID == 0:
			return bad("HINDSIGHT_GITHUB_APP_INSTALLATION_ID", "required with the other GitHub App settings")
		case c.GitHub.PrivateKeyFile == "":
			return bad("HINDSIGHT_GITHUB_APP_PRIVATE_KEY_FILE", "required with the other GitHub App settings")
		}
		key, err := os.ReadFile(c.GitHub.PrivateKeyFile)
		if err != nil {
			return bad("HINDSIGHT_GITHUB_APP_PRIVATE_KEY_FILE", "%v", err)
		}
		c.privateKey = key
		if c.GitHub.Token != "" {
			return bad("HINDSIGHT_GITHUB_TOKEN", "set either a token or the GitHub App settings, not both")
		}
	}
	if c.GitHub.Repo != "" && !repoPattern.MatchString(c.GitHub.Repo) {
		return bad("HINDSIGHT_GITHUB_REPO", "want owner/name, got %q", c.GitHub.Repo)
	}
	if c.githubEnabled() && c.GitHub.Repo == "" {
		return bad("HINDSIGHT_GITHUB_REPO", "required when GitHub credentials are set")
	}
	if c.GitHub.WriteLimits.PerMinute < 0 {
		return bad("HINDSIGHT_CONFIG", "github.write_limits.per_minute: must not be negative (0 turns the window off)")
	}
	if c.GitHub.WriteLimits.PerHour < 0 {
		return bad("HINDSIGHT_CONFIG", "github.write_limits.per_hour: must not be negative (0 turns the window off)")
	}
	return nil
}

// checkPostmortems checks what shapes the postmortems: the policy, the owner rule, the routes, the reminders
// and the facts.
func (c *config) checkPostmortems() error {
	if err := c.Policy.Validate(); err != nil {
		return bad("HINDSIGHT_CONFIG", "%v", err)
	}
	if !postmortem.ValidOwnerRule(c.GitHub.OwnerRule) {
		return bad("HINDSIGHT_CONFIG", "github.owner_rule: want resolver, first-acknowledger, assignee or default, got %q", c.GitHub.OwnerRule)
	}
	for i, r := range c.Routes {
		if r.Repo != "" && !repoPattern.MatchString(r.Repo) {
			return bad("HINDSIGHT_CONFIG", "routes[%d].repo: want owner/name, got %q", i, r.Repo)
		}
		if len(r.Services) == 0 && len(r.Teams) == 0 {
			return bad("HINDSIGHT_CONFIG", "routes[%d]: name the services or teams it applies to", i)
		}
		for j, repo := range r.Repos {
			if !repoPattern.MatchString(repo) {
				return bad("HINDSIGHT_CONFIG", "routes[%d].repos[%d]: want owner/name, got %q", i, j, repo)
			}
		}
	}
	for name, svc := range c.Services {
		if strings.TrimSpace(name) == "" {
			return bad("HINDSIGHT_CONFIG", "services: an empty service name or ID")
		}
		for j, repo := range svc.Repos {
			if !repoPattern.MatchString(repo) {
				return bad("HINDSIGHT_CONFIG", "services.%s.repos[%d]: want owner/name, got %q", name, j, repo)
			}
		}
	}
	if w := time.Duration(c.Changes.Window); w < time.Minute || w > maxChangeWindow {
		return bad("HINDSIGHT_CONFIG", "changes.window: want at least 1m and at most %s, got %s", maxChangeWindow, w)
	}
	if c.TeamConfig.TTL < postmortem.Duration(time.Minute) {
		return bad("HINDSIGHT_CONFIG", "team_config.ttl: want at least 1m")
	}
	if c.Reminders.Every < postmortem.Duration(time.Hour) {
		return bad("HINDSIGHT_CONFIG", "reminders.every: want at least 1h")
	}
	for name, list := range map[string][]string{"facts.mitigated_prefixes": c.Facts.MitigatedPrefixes, "facts.impact_start_prefixes": c.Facts.ImpactStartPrefixes} {
		for i, p := range list {
			if strings.TrimSpace(p) == "" {
				return bad("HINDSIGHT_CONFIG", "%s[%d]: empty prefix", name, i)
			}
		}
	}
	return nil
}

// checkRuntime checks the lookups, the worker, the shutdown, Redis's replicas, the events' retention and
// the log.
func (c *config) checkRuntime() error {
	if c.PagerDuty.UserCacheTTL < postmortem.Duration(time.Minute) {
		return bad("HINDSIGHT_CONFIG", "pagerduty.user_cache_ttl: want at least 1m")
	}
	if c.PagerDuty.UserLookups < 1 {
		return bad("HINDSIGHT_CONFIG", "pagerduty.user_lookups: want at least 1, got %d", c.PagerDuty.UserLookups)
	}
	if c.Worker.Concurrency < 1 {
		return bad("HINDSIGHT_CONFIG", "worker.concurrency: want at least 1, got %d", c.Worker.Concurrency)
	}
	if c.Worker.MaxRetry < 0 {
		return bad("HINDSIGHT_CONFIG", "worker.max_retry: must not be negative")
	}
	if g := time.Duration(c.ShutdownGrace); g < time.Second || g >= maxShutdownGrace {
		return bad("HINDSIGHT_CONFIG", "shutdown_grace: want at least 1s and below %s, got %s", maxShutdownGrace, g)
	}
	if c.Worker.RetryBase <= 0 || c.Worker.RetryMax < c.Worker.RetryBase {
		return bad("HINDSIGHT_CONFIG", "worker.retry_base and worker.retry_max: want 0 < retry_base <= retry_max, got %s and %s", time.Duration(c.Worker.RetryBase), time.Duration(c.Worker.RetryMax))
	}
	if t := time.Duration(c.Worker.TaskCheckInterval); t < minTaskCheckInterval || t > maxTaskCheckInterval {
		return bad("HINDSIGHT_CONFIG", "worker.task_check_interval: want %s to %s, got %s", minTaskCheckInterval, maxTaskCheckInterval, t)
	}
	if c.Redis.MinReplicasAcked < 0 {
		return bad("HINDSIGHT_CONFIG", "redis.min_replicas_acked: must not be negative (0 turns the wait off)")
	}
	if t := time.Duration(c.Redis.ReplicasTimeout); t <= 0 || t > maxReplicasTimeout {
		return bad("HINDSIGHT_CONFIG", "redis.replicas_timeout: want more than 0 and at most %s, so the answer stays inside PagerDuty's 5 seconds, got %s", maxReplicasTimeout, t)
	}
	if c.Events.Retention < postmortem.Duration(time.Hour) {
		return bad("HINDSIGHT_CONFIG", "events.retention: want at least 1h")
	}
	switch c.Log.Format {
	case "json", "text":
	default:
		return bad("HINDSIGHT_CONFIG", "log.format: want json or text, got %q", c.Log.Format)
	}
	if _, err := parseLevel(c.Log.Level); err != nil {
		return bad("HINDSIGHT_CONFIG", "log.level: %v", err)
	}
	return nil
}

// validateTeam checks the settings a team may also set in its repository's .github/hindsight.yml (see
// teamFile) as the service's own are checked, and normalises people. Its error names the key, not the
// setting of the service.
func (c *config) validateTeam() error {
	for _, check := range []func() error{c.checkPostmortems, c.checkLint, c.checkActionItems, c.checkDistribution, c.normalizePeople} {
		if err := check(); err != nil {
			var se *settingError
			if errors.As(err, &se) {
				return se.err
			}
			return err
		}
	}
	return nil
}

// checkActionItems refuses an empty prefix, which would make every note an action item.
func (c *config) checkActionItems() error {
	for i, p := range c.ActionItems.Prefixes {
		if strings.TrimSpace(p) == "" {
			return bad("HINDSIGHT_CONFIG", "action_items.prefixes[%d]: empty prefix", i)
		}
	}
	return nil
}

func (c *config) checkLint() error {
	if err := c.Lint.Check(); err != nil {
		return bad("HINDSIGHT_CONFIG", "lint: %v", err)
	}
	return nil
}

// normalizePeople keys people by PagerDuty user ID or lower-cased email, with their logins without "@".
func (c *config) normalizePeople() error {
	// People are looked up by PagerDuty user ID or lower-cased email.
	people := make(map[string]string, len(c.People))
	for k, v := range c.People {
		login := strings.TrimPrefix(strings.TrimSpace(v), "@")
		if login == "" {
			return bad("HINDSIGHT_CONFIG", "people.%s: empty GitHub login", k)
		}
		if strings.Contains(k, "@") {
			k = strings.ToLower(k)
		}
		people[k] = login
	}
	c.People = people
	return nil
}

// writeWindows are the windows of the GitHub write limiter; none when both limits are off.
func (c *config) writeWindows() []redisstore.Window {
	var w []redisstore.Window
	if n := c.GitHub.WriteLimits.PerMinute; n > 0 {
		w = append(w, redisstore.Window{Limit: n, Length: time.Minute})
	}
	if n := c.GitHub.WriteLimits.PerHour; n > 0 {
		w = append(w, redisstore.Window{Limit: n, Length: time.Hour})
	}
	return w
}

func (c *config) githubEnabled() bool { return c.GitHub.Token != "" || c.GitHub.AppID != 0 }

// githubOptions are the GitHub client's options the configuration gives: host, credentials, repository.
func (c *config) githubOptions() github.Options {
	return github.Options{
		BaseURL:              c.GitHub.APIURL,
		Token:                c.GitHub.Token,
		AppID:                c.GitHub.AppID,
		InstallationID:       c.GitHub.InstallationID,
		PrivateKeyPEM:        c.privateKey,
		Repo:                 c.GitHub.Repo,
		BaseBranch:           c.GitHub.BaseBranch,
		MaxCommentCharacters: c.Limits.CommentCharacters,
	}
}

// changeScope says where the changes around an incident are looked for.
func (c *config) changeScope() postmortem.ChangeScope {
	return postmortem.ChangeScope{Services: c.Services, Routes: c.Routes, Window: time.Duration(c.Changes.Window)}
}

func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL: %q", raw)
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("want an http(s) URL with a host, got %q", raw)
	}
	// The API token travels in every request's headers: clear text only where it never leaves the host.
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("want https (http only for a loopback host such as 127.0.0.1 or localhost), got %q", raw)
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// A worker that polls Redis more often than every 10 ms costs Redis more than it saves anyone; one that
// polls less often than every 10 s leaves a resolved incident waiting longer than anyone should.
const (
	minTaskCheckInterval = 10 * time.Millisecond
	maxTaskCheckInterval = 10 * time.Second
)

// openRedis connects to the configured Redis, or says what is wrong with HINDSIGHT_REDIS_URL.
func (c config) openRedis() (redis.UniversalClient, error) {
	rdb, err := redisstore.OpenRedis(c.RedisURL)
	if err != nil {
		return nil, bad("HINDSIGHT_REDIS_URL", "%v", err)
	}
	return rdb, nil
}
