package main

import (
	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
)

// fakesEnv is the environment of a service on redisURL that talks to the PagerDuty and GitHub fakes, with
// the configuration file config ("" for none). Tests set more variables on the map it returns.
func fakesEnv(redisURL string, pd *pagerdutytest.Server, gh *githubtest.Server, config string) map[string]string {
	env := map[string]string{
		"HINDSIGHT_REDIS_URL":                 redisURL,
		"HINDSIGHT_PAGERDUTY_API_URL":         pd.URL(),
		"HINDSIGHT_PAGERDUTY_TOKEN":           pdToken,
		"HINDSIGHT_PAGERDUTY_FROM":            "hindsight@example.com",
		"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret,
		"HINDSIGHT_GITHUB_API_URL":            gh.URL(),
		"HINDSIGHT_GITHUB_TOKEN":              ghToken,
		"HINDSIGHT_GITHUB_REPO":               "acme/postmortems",
	}
	if config != "" {
		env["HINDSIGHT_CONFIG"] = config
	}
	return env
}
