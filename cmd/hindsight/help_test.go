package main

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func runArgs(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut strings.Builder
	err = run(context.Background(), append([]string{"hindsight"}, args...), func(k string) string { return env[k] }, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestCommandHelp(t *testing.T) {
	tests := []struct {
		args  []string
		flags []string // "--name … (default: value)"
	}{
		{[]string{"serve", "-h"}, []string{"--role string", "(default: all)"}},
		{[]string{"preview", "--help"}, []string{"--from string", "--incident string", "--roles\n", "(default: none)", "(default: false)"}},
		{[]string{"replay", "-h"}, []string{"--incident string", "--since string", "--until string", "--service value"}},
		{[]string{"lint", "-h"}, []string{"--format string", "(default: text)", "--words string"}},
		{[]string{"send", "-h"}, []string{"--to string", "--secret string"}},
		{[]string{"config", "check", "-h"}, []string{"--role string", "(default: all)"}},
		{[]string{"help", "serve"}, []string{"--role string"}},
		{[]string{"version", "-h"}, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, err := runArgs(t, nil, tt.args...)
			if err != nil || errOut != "" {
				t.Fatalf("error %v, stderr %q: want exit 0", err, errOut)
			}
			name := tt.args[0]
			if name == "help" {
				name = tt.args[1]
			}
			if !strings.HasPrefix(out, "usage: hindsight "+name) {
				t.Errorf("usage does not start with the synopsis:\n%s", out)
			}
			for _, want := range tt.flags {
				if !strings.Contains(out, want) {
					t.Errorf("usage lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "flag: help requested") {
				t.Error("usage says flag: help requested")
			}
		})
	}
}

func TestCommandList(t *testing.T) {
	out, errOut, err := runArgs(t, nil, "help")
	if err != nil || errOut != "" {
		t.Fatalf("help: error %v, stderr %q", err, errOut)
	}
	for _, c := range commands {
		if !strings.Contains(out, "\n  "+c.name+" ") {
			t.Errorf("help does not list %s on a line of its own:\n%s", c.name, out)
		}
	}
	bare, listing, err := runArgs(t, nil)
	var ue usageError
	if !errors.As(err, &ue) || bare != "" || listing != out {
		t.Errorf("bare hindsight: error %v, stdout %q, stderr %q: want exit 2 and the same listing on stderr", err, bare, listing)
	}
	if _, _, err := runArgs(t, nil, "frobnicate"); !errors.As(err, &ue) || !strings.Contains(err.Error(), "hindsight help") {
		t.Errorf("unknown command: %v", err)
	}
}

func TestConfigKeyErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"typo in a nested key", "github:\n  repo: acme/x\n  reviewerz: [a]\n", "line 3: github.reviewerz: unknown key (did you mean reviewers?)"},
		{"typo at the top", "polcy:\n  default: skip\n", "line 1: polcy: unknown key (did you mean policy?)"},
		{"typo in a list item", "routes:\n  - services: [a]\n  - servics: [b]\n", "line 3: routes[1].servics: unknown key (did you mean services?)"},
		{"typo in a policy rule", "policy:\n  rules:\n    - priority: [P1]\n      postmortem: required\n", "line 3: policy.rules[0].priority: unknown key (did you mean priorities?)"},
		{"wrong case", "log:\n  Format: text\n", "line 2: log.Format: unknown key (did you mean format?)"},
		{"nothing close", "github:\n  zzz: 1\n", "line 2: github.zzz: unknown key"},
		{"key of a flow mapping", "github:\n  write_limits: {per_day: 10}\n", "line 2: github.write_limits.per_day: unknown key"},
		{"typo in merged keys", "base: &base\n  reviewerz: [a]\ngithub:\n  <<: *base\n", "line 1: base: unknown key"},
		{"typo inside an anchor", "github:\n  <<: &limits\n    reviewerz: [a]\n", "line 3: github.reviewerz: unknown key (did you mean reviewers?)"},
		{"value of the wrong type", "worker:\n  concurrency: ten\n", "line 2"},
		{"not YAML", "github: [\n", "HINDSIGHT_CONFIG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.yaml)
			_, err := loadConfig(func(k string) string {
				if k == "HINDSIGHT_CONFIG" {
					return path
				}
				return ""
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "HINDSIGHT_CONFIG: ") {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
			if tt.name == "nothing close" && strings.Contains(err.Error(), "did you mean") {
				t.Errorf("a guess for a key close to nothing: %v", err)
			}
			if strings.Contains(err.Error(), "struct") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line without Go types", err)
			}
		})
	}
}

