package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/queue/queuetest"
)

func TestStats(t *testing.T) {
	rds := queuetest.StartRedis(t)
	now := time.Now()
	seedPostmortems(t, rds.URL, now)
	env := map[string]string{"HINDSIGHT_REDIS_URL": rds.URL}
	stats := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"hindsight", "stats"}, args...), func(k string) string { return env[k] }, &out, &out)
		return out.String(), err
	}

	table, err := stats()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PMERGED1", "POVERDU2", "POPEN003", "overdue", "Payments API", "SERVICE", "WEEK", "5m (n=1)"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}

	out, err := stats("--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, out)
	}
	var payments []string
	for _, r := range rows {
		if r[0] == "service" && r[1] == "Payments API" {
			payments = r
		}
	}
	// Two postmortems; acknowledged in 5 and 12 minutes; one merged a day after resolution; three items
	// opened, one closed.
	if got := strings.Join(payments, ","); got != "service,Payments API,,2,2,510,2,9000,1,86400,3,1" {
		t.Errorf("payments row %q\n%s", got, out)
	}

	since := now.Add(-7 * 24 * time.Hour).Format(time.DateOnly)
	out, err = stats("--since", since, "--format", "csv", "--postmortems")
	if err != nil {
		t.Fatal(err)
	}
	rows, err = csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[1][0] != "POPEN003" || rows[2][0] != "POVERDU2" || rows[2][14] != "overdue" {
		t.Errorf("postmortems since %s:\n%s", since, out)
	}

	for _, args := range [][]string{{"--format", "xml"}, {"--since", "last week"}, {"extra"}} {
		_, err := stats(args...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("stats %v = %v, want a usage error", args, err)
		}
	}

	rds.StopForTest(t)
	if _, err := stats(); err == nil || !strings.Contains(err.Error(), "stats: list postmortems") {
		t.Errorf("Redis down: %v", err)
	}
}
