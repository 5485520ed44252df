package main

import (
	"slices"
	"testing"
	"time"
)

func TestChangesConfig(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, wantErr string
		check               func(t *testing.T, c config)
	}{
		{"defaults", "", "", func(t *testing.T, c config) {
			if time.Duration(c.Changes.Window) != 24*time.Hour || len(c.Services) != 0 {
				t.Errorf("window %v, services %v", c.Changes.Window, c.Services)
			}
		}},
		{"set", "changes:\n  window: 6h\nservices:\n  Checkout API:\n    repos: [acme/checkout, acme/web]\n  PSVC001:\n    repos: [acme/ledger]\nroutes:\n  - teams: [Payments]\n    repos: [acme/payments]\n", "",
			func(t *testing.T, c config) {
				if time.Duration(c.Changes.Window) != 6*time.Hour {
					t.Errorf("window = %v", c.Changes.Window)
				}
				if !slices.Equal(c.Services["Checkout API"].Repos, []string{"acme/checkout", "acme/web"}) || !slices.Equal(c.Services["PSVC001"].Repos, []string{"acme/ledger"}) {
					t.Errorf("services = %+v", c.Services)
				}
				if !slices.Equal(c.Routes[0].Repos, []string{"acme/payments"}) {
					t.Errorf("routes = %+v", c.Routes)
				}
			}},
		{"bad service repo", "services:\n  Checkout API:\n    repos: [checkout]\n", `services.Checkout API.repos[0]: want owner/name, got "checkout"`, nil},
		{"bad route repo", "routes:\n  - services: [X]\n    repos: [https://github.com/acme/x]\n", "routes[0].repos[0]: want owner/name", nil},
		{"unknown service key", "services:\n  Checkout API:\n    repo: [acme/x]\n", "services.Checkout API.repo: unknown key (did you mean repos?)", nil},
		{"window too short", "changes:\n  window: 10s\n", "changes.window: want at least 1m and at most 168h0m0s, got 10s", nil},
		{"window too long", "changes:\n  window: 30d\n", "changes.window: want at least 1m", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, ok := loadYAML(t, tc.yaml, tc.wantErr)
			if !ok {
				return
			}
			tc.check(t, cfg)
		})
	}
}
