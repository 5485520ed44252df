package main

import (
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/redisstore"
)

func TestWriteLimitsConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		yaml    string
		want    []redisstore.Window
		wantErr string
	}{
		{"defaults", "", []redisstore.Window{{Limit: 80, Length: time.Minute}, {Limit: 500, Length: time.Hour}}, ""},
		{"both set", "github:\n  write_limits: {per_minute: 40, per_hour: 300}\n",
			[]redisstore.Window{{Limit: 40, Length: time.Minute}, {Limit: 300, Length: time.Hour}}, ""},
		{"minute off", "github:\n  write_limits: {per_minute: 0}\n", []redisstore.Window{{Limit: 500, Length: time.Hour}}, ""},
		{"both off", "github:\n  write_limits: {per_minute: 0, per_hour: 0}\n", nil, ""},
		{"negative", "github:\n  write_limits: {per_hour: -1}\n", nil, "github.write_limits.per_hour"},
		{"unknown key", "github:\n  write_limits: {per_day: 10}\n", nil, "per_day"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, ok := loadYAML(t, tc.yaml, tc.wantErr)
			if !ok {
				return
			}
			got := cfg.writeWindows()
			if len(got) != len(tc.want) {
				t.Fatalf("windows = %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("windows = %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestWriteLimiterName(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"https://api.github.com/", "Acme/Postmortems"}:         "api.github.com/acme/postmortems",
		{"https://ghe.example.com/api/v3/", "acme/postmortems"}: "ghe.example.com/acme/postmortems",
	} {
		if got := writeLimiterName(in[0], in[1]); got != want {
			t.Errorf("writeLimiterName(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}
