package lifecycle_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/payloads"
	"github.com/hindsight-dev/hindsight/lifecycle"
	"github.com/hindsight-dev/hindsight/postmortem"
)

func TestMergedPostmortemOpensItsCustomerVersion(t *testing.T) {
	p := newPipeline(t)
	p.gh.AddTeams("comms")
	ctx := context.Background()
	// The status update is stored as its webhook delivered it: PagerDuty has no API that lists them.
	if _, err := p.store.SaveEvent(ctx, incidentID, "SU1", payloads.PagerDuty(t, "webhook-v3_incident.status_update_published_zulip-fixture.json")); err != nil {
		t.Fatal(err)
	}
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	pr := p.gh.PullRequests()[0]
	path := "postmortems/2025-01-02-42-checkout-latency-above-slo.md"
	original := p.file(t)
	edited := strings.Replace(original, "TBD: two or three sentences a reader outside the team understands: what broke, for whom, for how long, and how it was fixed.",
		"Checkout slowed down for an hour after db-main-2.payments.internal ran out of connections; Ana Primary moved traffic to the replica.", 1)
	edited = strings.Replace(edited, "TBD: what stopped the impact, and what made the incident resolved.",
		"@ana failed over to the replica (see https://grafana.acme.internal/d/db).", 1)
	if err := p.ghc.UpdateFile(ctx, pr.Head, path, edited, "Write the summary", blob(original)); err != nil {
		t.Fatal(err)
	}
	p.gh.Merge(pr.Number)
	mergeSHA := p.gh.Branches()["main"]
	// The branch moves on after the merge: the version is written from the merge commit.
	if err := p.ghc.UpdateFile(ctx, pr.Head, path, edited+"\nLater text, not merged.\n", "After the merge", blob(edited)); err != nil {
		t.Fatal(err)
	}
	jobs := p.lifecycle(func(d *lifecycle.Deps) {
		d.Customer = lifecycle.CustomerOptions{Directory: "postmortems/public", Labels: []string{"postmortem", "customer-version"}, TeamReviewers: []string{"comms"}}
		d.Rules = postmortem.FixedRules{Policy: d.Policy, Composer: d.Composer, People: map[string]string{"PUSERA1": "ana", "PUSERB2": "ben"}}
	})
	merged := lifecycle.PullRequestEvent{DeliveryID: "m1", Action: "closed", Repo: "acme/pm", Number: pr.Number,
		HeadRef: pr.Head, HeadSHA: p.gh.Branches()[pr.Head], Merged: true, MergeSHA: mergeSHA}
	p.handle(t, jobs, merged)
	p.handle(t, jobs, merged) // a redelivery opens no second one

	prs := p.gh.PullRequests()
	if len(prs) != 2 {
		t.Fatalf("%d pull requests, want the postmortem and its customer version", len(prs))
	}
	cv := prs[1]
	if cv.Head != postmortem.CustomerBranchName(incidentID) || cv.State != "open" {
		t.Errorf("customer version on %q (%s)", cv.Head, cv.State)
	}
	if !strings.HasPrefix(cv.Title, "Customer version: ") || !strings.Contains(cv.Body, "/pull/") {
		t.Errorf("title %q, body:\n%s", cv.Title, cv.Body)
	}
	if strings.Join(cv.Labels, ",") != "postmortem,customer-version" || strings.Join(cv.RequestedTeams, ",") != "comms" {
		t.Errorf("labels %v, teams %v", cv.Labels, cv.RequestedTeams)
	}
	if len(cv.RequestedReviewers) == 0 {
		t.Errorf("no reviewers requested: want the postmortem's")
	}
	content, ok := p.gh.File(cv.Head, "postmortems/public/2025-01-02-42-checkout-latency-above-slo.md")
	if !ok {
		t.Fatal("the customer version's file is not on its branch")
	}
	for _, want := range []string{postmortem.CustomerMarker, "Checkout slowed down for an hour after an internal host ran out of connections",
		"failed over to the replica (see an internal link)", "Investigating a P1 incident with the Checkout API in us-east-1", "| 2026-04-01 02:17 |"} {
		if !strings.Contains(content, want) {
			t.Errorf("the customer version lacks %q:\n%s", want, content)
		}
	}
	for _, leak := range []string{"Ana Primary", "@ana", "db-main-2", "grafana", "Later text", "Five whys", "PUSERA1"} {
		if strings.Contains(content, leak) {
			t.Errorf("the customer version holds %q:\n%s", leak, content)
		}
	}

	// Its pull request is checked like a postmortem's: an @mention added in review is reported.
	cvPath := "postmortems/public/2025-01-02-42-checkout-latency-above-slo.md"
	head := p.gh.PutFile(cv.Head, cvPath, strings.Replace(content, "## Impact\n", "## Impact\n\nThanks to @ben for the fix.\n", 1))
	p.handle(t, jobs, lifecycle.PullRequestEvent{DeliveryID: "s1", Action: "synchronize", Repo: "acme/pm",
		Number: cv.Number, HeadRef: cv.Head, HeadSHA: head})
	if st := p.gh.Statuses(head); len(st) != 1 || st[0].Context != "hindsight/postmortem" || st[0].State != "failure" {
		t.Errorf("statuses %+v, want the check's failure", st)
	}
	comments := strings.Join(p.gh.Comments(cv.Number), "\n")
	if !strings.Contains(comments, "person-name") || !strings.Contains(comments, "ben): the customer version names people by role") {
		t.Errorf("the findings on the customer version do not name the person:\n%s", comments)
	}
}
