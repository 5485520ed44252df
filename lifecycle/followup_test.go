package lifecycle_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/lifecycle"
	"github.com/hindsight-dev/hindsight/postmortem"
)

// withActionItemNotes adds two notes that the default prefixes make action items.
func (p *pipeline) withActionItemNotes() {
	p.pd.AddNotes(incidentID,
		json.RawMessage(`{"id":"NACT1","user":{"id":"PUSERA1","type":"user_reference","summary":"Ana Primary"},"content":"Action item: add a saturation alert on the proxy pool","created_at":"2025-01-02T03:30:00Z"}`),
		json.RawMessage(`{"id":"NACT2","user":{"id":"PNOBODY","type":"user_reference","summary":"Someone Else"},"content":"TODO: document the failover","created_at":"2025-01-02T03:31:00Z"}`),
	)
}

func (p *pipeline) jobs() *lifecycle.Lifecycle { return p.lifecycle(nil) }

// handle hands a GitHub event to its entry point.
func (p *pipeline) handle(t *testing.T, l *lifecycle.Lifecycle, ev lifecycle.GitHubEvent) {
	t.Helper()
	var err error
	switch ev := ev.(type) {
	case lifecycle.PullRequestEvent:
		err = l.PullRequests.Handle(context.Background(), ev)
	case lifecycle.IssueEvent:
		err = l.ActionItems.Handle(context.Background(), ev)
	case lifecycle.CommentCommand:
		err = l.Commands.Handle(context.Background(), ev)
	}
	if err != nil {
		t.Fatalf("%T: %v", ev, err)
	}
}

// remind runs the reminder scheduled at at.
func (p *pipeline) remind(t *testing.T, r *lifecycle.Reminders, at time.Time) {
	t.Helper()
	if err := r.Run(context.Background(), incidentID, at); err != nil {
		t.Fatalf("reminder: %v", err)
	}
}

// reminders is the reminders' entry point, scheduling with s, at a clock stopped at now.
func (p *pipeline) reminders(s postmortem.ReminderScheduler, now time.Time, reg prometheus.Registerer) *lifecycle.Reminders {
	return p.lifecycle(func(d *lifecycle.Deps) {
		d.Reminders, d.Now, d.Registerer = s, func() time.Time { return now }, reg
	}).Reminders
}

func actionItemIssues(p *pipeline) []int {
	var out []int
	for _, is := range p.gh.Issues() {
		if strings.Contains(is.Body, "hindsight:action-item") {
			out = append(out, is.Number)
		}
	}
	return out
}

func TestNoteActionItemsBecomeLinkedIssues(t *testing.T) {
	p := newPipeline(t)
	p.withActionItemNotes()
	for i := 0; i < 2; i++ {
		if err := p.process(t); err != nil {
			t.Fatal(err)
		}
	}
	items := actionItemIssues(p)
	if len(items) != 2 {
		t.Fatalf("%d action item issues, want 2", len(items))
	}
	first, _ := p.gh.Issue(items[0])
	if !strings.Contains(first.Body, "/blob/postmortem/"+incidentID+"/postmortems/") || !strings.Contains(first.Body, "incidents/"+incidentID) {
		t.Errorf("the issue does not link the postmortem and the incident:\n%s", first.Body)
	}
	for _, l := range []string{"postmortem", "action-item", "P1"} {
		if !strings.Contains(strings.Join(first.Labels, ","), l) {
			t.Errorf("labels %v lack %s", first.Labels, l)
		}
	}
	if len(first.Assignees) != 1 || first.Assignees[0] != "ana" {
		t.Errorf("assignees %v, want the note's author ana", first.Assignees)
	}
	content := p.file(t)
	for _, n := range items {
		if !strings.Contains(content, "(#"+itoa(n)+")") {
			t.Errorf("the draft does not link #%d", n)
		}
	}
	if !strings.Contains(content, "- [ ] add a saturation alert on the proxy pool (@ana) (#") {
		t.Errorf("action item line missing:\n%s", content)
	}
	var tracking []githubIssue
	for _, is := range p.gh.Issues() {
		if strings.Contains(is.Body, "hindsight:tracking") {
			tracking = append(tracking, githubIssue{is.Number})
		}
	}
	if len(tracking) != 1 {
		t.Fatalf("%d tracking issues, want 1", len(tracking))
	}
	if subs := p.gh.SubIssues(tracking[0].n); len(subs) != 2 {
		t.Errorf("sub-issues %v, want the 2 action items", subs)
	}
	pr := p.gh.PullRequests()[0]
	listed := 0
	for _, c := range p.gh.Comments(pr.Number) {
		if strings.Contains(c, "Action items are tracked as issues") {
			listed++
		}
	}
	if listed != 1 {
		t.Errorf("%d comments listing the issues, want 1", listed)
	}
	if !strings.Contains(pr.Body, "Review meeting") || !strings.Contains(pr.Body, "Five whys: answer why 1") {
		t.Errorf("the pull request has no review agenda:\n%s", pr.Body)
	}
}

