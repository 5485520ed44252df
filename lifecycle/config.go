package lifecycle

import (
	"context"
	"log/slog"
	"slices"
	"strings"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// ConfigEvent is a push to the postmortem repository's default branch (Push), or a pull request that is
// not a postmortem opened, reopened or pushed to: either may change the team's rules.
type ConfigEvent struct {
	DeliveryID string
	Repo       string
	Push       bool `json:",omitempty"`
	// SHA is the commit pushed, or the pull request's head; Number and BaseRef are the pull request's.
	SHA     string
	Number  int    `json:",omitempty"`
	BaseRef string `json:",omitempty"`
	// Paths are the files the push changed; Truncated is true when the push may have changed more.
	Paths     []string `json:",omitempty"`
	Truncated bool     `json:",omitempty"`
}

// Delivery implements GitHubEvent.
func (e ConfigEvent) Delivery() string { return e.DeliveryID }

// Target implements GitHubEvent: a push has no number.
func (e ConfigEvent) Target() (string, int) { return e.Repo, e.Number }

// touchesRules reports whether a push may change the rules: the file, or a template. A push whose list of
// commits may be cut short is taken to.
func (e ConfigEvent) touchesRules() bool {
	return e.Truncated || slices.ContainsFunc(e.Paths, func(p string) bool {
		return p == postmortem.RulesPath || strings.HasSuffix(p, postmortem.TemplateExt)
	})
}

// Configs follows the team's rules in the postmortem repository: a push to the default branch puts a valid
// .github/hindsight.yml in force (or says why it is not); a pull request that changes it gets the
// hindsight/config status. Events of any other repository are ignored.
type Configs struct {
	Rules  postmortem.TeamRules
	Repo   string
	Logger *slog.Logger
}

// Handle acts on a push or a pull request.
func (j *Configs) Handle(ctx context.Context, e ConfigEvent) error {
	log := logger(ctx, j.Logger).With("delivery_id", e.DeliveryID, "event", "config", "repo", e.Repo, "sha", e.SHA)
	if !strings.EqualFold(e.Repo, j.Repo) {
		log.Info("not the repository the team's rules live in; ignored")
		return nil
	}
	if e.Push {
		if !e.touchesRules() {
			return nil
		}
		res, err := j.Rules.Refresh(ctx, e.SHA)
		if err == nil {
			log.Info("team rules read again", "valid", res.Valid, "changes", strings.Join(res.Changes, ","))
		}
		return err
	}
	res, checked, err := j.Rules.CheckPullRequest(ctx, e.SHA, e.BaseRef)
	if err == nil && checked {
		log.Info("change of the team rules checked", "number", e.Number, "valid", res.Valid, "changes", strings.Join(res.Changes, ","))
	}
	return err
}
