// Package lifecycle is Hindsight's application: the life of a postmortem from its incident's resolution to
// its action items' issues. The Drafter makes and publishes it; the jobs of GitHub events check it while it
// is under review and turn its action items into issues when it merges; the Reminders chase it when it is
// overdue. Each has one entry point; the transport that calls them (package queue) decides what a failure
// means for a retry. The outside world is reached through the ports of package postmortem.
package lifecycle

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// Deps are what the lifecycle runs on.
type Deps struct {
	Store  *redisstore.Store
	Locker *redisstore.Locker
	// Source reads incidents: PagerDuty's API, or their stored webhook events alone without a token.
	Source postmortem.IncidentSource
	// Notes writes the back-link note on the incident.
	Notes postmortem.NoteWriter
	// Users looks up the incident's users' emails; postmortem.NoEmails{} when no person is known by email.
	Users    postmortem.EmailFiller
	Policy   postmortem.Policy
	Composer postmortem.DraftComposer
	// Publisher writes the postmortems. When it is a postmortem.GitHub as well, action items become
	// issues, and the GitHub events and the reminders are handled; otherwise (a dry run) action items stay in
	// the draft and GitHub events are ignored.
	Publisher postmortem.Publisher
	// DefaultRepo is the configured repository, "owner/name", where drafts without a route go.
	DefaultRepo string
	// Reminders schedules the reminders of open postmortems; postmortem.NoReminders{} for none.
	Reminders postmortem.ReminderScheduler
	// RemindEvery is the time between reminders.
	RemindEvery time.Duration
	// Lint configures the blameless and completeness check of the postmortems under review.
	Lint postmortem.LintConfig
	// Rules, when set, gives the policy, composer, lint settings, people and change scope of each piece of
	// work instead of Policy, Composer, Lint and ChangeScope: the postmortem repository's rules over the
	// service's.
	Rules postmortem.Rules
	// TeamRules, when set, follows the postmortem repository's rules on pushes and pull requests (Configs).
	TeamRules postmortem.TeamRules
	// ConfigRepo is the repository the team's rules live in ("owner/name").
	ConfigRepo string
	// Customer says where and how the customer version of a merged postmortem is proposed; off when
	// Customer.Directory is "".
	Customer CustomerOptions
	// Repos are the repositories Hindsight publishes to ("owner/name"): events from any other are ignored.
	Repos []string
	// MaxActionItems caps the issues one postmortem opens; 0 for postmortem.DefaultMaxActionItems.
	MaxActionItems int
	// Mail sends each merged postmortem and customer version to its lists; postmortem.NoMail{} for none.
	Mail postmortem.Mailer
	// Registerer takes the lifecycle's metrics.
	Registerer prometheus.Registerer
	Logger     *slog.Logger
	// Now is the clock of the reminders; nil for time.Now.
	Now func() time.Time
	// Changes read the changes made around an incident (GitHub's, PagerDuty's), where ChangeScope says; with
	// none the draft says that nothing was looked at.
	Changes     []postmortem.ChangeReader
	ChangeScope postmortem.ChangeScope
}

// Lifecycle holds the entry points. PullRequests, ActionItems, Commands and Reminders are nil unless the
// publisher is GitHub (HandlesGitHub); Configs is nil unless the team's rules are followed too.
type Lifecycle struct {
	Drafter      *Drafter
	PullRequests *PullRequests
	ActionItems  *ActionItems
	Commands     *Commands
	Reminders    *Reminders
	Configs      *Configs
}

// HandlesGitHub reports whether the lifecycle acts on GitHub's events and sends reminders: not in a dry run.
func (l *Lifecycle) HandlesGitHub() bool { return l.PullRequests != nil }

// New wires the lifecycle: the one constructor of the worker's application, used by the server, the tests
// and the benchmarks.
func New(d Deps) *Lifecycle {
	if d.Users == nil {
		d.Users = postmortem.NoEmails{}
	}
	if d.Reminders == nil {
		d.Reminders = postmortem.NoReminders{}
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Mail == nil {
		d.Mail = postmortem.NoMail{}
	}
	if d.Registerer == nil {
		d.Registerer = prometheus.NewRegistry()
	}
	m := NewMetrics(d.Registerer)
	drafter := &Drafter{Store: d.Store, Locker: d.Locker, Source: d.Source, Notes: d.Notes, Users: d.Users, Policy: d.Policy,
		Composer: d.Composer, Rules: d.Rules, Publisher: d.Publisher, FollowUps: noFollowUps{}, DefaultRepo: d.DefaultRepo, Reminders: d.Reminders,
		Changes: d.Changes, ChangeScope: d.ChangeScope, Metrics: m, Logger: d.Logger}
	l := &Lifecycle{Drafter: drafter}
	gh, ok := d.Publisher.(postmortem.GitHub)
	if !ok {
		return l
	}
	drafter.FollowUps = followUps{d.Store, gh}
	rules := d.Rules
	if rules == nil {
		rules = postmortem.FixedRules{Policy: d.Policy, Composer: d.Composer, Lint: d.Lint, ChangeScope: d.ChangeScope}
	}
	j := jobs{store: d.Store, gh: gh, rules: rules, repos: d.Repos, metric: m, maxActionItems: d.MaxActionItems, mail: d.Mail, logger: d.Logger,
		customer: newCustomerVersions(d, gh, rules)}
	if d.TeamRules != nil {
		l.Configs = &Configs{Rules: d.TeamRules, Repo: d.ConfigRepo, Logger: d.Logger}
	}
	l.PullRequests, l.ActionItems, l.Commands = &PullRequests{j}, &ActionItems{j}, &Commands{j}
	l.Reminders = &Reminders{store: d.Store, scheduler: d.Reminders, gh: gh, every: d.RemindEvery, logger: d.Logger, now: d.Now,
		reminded: NewReminderCounter(d.Registerer)}
	return l
}
