package lifecycle

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strings"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// CustomerOptions say where and how the customer version of a merged postmortem is proposed.
type CustomerOptions struct {
	// Directory is where versions go ("postmortems/public"); "" proposes none.
	Directory string
	// Labels and TeamReviewers go on their pull requests, besides the postmortem's reviewers.
	Labels        []string
	TeamReviewers []string
}

// CustomerVersions opens, when a postmortem merges, a second pull request with its customer-facing version
// (see postmortem.WriteCustomerVersion) at Directory/<the postmortem's file name>. A nil *CustomerVersions
// opens none.
type CustomerVersions struct {
	store  *redisstore.Store
	gh     postmortem.GitHub
	source postmortem.IncidentSource
	rules  postmortem.Rules
	opts   CustomerOptions
}

func newCustomerVersions(d Deps, gh postmortem.GitHub, rules postmortem.Rules) *CustomerVersions {
	if d.Customer.Directory == "" {
		return nil
	}
	return &CustomerVersions{store: d.Store, gh: gh, source: d.Source, rules: rules, opts: d.Customer}
}

// path is where the customer version of the postmortem of rec goes.
func (c *CustomerVersions) path(rec redisstore.Record) string {
	return path.Join(c.opts.Directory, path.Base(rec.Path))
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
	merged, ok, err := c.gh.File(ctx, rec.Repo, ref, rec.Path)
	if err != nil {
		return fmt.Errorf("read the merged postmortem of %s: %w", rec.IncidentID, err)
	}
	if !ok {
		log.Warn("merged postmortem file not found; no customer version opened", "path", rec.Path, "ref", ref)
		return nil
	}
	inc, err := c.storedIncident(ctx, log, rec.IncidentID)
	if err != nil {
		return err
	}
	tl := postmortem.BuildTimeline(inc)
	rules := c.rules.Rules(ctx)
	v := postmortem.WriteCustomerVersion(postmortem.CustomerInput{Markdown: merged, Title: rec.IncidentTitle,
		Updates: postmortem.StatusUpdates(tl), Redaction: postmortem.RedactionFor(tl, rules.People, rules.Lint)})
	reviewers := rec.ReviewerLogins()
	title := rec.IncidentTitle
	if title == "" {
		title = rec.IncidentID
	}
	file := c.path(rec)
	pr, err := c.gh.Publish(ctx, postmortem.Draft{
		IncidentID:    rec.IncidentID,
		Repo:          rec.Repo,
		Branch:        postmortem.CustomerBranchName(rec.IncidentID),
		Path:          file,
		Content:       v.Content,
		CommitMessage: "Add the customer version of " + rec.Path,
		Title:         "Customer version: " + postmortem.Plain(title),
		Body:          postmortem.CustomerPullRequestBody(v, rec.PullURL),
		Labels:        slices.Clone(c.opts.Labels),
		Reviewers:     reviewers,
		TeamReviewers: slices.Clone(c.opts.TeamReviewers),
	})
	if err != nil {
		return fmt.Errorf("open the customer version of %s: %w", rec.IncidentID, err)
	}
	log.Info("customer version proposed", "customer_pull_request", pr.URL, "created", pr.Created, "path", file,
		"removed", len(v.Removed), "missing", strings.Join(v.Missing, ","))
	return nil
}

// storedIncident is the incident as its stored webhook events describe it: the status updates published
// during it exist only there.
func (c *CustomerVersions) storedIncident(ctx context.Context, log *slog.Logger, incidentID string) (postmortem.Incident, error) {
	events, err := storedEvents(ctx, c.store, c.source, log, incidentID)
	if err != nil {
		return postmortem.Incident{}, err
	}
	return postmortem.Incident{ID: incidentID, Events: events}, nil
}

// customerPullRequest checks the customer version of the postmortem of incidentID on every push to its pull
// request, as a postmortem is checked: the lint knows the version by its marker, and reports people's names
// and internal hosts besides the rest.
func (j *jobs) customerPullRequest(ctx context.Context, log *slog.Logger, d PullRequestEvent, incidentID string) error {
	merged := d.Action == "closed" && d.Merged
	if d.Action == "closed" && !merged || !postmortem.ValidIncidentID(incidentID) {
		return nil
	}
	rec, ok, err := j.store.LoadRecord(ctx, incidentID)
	if err != nil {
		return err
	}
	if !ok || !strings.EqualFold(rec.Repo, d.Repo) {
		log.Info("not a customer version Hindsight opened; ignored")
		return nil
	}
	if merged {
		// The merged customer version goes to the customer list.
		return j.mailMerged(ctx, rec, d.Number, cmp.Or(d.MergeSHA, d.HeadSHA))
	}
	if j.customer == nil {
		return nil
	}
	version := rec
	version.Path, version.PullNumber, version.Branch = j.customer.path(rec), d.Number, d.HeadRef
	return j.check(ctx, log.With("customer_version", true), version, d.HeadSHA)
}
