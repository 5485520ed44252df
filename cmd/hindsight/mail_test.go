package main

import (
	"strings"
	"testing"
)

func TestSMTPURLIsCheckedWithoutShowingItsPassword(t *testing.T) {
	const password = "m@il-Pa55/word"
	enc := strings.NewReplacer("@", "%40", "/", "%2F").Replace(password)
	for _, tt := range []struct{ url, detail string }{
		{"smtp://hindsight:" + enc + "@mail.example.com:587", "?from=ADDRESS"},
		{"smtp://hindsight:" + enc + "@mail.example.com:587?from=not-an-address", "not an email address"},
		{"imap://hindsight:" + enc + "@mail.example.com?from=pm@example.com", "want smtp (STARTTLS) or smtps (TLS)"},
		{"smtps://hindsight:" + enc + "@mail.example.com:99999?from=pm@example.com", "port"},
		{"smtp://hindsight@mail.example.com?from=pm@example.com", "both a user and a password"},
		{"smtp://hindsight:" + enc + "@mail.example.com?from=pm@example.com&tls=off", `"tls"`},
		{"smtp://hindsight:" + password + "@mail.example.com:bad?from=pm@example.com", "%2F"},
		{"smtp://hindsight:pass%zz@mail.example.com?from=pm@example.com", "not a URL"},
		{"smtp://:" + enc + "@?from=pm@example.com", "no host"},
	} {
		env := map[string]string{"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret, "HINDSIGHT_SMTP_URL": tt.url}
		_, _, err := runArgs(t, env, "config", "check")
		if err == nil {
			t.Errorf("%s: accepted", tt.url)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "HINDSIGHT_SMTP_URL: ") || !strings.Contains(msg, tt.detail) {
			t.Errorf("%s: %q, want HINDSIGHT_SMTP_URL named and %q", tt.url, msg, tt.detail)
		}
		if strings.Contains(msg, password) || strings.Contains(msg, enc) || strings.Contains(msg, "Pa55") {
			t.Errorf("%s: %q shows the password", tt.url, msg)
		}
	}
}

func TestConfigCheckRedactsMailSecrets(t *testing.T) {
	const password = "m@il-Pa55/word"
	file := writeConfig(t, `distribution:
  internal: [eng-all@example.com]
  customers: [status@example.com]
  reply_to: sre-lead@example.com
  chat:
    internal: https://hooks.slack.com/services/T0/B0/internal-hook-secret
routes:
  - services: [Checkout]
    distribution: {internal: [checkout@example.com]}
policy:
  rules:
    - priorities: [P1]
      postmortem: required
      distribution: {internal: [execs@example.com]}
`)
	for _, raw := range []string{
		"smtp://hindsight:" + strings.NewReplacer("@", "%40", "/", "%2F").Replace(password) + "@mail.example.com:587?from=Postmortems+%3Cpm%40example.com%3E",
		"smtps://hindsight:" + strings.ReplaceAll(password, "/", "%2F") + "@mail.example.com?from=pm@example.com",
	} {
		env := map[string]string{"HINDSIGHT_CONFIG": file, "HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret, "HINDSIGHT_SMTP_URL": raw,
			"HINDSIGHT_GITHUB_TOKEN": "gh-token-value", "HINDSIGHT_GITHUB_REPO": "acme/postmortems"}
		out, _, err := runArgs(t, env, "config", "check")
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		for _, secret := range []string{"Pa55", "internal-hook-secret"} {
			if strings.Contains(out, secret) {
				t.Errorf("the output shows %q:\n%s", secret, out)
			}
		}
		for _, want := range []string{"smtp_url: smtp", "hindsight:[redacted]@mail.example.com", "internal: '[redacted]'", "- eng-all@example.com",
			"reply_to: sre-lead@example.com", "- checkout@example.com", "- execs@example.com", "# Mail: merged postmortems are mailed through mail.example.com:"} {
			if !strings.Contains(out, want) {
				t.Errorf("the output lacks %q:\n%s", want, out)
			}
		}
	}
}

func TestDistributionListsAreChecked(t *testing.T) {
	for _, tt := range []struct{ yaml, detail string }{
		{"distribution:\n  internl: [a@example.com]\n", "distribution.internl: unknown key (did you mean internal?)"},
		{"distribution:\n  internal: [not an address]\n", `distribution.internal[0]: want an email address`},
		{"routes:\n  - teams: [Payments]\n    distribution: {customers: [Ops <ops@example.com>]}\n", "routes[0].distribution.customers[0]"},
		{"policy:\n  rules:\n    - postmortem: required\n      distribution: {internal: ['']}\n", "policy.rules[0].distribution.internal[0]"},
		{"distribution:\n  internal: [eng@example.com]\n  reply_to: ENG@example.com\n", "never to the list"},
		{"distribution:\n  chat: {customers: 'http://hooks.example.com/secret-path'}\n", "distribution.chat.customers: want the https URL"},
	} {
		env := map[string]string{"HINDSIGHT_CONFIG": writeConfig(t, tt.yaml), "HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret}
		_, _, err := runArgs(t, env, "config", "check")
		if err == nil || !strings.HasPrefix(err.Error(), "HINDSIGHT_CONFIG: ") || !strings.Contains(err.Error(), tt.detail) {
			t.Errorf("%s: %v, want HINDSIGHT_CONFIG and %q", tt.yaml, err, tt.detail)
		}
		if err != nil && strings.Contains(err.Error(), "secret-path") {
			t.Errorf("%q shows the webhook's URL", err)
		}
	}
}
