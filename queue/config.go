package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/hibiken/asynq"

	"github.com/hindsight-dev/hindsight/teamconfig"
)

// TypeConfig follows the team's configuration in the postmortem repository: a push to the default branch
// puts a valid .github/hindsight.yml in force; a pull request gets the hindsight/config status.
const TypeConfig = "github:config"

// ConfigEvent is the payload of TypeConfig: a push to the default branch (Push), or a pull request that is
// not a postmortem opened, reopened or pushed to.
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

func (e ConfigEvent) taskType() string { return TypeConfig }
func (e ConfigEvent) delivery() string { return e.DeliveryID }

// TeamRules keeps the team's configuration in force and checks changes to it (see teamconfig.Loader).
type TeamRules interface {
	Refresh(ctx context.Context, sha string) (teamconfig.Result, error)
	CheckPullRequest(ctx context.Context, headSHA, base string) (teamconfig.Result, bool, error)
}

// ConfigJobs runs TypeConfig tasks for the configured postmortem repository; events of any other
// repository are ignored.
type ConfigJobs struct {
	Rules  TeamRules
	Repo   string
	Logger *slog.Logger
}

// ProcessTask implements asynq.Handler.
func (j *ConfigJobs) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var e ConfigEvent
	if err := json.Unmarshal(t.Payload(), &e); err != nil || e.Repo == "" || e.SHA == "" {
		return fmt.Errorf("decode %s task: the payload names no repository or commit: %w", t.Type(), errors.Join(err, asynq.SkipRetry))
	}
	log := j.Logger.With("delivery_id", e.DeliveryID, "event", "config", "repo", e.Repo, "sha", e.SHA)
	if !strings.EqualFold(e.Repo, j.Repo) {
		log.Info("not the repository the configuration lives in; ignored")
		return nil
	}
	if e.Push {
		if !teamconfig.Touches(e.Paths, e.Truncated) {
			return nil
		}
		res, err := j.Rules.Refresh(ctx, e.SHA)
		if err == nil {
			log.Info("team configuration read again", "valid", res.Valid, "changes", strings.Join(res.Changes, ","))
		}
		return err
	}
	res, checked, err := j.Rules.CheckPullRequest(ctx, e.SHA, e.BaseRef)
	if err == nil && checked {
		log.Info("team configuration change checked", "number", e.Number, "valid", res.Valid, "changes", strings.Join(res.Changes, ","))
	}
	return err
}
