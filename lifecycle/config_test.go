package lifecycle_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/hindsight-dev/hindsight/lifecycle"
	"github.com/hindsight-dev/hindsight/postmortem"
)

// recordedRules records what the configuration job asks of the team's rules.
type recordedRules struct {
	postmortem.FixedRules
	refreshed, checked []string
	err                error
}

func (r *recordedRules) Refresh(_ context.Context, sha string) (postmortem.RulesChange, error) {
	r.refreshed = append(r.refreshed, sha)
	return postmortem.RulesChange{Valid: true}, r.err
}

func (r *recordedRules) CheckPullRequest(_ context.Context, head, base string) (postmortem.RulesChange, bool, error) {
	r.checked = append(r.checked, head+".."+base)
	return postmortem.RulesChange{Valid: true}, true, r.err
}

func TestConfigs(t *testing.T) {
	rules := &recordedRules{}
	j := &lifecycle.Configs{Rules: rules, Repo: "acme/pm", Logger: slog.New(slog.DiscardHandler)}
	ctx := context.Background()
	for _, e := range []lifecycle.ConfigEvent{
		{Repo: "acme/pm", Push: true, SHA: "a1", Paths: []string{"postmortems/x.md"}},             // not the rules
		{Repo: "acme/pm", Push: true, SHA: "a2", Paths: []string{".github/hindsight.yml"}},        // the file
		{Repo: "acme/pm", Push: true, SHA: "a3", Paths: []string{"tmpl/full.md.tmpl"}},            // a template
		{Repo: "acme/pm", Push: true, SHA: "a4", Truncated: true},                                 // maybe
		{Repo: "acme/elsewhere", Push: true, SHA: "a5", Paths: []string{".github/hindsight.yml"}}, // not the configured repository
		{Repo: "ACME/pm", SHA: "h1", Number: 3, BaseRef: "main"},                                  // a pull request
	} {
		if err := j.Handle(ctx, e); err != nil {
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
	if err := j.Handle(ctx, lifecycle.ConfigEvent{Repo: "acme/pm", SHA: "h2", BaseRef: "main"}); err == nil {
		t.Error("an error reading GitHub is not returned for a retry")
	}
}
