package main

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing/fstest"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hindsight-dev/hindsight/internal/yamlcheck"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/teamconfig"
)

// teamFile is what the postmortem repository's .github/hindsight.yml may set: the team's rules. Secrets
// and infrastructure (tokens, URLs, Redis, workers, limits, the repository itself, the chat webhooks) stay
// in the service's configuration. A section set here replaces the service's, except people, whose entries
// are added to the service's (the repository's win).
type teamFile struct {
	GitHub struct {
		Directory     *string   `yaml:"directory"`
		Labels        *[]string `yaml:"labels"`
		Reviewers     *[]string `yaml:"reviewers"`
		TeamReviewers *[]string `yaml:"team_reviewers"`
		DefaultOwner  *string   `yaml:"default_owner"`
		OwnerRule     *string   `yaml:"owner_rule"`
	} `yaml:"github"`
	Policy      *postmortem.Policy     `yaml:"policy"`
	Routes      *[]postmortem.Route    `yaml:"routes"`
	People      map[string]string      `yaml:"people"`
	Lint        *postmortem.LintConfig `yaml:"lint"`
	ActionItems *struct {
		Prefixes []string `yaml:"prefixes"`
	} `yaml:"action_items"`
	Facts *postmortem.FactsConfig `yaml:"facts"`
	// Distribution sets the mail's lists and reply address, each replacing the service's own; the chat
	// webhooks are secrets and are refused.
	Distribution *struct {
		Internal  *[]string `yaml:"internal"`
		Customers *[]string `yaml:"customers"`
		ReplyTo   *string   `yaml:"reply_to"`
	} `yaml:"distribution"`
	Services *map[string]postmortem.ServiceChanges `yaml:"services"`
	Changes  struct {
		Window *postmortem.Duration `yaml:"window"`
	} `yaml:"changes"`
	Templates struct {
		// Directory is a folder of the repository whose *.md.tmpl override the service's templates by name.
		Directory string `yaml:"directory"`
	} `yaml:"templates"`
}

// parseTeamFile decodes the repository's file strictly. A key the service's configuration knows but the
// file may not set is refused as such; any other unknown key gets the closest one it may set.
func parseTeamFile(data string) (teamFile, error) {
	var f teamFile
	if len(data) > teamconfig.MaxFileBytes {
		return f, teamconfig.ErrTooLarge
	}
	err := yamlcheck.DecodeStrict([]byte(data), &f)
	var ke *yamlcheck.KeyError
	switch {
	case errors.As(err, &ke) && (ke.Path == "distribution.chat" || strings.HasPrefix(ke.Path, "distribution.chat.")):
		// Whoever reads a webhook URL can post to its channel. Short enough for a commit status's 140 characters.
		return f, fmt.Errorf("line %d: distribution.chat: secret webhook URLs stay in the service's configuration", ke.Line)
	case errors.As(err, &ke) && yamlcheck.HasPath(reflect.TypeOf(config{}), ke.Path):
		return f, fmt.Errorf("line %d: %s: not allowed in %s: secrets and infrastructure stay in the service's configuration (HINDSIGHT_CONFIG and the environment)",
			ke.Line, ke.Path, teamconfig.Path)
	case err != nil:
		return f, fmt.Errorf("%s", oneLine(strings.TrimPrefix(withoutValues(err.Error()), "yaml: ")))
	}
	return f, nil
}

