package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// startError runs `hindsight serve` with env and returns what it wrote to stderr and its error.
func startError(t *testing.T, env map[string]string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, ok := env["HINDSIGHT_OUTPUT_DIR"]; !ok {
		env["HINDSIGHT_OUTPUT_DIR"] = t.TempDir()
	}
	var stderr bytes.Buffer
	err := run(ctx, []string{"hindsight", "serve"}, func(k string) string { return env[k] }, &stderr, &stderr)
	return stderr.String(), err
}

func TestWeakWebhookSecretsStopTheStart(t *testing.T) {
	const long = "a-long-enough-webhook-secret"
	tests := []struct {
		name    string
		env     map[string]string
		yaml    string
		setting string
		detail  string
	}{
		{"short PagerDuty secret in env", map[string]string{"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": "tiny-pw"}, "", "HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS", "entry 1 is shorter than 16 bytes"},
		{"blank PagerDuty entry in env", map[string]string{"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": long + ", "}, "", "HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS", "entry 2 is empty or blank"},
		{"blank PagerDuty list in env", map[string]string{"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": "   "}, "", "HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS", "entry 1 is empty or blank"},
		{"empty PagerDuty secret in YAML", nil, "pagerduty:\n  webhook_secrets: [\"" + long + "\", \"\"]\n", "HINDSIGHT_CONFIG", "pagerduty.webhook_secrets[1] is empty or blank"},
		{"blank PagerDuty secret in YAML", nil, "pagerduty:\n  webhook_secrets: [\"   \"]\n", "HINDSIGHT_CONFIG", "pagerduty.webhook_secrets[0] is empty or blank"},
		{"short PagerDuty secret in YAML", nil, "pagerduty:\n  webhook_secrets: [\"0123456789abcde\"]\n", "HINDSIGHT_CONFIG", "pagerduty.webhook_secrets[0] is shorter than 16 bytes"},
		{"short GitHub secret in env", map[string]string{"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": long, "HINDSIGHT_GITHUB_WEBHOOK_SECRET": "hunter2"}, "", "HINDSIGHT_GITHUB_WEBHOOK_SECRET", "shorter than 16 bytes"},
		{"blank GitHub secret in env", map[string]string{"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": long, "HINDSIGHT_GITHUB_WEBHOOK_SECRET": " \t"}, "", "HINDSIGHT_GITHUB_WEBHOOK_SECRET", "blank"},
		{"empty GitHub secret in YAML", map[string]string{"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": long}, "github:\n  webhook_secret: \"\"\n", "HINDSIGHT_CONFIG", "github.webhook_secret is empty or blank"},
		{"secret of the wrong type in YAML", nil, "pagerduty:\n  webhook_secrets: hunter2\n", "HINDSIGHT_CONFIG", "cannot unmarshal"},
		{"short GitHub secret in YAML", map[string]string{"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": long}, "github:\n  webhook_secret: hunter2\n", "HINDSIGHT_CONFIG", "github.webhook_secret is shorter than 16 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"HINDSIGHT_LISTEN_ADDR": "127.0.0.1:0"}
			for k, v := range tt.env {
				env[k] = v
			}
			if tt.yaml != "" {
				env["HINDSIGHT_CONFIG"] = writeConfig(t, tt.yaml)
			}
			_, err := startError(t, env)
			if err == nil {
				t.Fatal("serve started, want a configuration error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, tt.setting+":") || !strings.Contains(msg, tt.detail) {
				t.Errorf("error %q, want one line starting %q and saying %q", msg, tt.setting+":", tt.detail)
			}
			for _, secret := range []string{"tiny-pw", "hunter2", "0123456789abcde"} {
				if strings.Contains(tt.yaml+tt.env["HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS"]+tt.env["HINDSIGHT_GITHUB_WEBHOOK_SECRET"], secret) && strings.Contains(msg, secret) {
					t.Errorf("error %q quotes the secret", msg)
				}
			}
		})
	}
}

func TestRedisPasswordNeverInErrors(t *testing.T) {
	const password = "s3cr3t-Redis-pw"
	for _, raw := range []string{
		"redis://default:" + password + "@redis.internal:63 79/0",
		"redis://default:" + password + "@redis.internal:port/0",
		"redis://:" + password + "@redis.internal:6379/notadb",
		"rediss://user:" + password + "@[::1/0",
		"redis-sentinel://:" + password + "@sentinel:26379/?sentinel_password=" + password + "x",
		"redis-sentinel://:" + password + "@sentinel:26379/mymaster?db=x%zz&sentinel_password=" + password,
		"redis://default:" + strings.ReplaceAll(password, "-", "%2D") + "@redis.internal:bad/0",
	} {
		stderr, err := startError(t, map[string]string{"HINDSIGHT_REDIS_URL": raw, "HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": "a-long-enough-webhook-secret", "HINDSIGHT_LISTEN_ADDR": "127.0.0.1:0"})
		if err == nil {
			t.Errorf("%s: serve started, want an error", raw)
			continue
		}
		text := err.Error() + stderr
		if !strings.HasPrefix(err.Error(), "HINDSIGHT_REDIS_URL:") {
			t.Errorf("error %q does not name HINDSIGHT_REDIS_URL", err)
		}
		if strings.Contains(text, password) || strings.Contains(text, "s3cr3t%2DRedis") {
			t.Errorf("error %q shows the password", err)
		}
	}
}

func TestClearTextAPIURLsOnlyForLoopback(t *testing.T) {
	for _, tc := range []struct {
		url     string
		refused bool
	}{
		{"http://api.pagerduty.example/", true},
		{"http://10.0.0.7:8080", true},
		{"http://127.0.0.1:8080", false},
		{"http://localhost:9000/api/", false},
		{"http://[::1]:9000", false},
		{"https://api.example.com", false},
	} {
		for _, setting := range []string{"HINDSIGHT_PAGERDUTY_API_URL", "HINDSIGHT_GITHUB_API_URL"} {
			c := defaultConfig()
			err := c.applyEnv(func(k string) string {
				if k == setting {
					return tc.url
				}
				return ""
			})
			if err == nil {
				err = c.validate()
			}
			switch {
			case tc.refused && (err == nil || !strings.HasPrefix(err.Error(), setting+": want https")):
				t.Errorf("%s=%s: %v, want refused naming the setting", setting, tc.url, err)
			case !tc.refused && err != nil:
				t.Errorf("%s=%s: %v, want accepted", setting, tc.url, err)
			}
		}
	}
}

func TestLimitsAreChecked(t *testing.T) {
	for yaml, want := range map[string]string{
		"limits:\n  log_entries: 0\n":            "limits.log_entries: want a positive number",
		"limits:\n  action_items: -1\n":          "limits.action_items: want a positive number",
		"limits:\n  comment_characters: 70000\n": "limits.comment_characters: want 1000 to 65536",
	} {
		_, err := startError(t, map[string]string{"HINDSIGHT_CONFIG": writeConfig(t, yaml), "HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": "a-long-enough-webhook-secret", "HINDSIGHT_LISTEN_ADDR": "127.0.0.1:0"})
		if err == nil || !strings.HasPrefix(err.Error(), "HINDSIGHT_CONFIG: "+want) {
			t.Errorf("%q: %v, want %q", yaml, err, want)
		}
	}
	c := defaultConfig()
	if c.Limits.LogEntries != 100_000 || c.Limits.ActionItems != 50 || c.Limits.CommentCharacters != 65536 {
		t.Errorf("default limits %+v", c.Limits)
	}
}
