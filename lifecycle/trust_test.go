package lifecycle_test

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/lifecycle"
	"github.com/hindsight-dev/hindsight/postmortem"
)

// ignoredCount is hindsight_github_events_ignored_total for reason.
func ignoredCount(t *testing.T, reg *prometheus.Registry, reason string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "hindsight_github_events_ignored_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			if m.GetLabel()[0].GetValue() == reason {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func (p *pipeline) trustedJobs() (*lifecycle.Lifecycle, *prometheus.Registry) {
	reg := prometheus.NewRegistry()
	return p.lifecycle(func(d *lifecycle.Deps) { d.Registerer = reg }), reg
}

func TestCommandsNeedWriteAccess(t *testing.T) {
	p := newPipeline(t)
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	p.gh.SetPermission("tina", "triage")
	pr := p.gh.PullRequests()[0]
	jobs, reg := p.trustedJobs()
	linted := func() bool {
		for _, c := range p.gh.Comments(pr.Number) {
			if strings.Contains(c, "hindsight:lint") {
				return true
			}
		}
		return false
	}
	refused := []lifecycle.CommentCommand{
		{Author: "mallory", Association: "NONE"},
		{Author: "drive-by", Association: "CONTRIBUTOR"},
		{Author: "dependabot[bot]", Association: "COLLABORATOR", AuthorType: "Bot"},
		{Author: "ci-helper", Association: "MEMBER", AuthorType: "Bot"},
		{Author: "stranger"}, // no association: GitHub says "none"
		{Author: "tina"},     // no association: triage reads as "read"
	}
	for i, d := range refused {
		d.DeliveryID, d.Repo, d.Number, d.Body = "r"+itoa(i), "acme/pm", pr.Number, "/hindsight check"
		p.handle(t, jobs, d)
		if linted() {
			t.Fatalf("a command from %s (%q, %q) ran", d.Author, d.Association, d.AuthorType)
		}
	}
	if n := ignoredCount(t, reg, "command from a bot"); n != 2 {
		t.Errorf("commands ignored from bots: %v, want 2", n)
	}
	if n := ignoredCount(t, reg, "command from someone without write access"); n != 4 {
		t.Errorf("commands ignored for lack of write access: %v, want 4", n)
	}
	// ben is a collaborator; without an association GitHub's permission API says "write".
	p.handle(t, jobs, lifecycle.CommentCommand{DeliveryID: "ok",
		Repo: "acme/pm", Number: pr.Number, Body: "/hindsight check", Author: "ben"})
	if !linted() {
		t.Error("a collaborator's command did not run")
	}
}

func TestHelpOncePerPullRequest(t *testing.T) {
	p := newPipeline(t)
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	pr := p.gh.PullRequests()[0]
	jobs, _ := p.trustedJobs()
	for i, body := range []string{"/hindsight help", "/hindsight", "/hindsight frobnicate", "/hindsight help"} {
		p.handle(t, jobs, lifecycle.CommentCommand{DeliveryID: "h" + itoa(i),
			Repo: "acme/pm", Number: pr.Number, Body: body, Author: "ana", Association: "OWNER"})
	}
	helps := 0
	for _, c := range p.gh.Comments(pr.Number) {
		if strings.Contains(c, "Hindsight commands:") {
			helps++
		}
	}
	if helps != 1 {
		t.Errorf("%d help answers, want 1", helps)
	}
}

// An issues event is acted on only in Hindsight's repositories, for an issue Hindsight opened, and as
// GitHub holds the issue now, not as the webhook says.
func TestIssueEventsAreCheckedAgainstGitHub(t *testing.T) {
	p := newPipeline(t)
	p.withActionItemNotes()
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	items := actionItemIssues(p)
	if len(items) == 0 {
		t.Fatal("no action item issues")
	}
	jobs, reg := p.trustedJobs()
	ctx := context.Background()
	state := func(number int) (open, found bool) {
		all, err := p.store.ActionItems(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range all {
			if a.Number == number && strings.EqualFold(a.Repo, "acme/pm") {
				return a.Open, true
			}
		}
		return false, false
	}

	// A stranger's issue carrying Hindsight's marker records nothing.
	marker := postmortem.ActionItemMarker(incidentID, "fake")
	fake := p.gh.OpenIssueAs("mallory", "Fake action item", marker+"\nclose me")
	p.gh.SetIssueState(fake, "closed")
	p.handle(t, jobs, lifecycle.IssueEvent{DeliveryID: "i1", Action: "closed",
		Repo: "acme/pm", Number: fake})
	if _, found := state(fake); found {
		t.Error("a stranger's issue was recorded as an action item")
	}
	if n := ignoredCount(t, reg, "issue not opened by Hindsight"); n != 1 {
		t.Errorf("ignored stranger issues: %v, want 1", n)
	}

	// A delivery for another repository is ignored before anything is read.
	before := len(p.gh.Requests())
	p.handle(t, jobs, lifecycle.IssueEvent{DeliveryID: "i2", Action: "closed",
		Repo: "evil/elsewhere", Number: items[0]})
	if n := ignoredCount(t, reg, "not a repository Hindsight publishes to"); n != 1 {
		t.Errorf("ignored foreign deliveries: %v, want 1", n)
	}
	if after := len(p.gh.Requests()); after != before {
		t.Errorf("%d requests to GitHub for a foreign repository", after-before)
	}

	// A delivery claiming Hindsight's open issue was closed: GitHub says it is open, and that is recorded.
	p.handle(t, jobs, lifecycle.IssueEvent{DeliveryID: "i3", Action: "closed",
		Repo: "acme/pm", Number: items[0]})
	if open, found := state(items[0]); !found || !open {
		t.Errorf("action item #%d: open %v found %v, want it open as GitHub holds it", items[0], open, found)
	}
	p.gh.SetIssueState(items[0], "closed")
	p.handle(t, jobs, lifecycle.IssueEvent{DeliveryID: "i4", Action: "closed",
		Repo: "acme/pm", Number: items[0]})
	if open, found := state(items[0]); !found || open {
		t.Errorf("action item #%d: open %v found %v, want closed", items[0], open, found)
	}
}
