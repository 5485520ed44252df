package main

import (
	"slices"
	"testing"
	"time"
)

func TestFactsAndUserLookupConfig(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, wantErr string
		check               func(t *testing.T, c config)
	}{
		{"defaults", "", "", func(t *testing.T, c config) {
			if !slices.Equal(c.Facts.MitigatedPrefixes, []string{"Mitigated:"}) || !slices.Equal(c.Facts.ImpactStartPrefixes, []string{"Impact started:"}) {
				t.Errorf("facts = %+v", c.Facts)
			}
			if time.Duration(c.PagerDuty.UserCacheTTL) != 24*time.Hour || c.PagerDuty.UserLookups != 50 {
				t.Errorf("user lookups: ttl %v, %d per incident", c.PagerDuty.UserCacheTTL, c.PagerDuty.UserLookups)
			}
		}},
		{"set", "facts:\n  mitigated_prefixes: [\"Mitigated:\", \"Mitigation:\"]\n  impact_start_prefixes: [\"Impact:\"]\n  mitigated_field: mitigated_at\npagerduty:\n  user_cache_ttl: 2h\n  user_lookups: 5\n", "",
			func(t *testing.T, c config) {
				if len(c.Facts.MitigatedPrefixes) != 2 || c.Facts.ImpactStartPrefixes[0] != "Impact:" || c.Facts.MitigatedField != "mitigated_at" {
					t.Errorf("facts = %+v", c.Facts)
				}
				if time.Duration(c.PagerDuty.UserCacheTTL) != 2*time.Hour || c.PagerDuty.UserLookups != 5 {
					t.Errorf("user lookups: ttl %v, %d per incident", c.PagerDuty.UserCacheTTL, c.PagerDuty.UserLookups)
				}
			}},
		{"empty prefix", "facts:\n  mitigated_prefixes: [\"  \"]\n", "facts.mitigated_prefixes[0]: empty prefix", nil},
		{"short ttl", "pagerduty:\n  user_cache_ttl: 10s\n", "pagerduty.user_cache_ttl", nil},
		{"no lookups", "pagerduty:\n  user_lookups: 0\n", "pagerduty.user_lookups", nil},
		{"unknown key", "facts:\n  mitigation_prefix: x\n", "mitigation_prefix", nil},
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

func TestPeopleByEmail(t *testing.T) {
	if peopleByEmail(map[string]string{"PXPGF42": "earline"}) {
		t.Error("IDs alone need no user lookups")
	}
	if !peopleByEmail(map[string]string{"PXPGF42": "earline", "bob@example.com": "bob"}) {
		t.Error("an email key needs user lookups")
	}
}
