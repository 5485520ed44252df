package queue_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/teamconfig"
)

// recordedRules records what the configuration job asks of the team's rules.
type recordedRules struct {
	refreshed, checked []string
	err                error
}

func (r *recordedRules) Refresh(_ context.Context, sha string) (teamconfig.Result, error) {
	r.refreshed = append(r.refreshed, sha)
	return teamconfig.Result{Valid: true}, r.err
}

func (r *recordedRules) CheckPullRequest(_ context.Context, head, base string) (teamconfig.Result, bool, error) {
	r.checked = append(r.checked, head+".."+base)
	return teamconfig.Result{Valid: true}, true, r.err
}

func TestConfigJobs(t *testing.T) {
	rules := &recordedRules{}
	j := &queue.ConfigJobs{Rules: rules, Repo: "acme/pm", Logger: slog.New(slog.DiscardHandler)}
	run := func(e queue.ConfigEvent) error {
		b, _ := json.Marshal(e)
		return j.ProcessTask(context.Background(), asynq.NewTask(queue.TypeConfig, b))
	}
	for _, e := range []queue.ConfigEvent{
		{Repo: "acme/pm", Push: true, SHA: "a1", Paths: []string{"postmortems/x.md"}},             // not the rules
		{Repo: "acme/pm", Push: true, SHA: "a2", Paths: []string{".github/hindsight.yml"}},        // the file
		{Repo: "acme/pm", Push: true, SHA: "a3", Paths: []string{"tmpl/full.md.tmpl"}},            // a template
		{Repo: "acme/pm", Push: true, SHA: "a4", Truncated: true},                                 // maybe
		{Repo: "acme/elsewhere", Push: true, SHA: "a5", Paths: []string{".github/hindsight.yml"}}, // not the configured repository
		{Repo: "ACME/pm", SHA: "h1", Number: 3, BaseRef: "main"},                                  // a pull request
	} {
		if err := run(e); err != nil {
			t.Fatalf("%+v: %v", e, err)
		}
	}
	if got := rules.refreshed; len(got) != 3 || got[0] != "a2" || got[1] != "a3" || got[2] != "a4" {
		t.Errorf("refreshed %v, want a2 a3 a4", got)
	}
	if got := rules.checked; len(got) != 1 || got[0] != "h1..main" {
		t.Errorf("checked %v", got)
	}
	rules.err = errors.New("GitHub answered 502")
	if err := run(queue.ConfigEvent{Repo: "acme/pm", SHA: "h2", BaseRef: "main"}); err == nil {
		t.Error("an error reading GitHub is not returned for a retry")
	}
	if err := run(queue.ConfigEvent{Repo: "acme/pm"}); !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("a payload without a commit: %v, want it archived", err)
	}
}
