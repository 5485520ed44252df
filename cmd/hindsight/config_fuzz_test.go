package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/teamconfig"
)

// FuzzConfigYAML loads arbitrary YAML as the configuration file: it is accepted, or refused with an error
// that names the setting, never a panic.
func FuzzConfigYAML(f *testing.F) {
	f.Add("policy:\n  rules:\n    - priorities: [P1]\n      required: true\npeople:\n  PUSERA1: '@ana'\nlog:\n  format: text\n")
	f.Add("github:\n  write_limits:\n    per_minute: -1\nroutes:\n  - repo: a/b\n")
	f.Add("reminders:\n  every: 30m\nevents:\n  retention: 1y\n")
	f.Add("worker: {concurrency: 0}\nunknown: 1\n")
	f.Add("&a [*a]")
	f.Add("distribution:\n  internal: [a@example.com]\n  reply_to: a@example.com\n  chat: {internal: 'http://x'}\nroutes:\n  - teams: [T]\n    distribution: {customers: [b]}\n")
	f.Fuzz(func(t *testing.T, yaml string) {
		path := filepath.Join(t.TempDir(), "hindsight.yaml")
		if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"HINDSIGHT_CONFIG": path}
		_, err := loadConfig(func(k string) string { return env[k] })
		if err == nil {
			return
		}
		var se *settingError
		if !errors.As(err, &se) || se.setting == "" {
			t.Errorf("error %q names no setting", err)
		}
	})
}

// FuzzTeamFile builds arbitrary text as the repository's .github/hindsight.yml over the default
// configuration: it builds, or is refused with a one-line error, never a panic, and a refused secret is
// never repeated.
func FuzzTeamFile(f *testing.F) {
	f.Add(teamFileText)
	f.Add("github:\n  token: ghp_secretvalue\n")
	f.Add("people:\n  PX: ''\npolicy: {}\n")
	f.Add("templates:\n  directory: ../../etc\nlint:\n  public_hosts: [a]\n")
	f.Add("&a [*a]")
	build := teamBuild(defaultConfig())
	f.Fuzz(func(t *testing.T, file string) {
		_, err := build(teamconfig.Snapshot{Present: true, File: file})
		if err == nil {
			return
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("error on more than one line: %q", err)
		}
		if strings.Contains(file, "ghp_secretvalue") && strings.Contains(err.Error(), "ghp_secretvalue") {
			t.Errorf("error repeats a secret: %q", err)
		}
	})
}
