package lifecycle_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/lifecycle"
)

// Under GitHub App credentials the check is a check run whose annotations sit on the postmortem's lines;
// no commit status and no findings comment are written.
func TestCheckIsACheckRunForAnApp(t *testing.T) {
	p := newPipeline(t)
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	app, err := github.NewRouter(github.Options{BaseURL: p.gh.URL(), AppID: 12, InstallationID: 34, Repo: "acme/pm", BaseBranch: "main",
		PrivateKeyPEM: githubtest.AppPrivateKey(t), MaxWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	jobs := p.lifecycle(func(d *lifecycle.Deps) { d.Publisher = app })
	pr := p.gh.PullRequests()[0]
	head := p.gh.Branches()[pr.Head]
	p.handle(t, jobs, lifecycle.PullRequestEvent{DeliveryID: "a1", Action: "synchronize",
		Repo: "acme/pm", Number: pr.Number, HeadRef: pr.Head, HeadSHA: head})
	runs := p.gh.CheckRuns(head)
	if len(runs) != 1 || runs[0].Conclusion != "failure" || len(runs[0].Annotations) == 0 {
		t.Fatalf("check runs %+v, want one failure with annotations: a fresh draft still has placeholders", runs)
	}
	for _, a := range runs[0].Annotations {
		if !strings.HasPrefix(a.Path, "postmortems/") || a.StartLine < 1 {
			t.Errorf("annotation not on a line of the postmortem: %+v", a)
		}
	}
	if st := p.gh.Statuses(head); len(st) != 0 {
		t.Errorf("statuses %+v, want none under App credentials", st)
	}
	p.handle(t, jobs, lifecycle.CommentCommand{DeliveryID: "a2",
		Repo: "acme/pm", Number: pr.Number, Body: "/hindsight check", Author: "ana", Association: "COLLABORATOR"})
	if runs := p.gh.CheckRuns(head); len(runs) != 2 {
		t.Errorf("%d check runs after /hindsight check, want 2: the command checks the branch's head again", len(runs))
	}
	for _, c := range p.gh.Comments(pr.Number) {
		if strings.Contains(c, "hindsight:lint") {
			t.Errorf("findings comment under App credentials:\n%s", c)
		}
	}
}
