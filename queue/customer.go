package queue

import (
	"context"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strings"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// CustomerVersions opens, when a postmortem merges, a second pull request with its customer-facing
// version (see postmortem.WriteCustomerVersion) at Directory/<the postmortem's file name>. A nil
// *CustomerVersions opens none.
type CustomerVersions struct {
	Store *redisstore.Store
	// Files reads the merged postmortem; Publisher opens, or finds, the pull request of the version.
	Files interface {
		File(ctx context.Context, repo, ref, path string) (string, bool, error)
	}
	Publisher   Publisher
	DecodeEvent func(raw []byte) (postmortem.Event, error)
	// Directory is where versions go ("postmortems/public"); Labels and TeamReviewers go on their pull
	// requests, besides the postmortem's reviewers.
	Directory     string
	Labels        []string
	TeamReviewers []string
	// People maps PagerDuty users to GitHub logins; Lint holds the names, public hosts and internal
	// domains of the redaction.
	People map[string]string
	Lint   postmortem.LintConfig
	// Settings, when set, gives the people and lint settings in force instead of People and Lint.
	Settings func(ctx context.Context) (map[string]string, postmortem.LintConfig)
}

// open proposes the customer-facing version of the postmortem of rec as merged at ref. It is idempotent: the
// version's branch is the incident's (postmortem.CustomerBranchName), and a pull request found on it, in any
// state, is kept as it is.
func (c *CustomerVersions) open(ctx context.Context, log *slog.Logger, rec redisstore.Record, ref string) error {
	if c == nil {
		return nil
	}
	if ref == "" {
		ref = rec.Branch
	}
	merged, ok, err := c.Files.File(ctx, rec.Repo, ref, rec.Path)
	if err != nil {
		return fmt.Errorf("read the merged postmortem of %s: %w", rec.IncidentID, err)
	}
	if !ok {
		log.Warn("merged postmortem file not found; no customer version opened", "path", rec.Path, "ref", ref)
		return nil
	}
	raws, err := c.Store.Events(ctx, rec.IncidentID)
	if err != nil {
		return err
	}
	inc := postmortem.Incident{ID: rec.IncidentID}
	for _, raw := range raws {
		ev, err := c.DecodeEvent(raw)
		if err != nil {
			log.Warn("stored event does not decode", "error", err)
			continue
		}
		inc.Events = append(inc.Events, ev)
	}
	tl := postmortem.BuildTimeline(inc)
	people, lint := c.People, c.Lint
	if c.Settings != nil {
		people, lint = c.Settings(ctx)
	}
	v := postmortem.WriteCustomerVersion(postmortem.CustomerInput{Markdown: merged, Title: rec.IncidentTitle,
		Updates: postmortem.StatusUpdates(tl), Redaction: postmortem.RedactionFor(tl, people, lint)})
	var reviewers []string
	for r := range strings.SplitSeq(rec.Reviewers, ",") {
		if r = strings.TrimSpace(r); r != "" {
			reviewers = append(reviewers, r)
		}
	}
	title := rec.IncidentTitle
	if title == "" {
		title = rec.IncidentID
	}
	file := c.path(rec)
	pr, err := c.Publisher.Publish(ctx, postmortem.Draft{
		IncidentID:    rec.IncidentID,
		Repo:          rec.Repo,
		Branch:        postmortem.CustomerBranchName(rec.IncidentID),
		Path:          file,
		Content:       v.Content,
		CommitMessage: "Add the customer version of " + rec.Path,
		Title:         "Customer version: " + postmortem.Plain(title),
		Body:          postmortem.CustomerPullRequestBody(v, rec.PullURL),
		Labels:        slices.Clone(c.Labels),
		Reviewers:     reviewers,
		TeamReviewers: slices.Clone(c.TeamReviewers),
	})
	if err != nil {
		return fmt.Errorf("open the customer version of %s: %w", rec.IncidentID, err)
	}
	log.Info("customer version proposed", "customer_pull_request", pr.URL, "created", pr.Created, "path", file,
		"removed", len(v.Removed), "missing", strings.Join(v.Missing, ","))
	return nil
}

// path is where the customer version of the postmortem of rec goes.
func (c *CustomerVersions) path(rec redisstore.Record) string {
	return path.Join(c.Directory, path.Base(rec.Path))
}

// customerPullRequest checks the customer version of the postmortem of incidentID on every push to its pull
// request, as a postmortem is checked: the lint knows the version by its marker, and reports people's names
// and internal hosts besides the rest.
func (j *GitHubJobs) customerPullRequest(ctx context.Context, log *slog.Logger, d PullRequestEvent, incidentID string) error {
	if j.Customer == nil || d.Action == "closed" || !postmortem.ValidIncidentID(incidentID) {
		return nil
	}
	rec, ok, err := j.Store.LoadRecord(ctx, incidentID)
	if err != nil {
		return err
	}
	if !ok || !strings.EqualFold(rec.Repo, d.Repo) {
		log.Info("not a customer version Hindsight opened; ignored")
		return nil
	}
	version := rec
	version.Path, version.PullNumber, version.Branch = j.Customer.path(rec), d.Number, d.HeadRef
	return j.check(ctx, log.With("customer_version", true), version, d.HeadSHA)
}
