package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// minSecretBytes is the shortest webhook secret Hindsight accepts: anything shorter can be guessed, and
// an empty one lets anybody sign a delivery.
const minSecretBytes = 16

// secretSources remember whether each webhook secret came from the environment or the configuration file,
// so that a bad one stops the start with an error naming the setting a person has to change.
type secretSources struct {
	pagerDutyFromEnv, gitHubFromEnv bool
	// gitHubInFile says github.webhook_secret is in the file, even empty: an empty string there is a
	// mistake, not an absence.
	gitHubInFile bool
}

// fromFile notes which secrets the configuration file sets.
func (s *secretSources) fromFile(data []byte) error {
	var present struct {
		GitHub struct {
			WebhookSecret yaml.Node `yaml:"webhook_secret"`
		} `yaml:"github"`
	}
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&present); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	s.gitHubInFile = present.GitHub.WebhookSecret.Kind != 0
	return nil
}

// fromEnv applies HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS and HINDSIGHT_GITHUB_WEBHOOK_SECRET. A variable that is
// set but blank, or a list with an empty entry, is an error rather than "not set".
func (s *secretSources) fromEnv(getenv func(string) string, pagerDuty *[]string, gitHub *string) error {
	if v := getenv("HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS"); v != "" {
		var secrets []string
		for i, one := range strings.Split(v, ",") {
			one = strings.TrimSpace(one)
			if one == "" {
				return bad("HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS", "entry %d is empty or blank", i+1)
			}
			secrets = append(secrets, one)
		}
		*pagerDuty, s.pagerDutyFromEnv = secrets, true
	}
	if v := getenv("HINDSIGHT_GITHUB_WEBHOOK_SECRET"); v != "" {
		if strings.TrimSpace(v) == "" {
			return bad("HINDSIGHT_GITHUB_WEBHOOK_SECRET", "is blank")
		}
		*gitHub, s.gitHubFromEnv = strings.TrimSpace(v), true
	}
	return nil
}

// check refuses an empty, blank or short webhook secret. The error never contains the secret itself.
func (s *secretSources) check(pagerDuty []string, gitHub string) error {
	for i, secret := range pagerDuty {
		if problem := secretProblem(secret); problem != "" {
			if s.pagerDutyFromEnv {
				return bad("HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS", "entry %d %s", i+1, problem)
			}
			return bad("HINDSIGHT_CONFIG", "pagerduty.webhook_secrets[%d] %s", i, problem)
		}
	}
	if gitHub == "" && !s.gitHubInFile && !s.gitHubFromEnv {
		return nil // GitHub webhooks are optional: without a secret every delivery is refused
	}
	if problem := secretProblem(gitHub); problem != "" {
		if s.gitHubFromEnv {
			return bad("HINDSIGHT_GITHUB_WEBHOOK_SECRET", "%s", problem)
		}
		return bad("HINDSIGHT_CONFIG", "github.webhook_secret %s", problem)
	}
	return nil
}

func secretProblem(secret string) string {
	switch {
	case strings.TrimSpace(secret) == "":
		return "is empty or blank"
	case len(secret) < minSecretBytes:
		return "is shorter than 16 bytes: use a long random secret"
	}
	return ""
}

// isLoopbackHost reports whether host names this machine: localhost or a loopback IP address.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// yamlValue matches the values yaml.v3 quotes in its errors ("cannot unmarshal !!str `…` into …").
var yamlValue = regexp.MustCompile("`[^`]*`")

// withoutValues removes the quoted values from a YAML decoding error: the value may be a secret put under
// the wrong key or with the wrong type.
func withoutValues(msg string) string { return yamlValue.ReplaceAllString(msg, "a value") }
