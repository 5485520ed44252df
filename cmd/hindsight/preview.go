package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/lifecycle"
	"github.com/hindsight-dev/hindsight/postmortem"
)

type fsys = fs.FS

// runPreview renders the postmortem of one incident to stdout and writes nothing else: from an exported
// incident (--from FILE, "-" for stdin) or from the PagerDuty API (--incident ID).
func runPreview(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fl := newFlags("preview")
	from := fl.String("from", "", "exported incident: {\"incident\": …, \"log_entries\": […], \"notes\": […]}")
	incidentID := fl.String("incident", "", "PagerDuty incident ID to fetch (needs HINDSIGHT_PAGERDUTY_TOKEN)")
	roles := fl.Bool("roles", false, "name people by role (\"responder 1\", \"incident commander\"), for readers outside the company")
	audience := fl.String("audience", "team", "team: the postmortem as drafted; customer: its customer-facing version, as opened when a postmortem merges")
	written := fl.String("postmortem", "", "with --audience customer: the postmortem as written (a merged FILE.md) instead of the fresh draft")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if *audience != "team" && *audience != "customer" {
		return usageError{fmt.Sprintf("preview: --audience %q: want team or customer", *audience)}
	}
	if *written != "" && *audience != "customer" {
		return usageError{"preview: --postmortem goes with --audience customer"}
	}
	if (*from == "") == (*incidentID == "") {
		return usageError{"preview: give exactly one of --from FILE or --incident ID"}
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	composer, err := newComposer(cfg)
	if err != nil {
		return err
	}

	var inc postmortem.Incident
	if *from != "" {
		inc, err = readExportFile(*from)
	} else {
		inc, err = fetchForPreview(ctx, cfg, *incidentID)
	}
	if err != nil {
		return err
	}
	decision := cfg.Policy.Decide(inc)
	composer.Roles = *roles
	draft, err := composer.Compose(inc, decision)
	if err != nil {
		return err
	}
	if !decision.Required {
		fmt.Fprintf(stderr, "note: the policy requires no postmortem for this incident (%s)\n", decision.Reason)
	}
	content := draft.Content
	if *audience == "customer" {
		if content, err = customerPreview(draft, *written, cfg); err != nil {
			return err
		}
	}
	_, err = io.WriteString(stdout, content)
	return err
}

// fetchForPreview reads the incident from PagerDuty as the pipeline does: its users' emails when people are
// keyed by email, and the changes around it (PagerDuty's change events, and the service's repositories when
// GitHub credentials are set).
func fetchForPreview(ctx context.Context, cfg config, incidentID string) (postmortem.Incident, error) {
	if !postmortem.ValidIncidentID(incidentID) {
		return postmortem.Incident{}, usageError{fmt.Sprintf("preview: --incident %q is not a PagerDuty incident ID", incidentID)}
	}
	if cfg.PagerDuty.Token == "" {
		return postmortem.Incident{}, bad("HINDSIGHT_PAGERDUTY_TOKEN", "required by preview --incident")
	}
	pd, err := pagerduty.New(pagerduty.Options{BaseURL: cfg.PagerDuty.APIURL, Token: cfg.PagerDuty.Token, From: cfg.PagerDuty.From, MaxLogEntries: cfg.Limits.LogEntries})
	if err != nil {
		return postmortem.Incident{}, bad("HINDSIGHT_PAGERDUTY_TOKEN", "%v", err)
	}
	inc, err := pd.Incident(ctx, incidentID)
	if err != nil {
		return postmortem.Incident{}, fmt.Errorf("preview %s: %w", incidentID, err)
	}
	if peopleByEmail(cfg.People) {
		if err := lookUpEmails(ctx, pd, &inc, cfg.PagerDuty.UserLookups); err != nil {
			return postmortem.Incident{}, fmt.Errorf("preview %s: %w", incidentID, err)
		}
	}
	readers := []postmortem.ChangeReader{pd}
	if cfg.githubEnabled() {
		gh, err := github.NewRouter(cfg.githubOptions())
		if err != nil {
			return postmortem.Incident{}, bad("HINDSIGHT_GITHUB_TOKEN", "%v", err)
		}
		readers = append(readers, gh)
	}
	inc.Changes = lifecycle.ReadChanges(ctx, cfg.changeScope().Query(inc), readers...)
	return inc, nil
}

// customerPreview is the customer-facing version of the postmortem as written (the file named), else of
// the draft, with the incident's status updates as its timeline.
func customerPreview(draft postmortem.Draft, written string, cfg config) (string, error) {
	markdown := draft.Content
	if written != "" {
		b, err := os.ReadFile(written) //nolint:gosec // the user names the postmortem to read
		if err != nil {
			return "", fmt.Errorf("preview: --postmortem: %w", err)
		}
		markdown = string(b)
	}
	lint := cfg.Lint
	lint.People = append(append([]string(nil), lint.People...), lintLogins(cfg.People)...)
	v := postmortem.WriteCustomerVersion(postmortem.CustomerInput{Markdown: markdown, Title: draft.Title,
		Updates: postmortem.StatusUpdates(draft.Timeline), Redaction: postmortem.RedactionFor(draft.Timeline, cfg.People, lint)})
	return v.Content, nil
}

func readExportFile(path string) (postmortem.Incident, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path) //nolint:gosec // the user names the export to read
		if err != nil {
			return postmortem.Incident{}, fmt.Errorf("preview: %w", err)
		}
		defer f.Close()
		r = f
	}
	exp, err := pagerduty.ReadExport(r)
	if err != nil {
		return postmortem.Incident{}, fmt.Errorf("preview: %s: %w", path, err)
	}
	inc, err := exp.Decode()
	if err != nil {
		return postmortem.Incident{}, fmt.Errorf("preview: %s: %w", path, err)
	}
	return inc, nil
}

// checkTemplates renders every template the policy can choose, and the pull request description, with a
// sample incident.
func checkTemplates(c *postmortem.Composer, p postmortem.Policy) error {
	names := []string{postmortem.FullTemplate, postmortem.ShortTemplate}
	for _, r := range p.Rules {
		if r.Template != "" {
			names = append(names, r.Template)
		}
	}
	sample := postmortem.SampleIncident()
	for _, name := range names {
		if !c.Renderer.Has(name) {
			return fmt.Errorf("the policy names template %q but there is no %s%s", name, name, postmortem.TemplateExt)
		}
		if _, err := c.Compose(sample, postmortem.Decision{Required: true, Template: name, Due: postmortem.DefaultDue}); err != nil {
			return err
		}
	}
	return nil
}

// lookUpEmails gives inc's user references their emails, asking PagerDuty for at most limit users, so that
// `people` keyed by email map in a preview as they do in the pipeline. Unlike the pipeline it keeps nothing
// in Redis: preview writes nothing. A user PagerDuty does not know keeps no email.
func lookUpEmails(ctx context.Context, pd *pagerduty.Client, inc *postmortem.Incident, limit int) error {
	ids := inc.UserIDs()
	if limit > 0 && len(ids) > limit {
		ids = ids[:limit]
	}
	emails := map[string]string{}
	for _, id := range ids {
		p, err := pd.User(ctx, id)
		switch {
		case errors.Is(err, pagerduty.ErrNotFound):
			continue
		case err != nil:
			return fmt.Errorf("look up PagerDuty user %s: %w", id, err)
		}
		if p.Email != "" {
			emails[id] = p.Email
		}
	}
	inc.SetEmails(emails)
	return nil
}
