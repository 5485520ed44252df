// Package deploy holds the files that run Hindsight: the compose file, Redis's configuration, the
// Kubernetes base and the monitoring rules. Its tests check them offline.
package deploy

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// loadCompose loads docker-compose.yml as `docker compose config` does: checked against the Compose
// specification's schema, variables interpolated from env.
func loadCompose(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	var pairs []string
	for k, v := range env {
		pairs = append(pairs, k+"="+v)
	}
	opts, err := cli.NewProjectOptions([]string{"docker-compose.yml"}, cli.WithName("hindsight"), cli.WithEnv(pairs))
	if err != nil {
		t.Fatal(err)
	}
	return opts.LoadProject(context.Background())
}

// readmeVariables are the HINDSIGHT_ variables the README lists for running Hindsight (test-only ones
// left out).
func readmeVariables(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var vars []string
	for _, v := range regexp.MustCompile(`HINDSIGHT_[A-Z_]+[A-Z]`).FindAllString(string(b), -1) {
		if strings.HasPrefix(v, "HINDSIGHT_TEST_") || strings.HasPrefix(v, "HINDSIGHT_BENCH_") || slices.Contains(vars, v) {
			continue
		}
		vars = append(vars, v)
	}
	if len(vars) < 10 {
		t.Fatalf("found only %v in the README", vars)
	}
	return vars
}

func TestComposeRunsHindsightWithEveryVariable(t *testing.T) {
	p, err := loadCompose(t, map[string]string{
		"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": "compose-webhook-secret",
		"HINDSIGHT_ADMIN_TOKEN":               "compose-admin-token-0123456789",
		"HINDSIGHT_GITHUB_WEBHOOK_SECRET":     "compose-github-secret",
	})
	if err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for _, name := range []string{"api", "worker"} {
		s, err := p.GetService(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range readmeVariables(t) {
			if _, ok := s.Environment[v]; !ok {
				t.Errorf("%s: %s is not passed to the container", name, v)
			}
		}
		if got := s.Environment["HINDSIGHT_GITHUB_WEBHOOK_SECRET"]; got == nil || *got != "compose-github-secret" {
			t.Errorf("%s: HINDSIGHT_GITHUB_WEBHOOK_SECRET = %v, want the value from the environment", name, got)
		}
		if s.StopGracePeriod == nil || time.Duration(*s.StopGracePeriod) <= 25*time.Second {
			t.Errorf("%s: stop_grace_period %v, want more than Hindsight's 25 s drain", name, s.StopGracePeriod)
		}
		if s.HealthCheck == nil || !slices.Equal(s.HealthCheck.Test, types.HealthCheckTest{"CMD", "/hindsight", "healthcheck"}) {
			t.Errorf("%s: health check %v, want the healthcheck command", name, s.HealthCheck)
		}
		if s.DependsOn["redis"].Condition != types.ServiceConditionHealthy {
			t.Errorf("%s: does not wait for a healthy Redis", name)
		}
		if !slices.Contains(s.Command, "--role") {
			t.Errorf("%s: command %v names no role", name, s.Command)
		}
	}
	if w, _ := p.GetService("worker"); w.Deploy == nil || w.Deploy.Replicas == nil || *w.Deploy.Replicas != 2 {
		t.Errorf("worker: want 2 replicas")
	}
	api, _ := p.GetService("api")
	for _, port := range api.Ports {
		if port.Target == 9090 && port.HostIP != "127.0.0.1" {
			t.Errorf("the admin port is published on %q, want 127.0.0.1 only", port.HostIP)
		}
	}

	redis, err := p.GetService("redis")
	if err != nil {
		t.Fatal(err)
	}
	var dataVolume bool
	for _, v := range redis.Volumes {
		dataVolume = dataVolume || (v.Type == types.VolumeTypeVolume && v.Target == "/data")
	}
	if !dataVolume || !slices.Contains(redis.Command, "/data") {
		t.Errorf("redis keeps its data outside a named volume: volumes %v, command %v", redis.Volumes, redis.Command)
	}
	conf, err := os.ReadFile("redis.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"appendonly yes", "maxmemory-policy noeviction"} {
		if !strings.Contains(string(conf), "\n"+want) {
			t.Errorf("redis.conf lacks %q", want)
		}
	}
}

func TestComposeRefusesToStartWithoutTheRequiredSecrets(t *testing.T) {
	_, err := loadCompose(t, map[string]string{"HINDSIGHT_ADMIN_TOKEN": "compose-admin-token-0123456789"})
	if err == nil || !strings.Contains(err.Error(), "PagerDuty webhook subscription secret") {
		t.Errorf("without the webhook secret: %v, want an error asking for it", err)
	}
	_, err = loadCompose(t, map[string]string{"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": "s"})
	if err == nil || !strings.Contains(err.Error(), "HINDSIGHT_ADMIN_TOKEN") {
		t.Errorf("without the admin token: %v, want an error asking for it", err)
	}
}
