package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/distribution/smtptest"
	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
)

// TestEndToEndTeamFileSetsListsServicesAndWindow runs the service with a .github/hindsight.yml that sets
// the distribution lists (top-level and on a route), the services' repositories and the changes' window:
// the draft's changes section reads the file's repository in the file's window, and the merged postmortem
// is mailed to the file's lists, not the service's. A later file that sets a chat webhook is refused, with
// the last valid rules left in force.
func TestEndToEndTeamFileSetsListsServicesAndWindow(t *testing.T) {
	redis := queuetest.StartRedis(t)
	pd := pagerdutytest.NewServer(t, pdToken)
	trigger := time.Date(2021, 6, 4, 12, 0, 0, 0, time.UTC)
	incident, entries, notes := pagerdutytest.Synthetic("PCPZE64", 6, 20, trigger)
	pd.AddIncident(incident)
	pd.AddLogEntries("PCPZE64", entries...)
	pd.AddNotes("PCPZE64", notes...)
	gh := githubtest.NewServer(t, "acme", "postmortems", ghToken)
	gh.AddCollaborators("ana-gh", "ben-gh")
	// The service's repository, named by the team's file only: a deployment inside the file's 6h window, a
	// release outside it (inside the service's 24h).
	checkout := gh.AddRepository("acme", "checkout", 0)
	checkout.AddDeployment(githubtest.Deployment{Ref: "v2.0.1", SHA: "4f5e6d7c8b9a0f1e2d3c", Environment: "production", Creator: "ana-gh",
		CreatedAt: trigger.Add(-2 * time.Hour), Statuses: []githubtest.DeploymentStatus{{State: "success", Creator: "ana-gh", CreatedAt: trigger.Add(-2 * time.Hour)}}})
	checkout.AddRelease(githubtest.Release{Tag: "v2.0.0", Author: "ben-gh", CreatedAt: trigger.Add(-10 * time.Hour), PublishedAt: trigger.Add(-10 * time.Hour)})
	mail := smtptest.Start(t, smtptest.Options{Mode: smtptest.Plain})
	env := fakesEnv(redis.URL, pd, gh, writeConfig(t, `people:
  PUSERA1: ana-gh
  PUSERB2: ben-gh
distribution:
  internal: [engineering@example.com]
  reply_to: service-desk@example.com
log:
  format: text
`))
	env["HINDSIGHT_GITHUB_WEBHOOK_SECRET"] = githubSecret
	env["HINDSIGHT_SMTP_URL"] = mail.URL("postmortems@example.com")
	svc := startService(t, env)

	rules := gh.PutFile("main", postmortem.RulesPath, `services:
  Checkout API:
    repos: [acme/checkout]
changes:
  window: 6h
distribution:
  internal: [sre-team@example.com]
  reply_to: sre-lead@example.com
routes:
  - teams: [Payments]
    distribution: {internal: [payments@example.com]}
`)
	svc.deliverGitHub(t, "push", "push-1", githubEvent(t, "push.default-branch.json", pushTo(rules, postmortem.RulesPath)))
	eventually(t, "the hindsight/config status", func() bool { return len(gh.Statuses(rules)) == 1 }, svc.logs)
	if st := gh.Statuses(rules)[0]; st.State != "success" || st.Description != "Valid; changes change window, distribution, routes, services" {
		t.Errorf("status %+v", st)
	}
	chat := gh.PutFile("main", postmortem.RulesPath, "distribution:\n  internal: [wrong@example.com]\n  chat:\n    internal: https://hooks.slack.com/services/T0/B0/webhook-secret-part\n")
	svc.deliverGitHub(t, "push", "push-2", githubEvent(t, "push.default-branch.json", pushTo(chat, postmortem.RulesPath)))
	eventually(t, "the failure status", func() bool { return len(gh.Statuses(chat)) == 1 }, svc.logs)
	st := gh.Statuses(chat)[0]
	if want := "Not in force, the last valid configuration is. Invalid: line 3: distribution.chat: secret webhook URLs stay in the service's configuration"; st.State != "failure" || st.Description != want {
		t.Errorf("status %+v, want a failure with %q", st, want)
	}
	if strings.Contains(st.Description, "webhook-secret-part") {
		t.Errorf("the status shows the webhook URL: %q", st.Description)
	}

	svc.deliver(t, resolvedFixture(t), "resolved-1")
	eventually(t, "the pull request", func() bool { return len(gh.PullRequests()) == 1 }, svc.logs)
	pr := gh.PullRequests()[0]
	draft, ok := gh.File(pr.Head, "postmortems/2021-06-04-6-checkout-latency-above-slo.md")
	if !ok {
		t.Fatalf("no postmortem on %s", pr.Head)
	}
	for _, want := range []string{"Changes made from 2021-06-04 06:00:00 UTC", "acme/checkout, deployment: v2.0.1"} {
		if !strings.Contains(draft, want) {
			t.Errorf("the draft lacks %q: the file's services and window are not in force", want)
		}
	}
	if strings.Contains(draft, "acme/checkout, release") {
		t.Errorf("the draft lists a release outside the file's 6h window")
	}

	gh.Merge(pr.Number)
	svc.deliverGitHub(t, "pull_request", "merged-1", githubEvent(t, "pull_request.closed.merged.json", setPull(pr.Number, pr.Head, gh.Branches()[pr.Head], true)))
	eventually(t, "the mail", func() bool { return len(mail.Messages()) == 1 }, svc.logs)
	m := mail.Messages()[0]
	if want := []string{"sre-team@example.com", "payments@example.com"}; !slices.Equal(m.To, want) {
		t.Errorf("recipients %v, want the file's lists %v", m.To, want)
	}
	header, _, _ := bytes.Cut(m.Data, []byte("\r\n\r\n"))
	if !bytes.Contains(header, []byte("Reply-To: <sre-lead@example.com>")) {
		t.Errorf("Reply-To is not the file's address:\n%s", header)
	}
}
