// Package monitoring holds the Prometheus alert rules and the Grafana dashboard; its tests check that
// they read only metrics Hindsight exports.
package monitoring

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var (
	// metricDefinition finds the names given to Prometheus metrics in Hindsight's code: the Name of an
	// Opts struct or the first argument of NewDesc.
	metricDefinition = regexp.MustCompile(`(?s)(Histogram|Counter|Gauge|Summary)?Opts\{\s*Name:\s*"(hindsight_[a-z0-9_]+)"|NewDesc\(\s*"(hindsight_[a-z0-9_]+)"`)
	metricInQuery    = regexp.MustCompile(`\bhindsight_[a-z0-9_]+`)
)

// exportedMetrics reads every metric name Hindsight's code defines (test files left out), with the series
// names a histogram or summary adds.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	err := filepath.WalkDir(filepath.Join("..", ".."), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != filepath.Join("..", "..") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range metricDefinition.FindAllStringSubmatch(string(src), -1) {
			name := m[2] + m[3]
			names[name] = true
			if m[1] == "Histogram" || m[1] == "Summary" {
				names[name+"_count"], names[name+"_sum"] = true, true
			}
			if m[1] == "Histogram" {
				names[name+"_bucket"] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"hindsight_webhook_deliveries_total", "hindsight_redis_up", "hindsight_queue_tasks"} {
		if !names[want] {
			t.Fatalf("the code scan missed %s: found %v", want, keys(names))
		}
	}
	return names
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkQuery fails the test when query reads no Hindsight metric or one the code does not export.
func checkQuery(t *testing.T, where, query string, exported map[string]bool) {
	t.Helper()
	used := metricInQuery.FindAllString(query, -1)
	if len(used) == 0 {
		t.Errorf("%s: %q reads no Hindsight metric", where, query)
	}
	for _, name := range used {
		if !exported[name] {
			t.Errorf("%s: %s is not a metric Hindsight exports (exported: %v)", where, name, keys(exported))
		}
	}
}

func TestAlertRulesReadExportedMetrics(t *testing.T) {
	exported := exportedMetrics(t)
	b, err := os.ReadFile("alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert, Expr string
				Labels      map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			seen[r.Alert] = true
			checkQuery(t, "alert "+r.Alert, r.Expr, exported)
			if r.Labels["severity"] == "" {
				t.Errorf("alert %s has no severity label", r.Alert)
			}
		}
	}
	for _, want := range []string{"HindsightWebhooksUnavailable", "HindsightPipelinesFailing", "HindsightArchivedTasks",
		"HindsightPostmortemsOverdue", "HindsightGitHubWritesThrottled", "HindsightRedisDown"} {
		if !seen[want] {
			t.Errorf("alert %s is missing", want)
		}
	}
}

func TestDashboardReadsExportedMetrics(t *testing.T) {
	exported := exportedMetrics(t)
	b, err := os.ReadFile("dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dashboard struct {
		UID    string `json:"uid"`
		Title  string `json:"title"`
		Panels []struct {
			ID      int    `json:"id"`
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				RefID string `json:"refId"`
				Expr  string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&dashboard); err != nil {
		t.Fatalf("dashboard.json is not valid JSON: %v", err)
	}
	if dashboard.UID == "" || dashboard.Title == "" || len(dashboard.Panels) == 0 {
		t.Fatalf("dashboard lacks a uid, a title or panels")
	}
	ids := map[int]bool{}
	for _, p := range dashboard.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d used twice", p.ID)
		}
		ids[p.ID] = true
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			checkQuery(t, "panel "+p.Title, q.Expr, exported)
		}
	}
}