type githubIssue struct{ n int }

func TestTaskListWhereSubIssuesAreUnavailable(t *testing.T) {
	p := newPipeline(t)
	p.gh.DisableSubIssues()
	p.withActionItemNotes()
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	items := actionItemIssues(p)
	var tracking int
	for _, is := range p.gh.Issues() {
		if strings.Contains(is.Body, "hindsight:tracking") {
			tracking = is.Number
			for _, n := range items {
				if !strings.Contains(is.Body, "- [ ] #"+itoa(n)) {
					t.Errorf("task list lacks #%d:\n%s", n, is.Body)
				}
			}
		}
	}
	// Closing an action item checks it off in the task list.
	p.gh.SetIssueState(items[0], "closed")
	p.handle(t, p.jobs(), lifecycle.IssueEvent{DeliveryID: "d1", Action: "closed",
		Repo: "acme/pm", Number: items[0]})
	tr, _ := p.gh.Issue(tracking)
	if !strings.Contains(tr.Body, "- [x] #"+itoa(items[0])) || !strings.Contains(tr.Body, "- [ ] #"+itoa(items[1])) {
		t.Errorf("task list not updated:\n%s", tr.Body)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(lifecycle.NewActionItemCollector(p.store))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			key := f.GetName()
			for _, l := range m.GetLabel() {
				key += "/" + l.GetValue()
			}
			got[key] = m.GetGauge().GetValue()
		}
	}
	if got["hindsight_action_items/open"] != 1 || got["hindsight_action_items/closed"] != 1 || got["hindsight_action_item_oldest_open_age_seconds"] <= 0 {
		t.Errorf("action item metrics %v", got)
	}
}

func TestMergedPostmortemTurnsEveryActionItemIntoAnIssue(t *testing.T) {
	p := newPipeline(t)
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pr := p.gh.PullRequests()[0]
	path := "postmortems/2025-01-02-42-checkout-latency-above-slo.md"
	original := p.file(t)
	edited := strings.Replace(original, "- [ ] TBD", "- [ ] Alert on pool saturation (@ana, due 2025-02-01)\n- [ ] Load-test the proxy (@ben)\n- [ ] Write the runbook", 1)
	if err := p.ghc.UpdateFile(ctx, pr.Head, path, edited, "Fill in action items", blob(original)); err != nil {
		t.Fatal(err)
	}
	p.gh.Merge(pr.Number)
	head := p.gh.Branches()[pr.Head]
	merged := lifecycle.PullRequestEvent{DeliveryID: "m1", Action: "closed", Repo: "acme/pm", Number: pr.Number,
		HeadRef: pr.Head, HeadSHA: head, Merged: true}
	p.handle(t, p.jobs(), merged)
	p.handle(t, p.jobs(), merged) // a retry creates nothing twice
	items := actionItemIssues(p)
	if len(items) != 3 {
		t.Fatalf("%d action item issues, want 3", len(items))
	}
	is, _ := p.gh.Issue(items[0])
	if !strings.Contains(is.Body, pr.Head) && !strings.Contains(is.Body, "/pull/") {
		t.Errorf("the issue does not link the postmortem:\n%s", is.Body)
	}
}

