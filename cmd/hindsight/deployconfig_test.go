package main

import (
	"path/filepath"
	"testing"
)

// The configuration the Kubernetes base mounts is one serve accepts, with the variables its Secret holds.
func TestKubernetesConfigLoads(t *testing.T) {
	env := map[string]string{
		"HINDSIGHT_CONFIG":                    filepath.Join("..", "..", "deploy", "kubernetes", "hindsight.yaml"),
		"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret,
		"HINDSIGHT_ADMIN_TOKEN":               adminToken,
	}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ListenAddr != ":8080" || cfg.Admin.Addr != ":9090" || cfg.OutputDir != "/tmp/hindsight-out" {
		t.Errorf("listen %q, admin %q, output %q", cfg.ListenAddr, cfg.Admin.Addr, cfg.OutputDir)
	}
	delete(env, "HINDSIGHT_ADMIN_TOKEN")
	if _, err := loadConfig(func(k string) string { return env[k] }); err == nil {
		t.Error("the admin listener on :9090 started without a token")
	}
}
