package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/hindsight-dev/hindsight/distribution"
	"github.com/hindsight-dev/hindsight/redisstore"

	"gopkg.in/yaml.v3"
)

const redacted = "[redacted]"

// runConfig runs "config check": it loads and checks the configuration as serve does (file, environment,
// templates, the webhook secrets the API needs) and prints the effective configuration as YAML, secrets
// redacted. An invalid configuration is a failure (exit 1) naming the setting.
func runConfig(_ context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return helpError{commandHelp(newFlags("config"))}
		}
		return usageError{"config: want \"config check\""}
	}
	fl := newFlags("config")
	role := fl.String("role", "all", "check as serve --role all, api or worker would")
	if err := parseFlags(fl, args[1:]); err != nil {
		return err
	}
	api, worker := *role == "all" || *role == "api", *role == "all" || *role == "worker"
	if !api && !worker {
		return usageError{fmt.Sprintf("config check: --role %q: want all, api or worker", *role)}
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if api && len(cfg.PagerDuty.WebhookSecrets) == 0 {
		return bad("HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS", "required to verify PagerDuty webhooks (the secret of the webhook subscription)")
	}
	if _, err := newLogger(cfg, io.Discard); err != nil {
		return err
	}
	if worker {
		if _, err := newComposer(cfg); err != nil {
			return err
		}
	}
	var out strings.Builder
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(redact(cfg)); err != nil {
		return fmt.Errorf("config check: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# configuration valid for serve --role %s\n", *role)
	switch {
	case cfg.githubEnabled():
		fmt.Fprintf(&b, "# GitHub: publishing to %s\n", cfg.GitHub.Repo)
	default:
		fmt.Fprintf(&b, "# GitHub: no credentials, dry run: drafts are written under %s\n", cfg.OutputDir)
	}
	if cfg.PagerDuty.Token == "" {
		b.WriteString("# PagerDuty: no token, timelines are built from webhook events alone\n")
	}
	switch smtp, err := distribution.ParseSMTPURL(cfg.SMTPURL); {
	case cfg.SMTPURL == "":
		b.WriteString("# Mail: no HINDSIGHT_SMTP_URL, merged postmortems are not mailed\n")
	case !cfg.githubEnabled():
		b.WriteString("# Mail: a dry run merges nothing, so nothing is mailed\n")
	case err == nil:
		fmt.Fprintf(&b, "# Mail: merged postmortems are mailed through %s:%d from %s\n", smtp.Host, smtp.Port, smtp.From)
	}
	b.WriteString(out.String())
	_, err = io.WriteString(stdout, b.String())
	return err
}

// redact blanks the configuration's secrets: tokens (the admin token too), webhook secrets, the Redis and
// SMTP passwords and the chat webhooks' URLs.
func redact(c config) config {
	hide := func(s *string) {
		if *s != "" {
			*s = redacted
		}
	}
	hide(&c.PagerDuty.Token)
	hide(&c.GitHub.Token)
	hide(&c.GitHub.WebhookSecret)
	hide(&c.Admin.Token)
	// An incoming webhook's URL is its secret.
	hide(&c.Distribution.Chat.Internal)
	hide(&c.Distribution.Chat.Customers)
	c.SMTPURL = redactSMTPURL(c.SMTPURL)
	secrets := make([]string, len(c.PagerDuty.WebhookSecrets))
	for i := range secrets {
		secrets[i] = redacted
	}
	c.PagerDuty.WebhookSecrets = secrets
	// The user information's password reads as redacted; any other (a sentinel_password) is blanked too.
	c.RedisURL = redisstore.RedactURLSecrets(redactURLPassword(c.RedisURL), c.RedisURL)
	c.privateKey = nil
	return c
}

// userinfoPassword matches the password of a URL's user information, "redis://user:PASSWORD@host".
var userinfoPassword = regexp.MustCompile(`^([a-z][a-z0-9+.-]*://[^:@/]*:)[^@/]*@`)

func redactURLPassword(raw string) string {
	return userinfoPassword.ReplaceAllString(raw, "${1}"+redacted+"@")
}