func TestCheckSetsCommitStatusOnEveryPush(t *testing.T) {
	p := newPipeline(t)
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	pr := p.gh.PullRequests()[0]
	head := p.gh.Branches()[pr.Head]
	p.handle(t, p.jobs(), lifecycle.PullRequestEvent{DeliveryID: "s1", Action: "synchronize",
		Repo: "acme/pm", Number: pr.Number, HeadRef: pr.Head, HeadSHA: head})
	st := p.gh.Statuses(head)
	if len(st) != 1 || st[0].Context != "hindsight/postmortem" || st[0].State != "failure" {
		t.Fatalf("statuses %+v, want one failure: a fresh draft still has placeholders", st)
	}
	var lint int
	for _, c := range p.gh.Comments(pr.Number) {
		if strings.Contains(c, "hindsight:lint") {
			lint++
			if !strings.Contains(c, "| Line | Rule |") {
				t.Errorf("findings comment without findings:\n%s", c)
			}
		}
	}
	if lint != 1 {
		t.Errorf("%d findings comments, want 1", lint)
	}
}

func TestCommandsOnThePullRequest(t *testing.T) {
	p := newPipeline(t)
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	pr := p.gh.PullRequests()[0]
	for i, body := range []string{"/hindsight help", "/hindsight check", "/hindsight sync", "not a command"} {
		p.handle(t, p.jobs(), lifecycle.CommentCommand{DeliveryID: "c" + itoa(i),
			Repo: "acme/pm", Number: pr.Number, Body: body, Author: "ana", Association: "COLLABORATOR"})
	}
	comments := strings.Join(p.gh.Comments(pr.Number), "\n----\n")
	if !strings.Contains(comments, "Hindsight commands:") || !strings.Contains(comments, "hindsight:lint") {
		t.Errorf("comments:\n%s", comments)
	}
}

func TestRemindersUntilMerged(t *testing.T) {
	p := newPipeline(t)
	scheduled := &recordingScheduler{}
	p.h.Reminders = scheduled
	for i := 0; i < 2; i++ { // a second run starts no second schedule
		if err := p.process(t); err != nil {
			t.Fatal(err)
		}
	}
	if len(scheduled.at) != 1 {
		t.Fatalf("%d reminder schedules, want 1", len(scheduled.at))
	}
	first := scheduled.at[0]
	scheduled.at = nil
	pr := p.gh.PullRequests()[0]
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	h := p.reminders(scheduled, now, nil)
	p.remind(t, h, first)
	p.remind(t, h, first) // a retry, or a reminder of an older schedule, does not remind twice
	var reminders []string
	for _, c := range p.gh.Comments(pr.Number) {
		if strings.Contains(c, "hindsight:reminder") {
			reminders = append(reminders, c)
		}
	}
	if len(reminders) != 1 || !strings.Contains(reminders[0], "@ana") || !strings.Contains(reminders[0], "@ben") {
		t.Fatalf("reminders %q, want one mentioning the reviewers", reminders)
	}
	if got := p.gh.PullRequests()[0].Labels; !strings.Contains(strings.Join(got, ","), "overdue") {
		t.Errorf("labels %v lack overdue", got)
	}
	if len(scheduled.at) != 1 || !scheduled.at[0].Equal(now.Add(24*time.Hour)) {
		t.Errorf("next reminders %v, want one a day later", scheduled.at)
	}
	next := scheduled.at[0]
	p.gh.Merge(pr.Number)
	scheduled.at = nil
	p.remind(t, h, next)
	if len(scheduled.at) != 0 {
		t.Error("reminders go on after the merge")
	}
}

type recordingScheduler struct{ at []time.Time }

func (r *recordingScheduler) ScheduleReminder(_ context.Context, _ string, at time.Time) error {
	r.at = append(r.at, at)
	return nil
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