func TestConfigCheck(t *testing.T) {
	keyFile := writeConfig(t, "not really a key")
	file := writeConfig(t, "github:\n  reviewers: [sre-lead]\npolicy:\n  rules:\n    - priorities: [P1]\n      postmortem: required\n      due: 36h\n  default: skip\n")
	env := map[string]string{
		"HINDSIGHT_CONFIG":                    file,
		"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": "whsec-one-0123456789, whsec-two-0123456789",
		"HINDSIGHT_PAGERDUTY_TOKEN":           "pd-token-value",
		"HINDSIGHT_GITHUB_TOKEN":              "gh-token-value",
		"HINDSIGHT_GITHUB_REPO":               "acme/postmortems",
		"HINDSIGHT_GITHUB_WEBHOOK_SECRET":     "gh-hook-secret-0123456789",
		"HINDSIGHT_REDIS_URL":                 "redis://hindsight:redis-password@redis.internal:6380/2",
		"HINDSIGHT_ADMIN_TOKEN":               "admin-token-0123456789",
	}
	out, errOut, err := runArgs(t, env, "config", "check")
	if err != nil || errOut != "" {
		t.Fatalf("config check: %v %s", err, errOut)
	}
	for _, secret := range []string{"whsec-one", "whsec-two", "pd-token-value", "gh-token-value", "gh-hook-secret-0123456789", "redis-password", "admin-token-0123456789"} {
		if strings.Contains(out, secret) {
			t.Errorf("the output shows the secret %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{
		"redis_url: redis://hindsight:[redacted]@redis.internal:6380/2",
		"token: '[redacted]'", "- sre-lead", "due: 36h", "repo: acme/postmortems", "retention: 30d", "# GitHub: publishing to acme/postmortems",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}

	dry := map[string]string{"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": "dry-run-secret-0123456789"}
	if out, _, err := runArgs(t, dry, "config", "check"); err != nil || !strings.Contains(out, "dry run") {
		t.Errorf("dry run: %v\n%s", err, out)
	}

	var ue usageError
	var se *settingError
	for _, tt := range []struct {
		name  string
		env   map[string]string
		args  []string
		usage bool
		want  string
	}{
		{"no subcommand", dry, []string{"config"}, true, "config check"},
		{"unknown subcommand", dry, []string{"config", "show"}, true, "config check"},
		{"extra argument", dry, []string{"config", "check", "x"}, true, "unexpected argument"},
		{"bad role", dry, []string{"config", "check", "--role", "both"}, true, "--role"},
		{"API without webhook secrets", nil, []string{"config", "check"}, false, "HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS"},
		{"worker needs no webhook secret", nil, []string{"config", "check", "--role", "worker"}, false, ""},
		{"bad key file", map[string]string{"HINDSIGHT_GITHUB_APP_ID": "1", "HINDSIGHT_GITHUB_APP_INSTALLATION_ID": "2", "HINDSIGHT_GITHUB_APP_PRIVATE_KEY_FILE": keyFile + ".missing"}, []string{"config", "check", "--role", "worker"}, false, "HINDSIGHT_GITHUB_APP_PRIVATE_KEY_FILE"},
		{"unknown key", map[string]string{"HINDSIGHT_CONFIG": writeConfig(t, "worker:\n  concurency: 3\n")}, []string{"config", "check", "--role", "worker"}, false, "line 2: worker.concurency: unknown key (did you mean concurrency?)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runArgs(t, tt.env, tt.args...)
			switch {
			case tt.want == "":
				if err != nil {
					t.Errorf("error %v, want none", err)
				}
			case tt.usage && !errors.As(err, &ue), !tt.usage && !errors.As(err, &se):
				t.Errorf("error %v (%T): want a usage error %v", err, err, tt.usage)
			case !strings.Contains(err.Error(), tt.want):
				t.Errorf("error %q, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestRedactHidesSentinelPasswords(t *testing.T) {
	c := redact(config{RedisURL: "redis-sentinel://:pw-user@s1:26379,s2:26379/mymaster?db=0&sentinel_password=sentinel-secret"})
	if strings.Contains(c.RedisURL, "sentinel-secret") || strings.Contains(c.RedisURL, "pw-user") {
		t.Errorf("redacted URL %q still shows a password", c.RedisURL)
	}
}

func TestRedactURLPassword(t *testing.T) {
	for in, want := range map[string]string{
		"redis://127.0.0.1:6379/0":                             "redis://127.0.0.1:6379/0",
		"redis://:pw@host:6379/0":                              "redis://:[redacted]@host:6379/0",
		"rediss://user:p%40ss@host/1":                          "rediss://user:[redacted]@host/1",
		"redis-sentinel://:pw@s1:26379,s2:26379/mymaster?db=0": "redis-sentinel://:[redacted]@s1:26379,s2:26379/mymaster?db=0",
	} {
		if got := redactURLPassword(in); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
}