// over returns the service's configuration c with the team's file over it, checked as the service's own is.
func (f teamFile) over(c config) (config, error) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	setList := func(dst *[]string, src *[]string) {
		if src != nil {
			*dst = slices.Clone(*src)
		}
	}
	set(&c.GitHub.Directory, f.GitHub.Directory)
	set(&c.GitHub.DefaultOwner, f.GitHub.DefaultOwner)
	set(&c.GitHub.OwnerRule, f.GitHub.OwnerRule)
	setList(&c.GitHub.Labels, f.GitHub.Labels)
	setList(&c.GitHub.Reviewers, f.GitHub.Reviewers)
	setList(&c.GitHub.TeamReviewers, f.GitHub.TeamReviewers)
	if f.Policy != nil {
		c.Policy = *f.Policy
		if len(c.Policy.Rules) == 0 && c.Policy.Default == "" {
			return c, errors.New("policy: give rules or a default")
		}
	}
	if f.Routes != nil {
		c.Routes = slices.Clone(*f.Routes)
	}
	c.People = withPeople(c.People, f.People)
	if f.Lint != nil {
		c.Lint = *f.Lint
	}
	if f.ActionItems != nil {
		c.ActionItems.Prefixes = f.ActionItems.Prefixes
	}
	if f.Facts != nil {
		c.Facts = *f.Facts
	}
	if d := f.Distribution; d != nil {
		setList(&c.Distribution.Internal, d.Internal)
		setList(&c.Distribution.Customers, d.Customers)
		set(&c.Distribution.ReplyTo, d.ReplyTo)
	}
	if f.Services != nil {
		c.Services = maps.Clone(*f.Services)
	}
	if f.Changes.Window != nil {
		c.Changes.Window = *f.Changes.Window
	}
	if c.GitHub.Directory == "" || strings.HasPrefix(c.GitHub.Directory, "/") || strings.Contains(c.GitHub.Directory, "..") {
		return c, fmt.Errorf("github.directory: want a folder of the repository, got %q", c.GitHub.Directory)
	}
	if err := c.validateTeam(); err != nil {
		return c, err
	}
	return c, nil
}

// withPeople is the service's people with the repository's added over them (the repository's win).
func withPeople(service, repository map[string]string) map[string]string {
	if len(repository) == 0 {
		return service
	}
	people := maps.Clone(service)
	if people == nil {
		people = map[string]string{}
	}
	maps.Copy(people, repository)
	return people
}

// teamBuild makes the settings of a snapshot of the repository's configuration over the service's
// configuration base: policy, composer (its templates over the service's), lint, people, routes, the mail's
// lists and the changes' scope.
func teamBuild(base config) teamconfig.Build {
	return func(s teamconfig.Snapshot) (teamconfig.Settings, error) {
		c := base
		var extra []fs.FS
		if s.Present {
			f, err := parseTeamFile(s.File)
			if err != nil {
				return teamconfig.Settings{}, err
			}
			if c, err = f.over(base); err != nil {
				return teamconfig.Settings{}, err
			}
			if len(s.Templates) > 0 {
				m := fstest.MapFS{}
				for name, text := range s.Templates {
					m[name] = &fstest.MapFile{Data: []byte(text), Mode: 0o444}
				}
				extra = append(extra, m)
			}
		}
		composer, err := newComposer(c, extra...)
		if err != nil {
			return teamconfig.Settings{}, errors.Unwrap(err)
		}
		return teamconfig.Settings{RuleSet: c.ruleSet(composer), Sections: sections(c, s.Templates)}, nil
	}
}

// sections describe each part of a configuration a team may set, to tell what a change does.
func sections(c config, templates map[string]string) map[string]string {
	text := func(v any) string {
		b, err := yaml.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	}
	out := map[string]string{
		"policy": text(c.Policy), "routes": text(c.Routes), "people": text(c.People), "lint": text(c.Lint),
		"reviewers":    text([]any{c.GitHub.Reviewers, c.GitHub.TeamReviewers}),
		"labels":       text(c.GitHub.Labels),
		"owner":        text([]string{c.GitHub.DefaultOwner, c.GitHub.OwnerRule}),
		"directory":    c.GitHub.Directory,
		"action items": text(c.ActionItems.Prefixes),
		"facts":        text(c.Facts),
		"templates":    text(templates),
		// The chat webhooks are left out: the repository cannot set them.
		"distribution":  text([]any{c.Distribution.Distribution, c.Distribution.ReplyTo}),
		"services":      text(c.Services),
		"change window": time.Duration(c.Changes.Window).String(),
	}
	return out
}

// ruleSet is what postmortems are made, checked and mailed by under c, with composer.
func (c config) ruleSet(composer postmortem.DraftComposer) postmortem.RuleSet {
	lint := c.Lint
	lint.People = append(append([]string(nil), lint.People...), lintLogins(c.People)...)
	return postmortem.RuleSet{Policy: c.Policy, Composer: composer, Lint: lint, People: c.People, Routes: c.Routes,
		Distribution: c.Distribution.Distribution, ReplyTo: c.Distribution.ReplyTo, ChangeScope: c.changeScope()}
}
