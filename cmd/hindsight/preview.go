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
	if err := parseFlags(fl, args); err != nil {
		return err
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
		if err != nil {
			return err
		}
	} else {
		if !postmortem.ValidIncidentID(*incidentID) {
			return usageError{fmt.Sprintf("preview: --incident %q is not a PagerDuty incident ID", *incidentID)}
		}
		if cfg.PagerDuty.Token == "" {
			return bad("HINDSIGHT_PAGERDUTY_TOKEN", "required by preview --incident")
		}
		pd, err := pagerduty.New(pagerduty.Options{BaseURL: cfg.PagerDuty.APIURL, Token: cfg.PagerDuty.Token, From: cfg.PagerDuty.From, MaxLogEntries: cfg.Limits.LogEntries})
		if err != nil {
			return bad("HINDSIGHT_PAGERDUTY_TOKEN", "%v", err)
		}
		if inc, err = pd.Incident(ctx, *incidentID); err != nil {
			return fmt.Errorf("preview %s: %w", *incidentID, err)
		}
		if peopleByEmail(cfg.People) {
			if err := lookUpEmails(ctx, pd, &inc, cfg.PagerDuty.UserLookups); err != nil {
				return fmt.Errorf("preview %s: %w", *incidentID, err)
			}
		}
		// The changes section, read as the pipeline reads it: PagerDuty's change events, and the service's
		// repositories when GitHub credentials are set.
		readers := []postmortem.ChangeReader{pd}
		if cfg.githubEnabled() {
			gh, err := github.NewRouter(cfg.githubOptions())
			if err != nil {
				return bad("HINDSIGHT_GITHUB_TOKEN", "%v", err)
			}
			readers = append(readers, gh)
		}
		inc.Changes = lifecycle.ReadChanges(ctx, cfg.changeScope().Query(inc), readers...)
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
	_, err = io.WriteString(stdout, draft.Content)
	return err
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
