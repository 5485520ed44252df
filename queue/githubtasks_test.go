package queue

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/hindsight-dev/hindsight/lifecycle"
)

// Tasks the previous version left in Redis carry one payload for every event, as it marshalled it: each
// still decodes into the payload of its task type.
func TestGitHubTasksOfThePreviousVersionDecode(t *testing.T) {
	const (
		pull = `{"DeliveryID":"d1","Event":"pull_request","Action":"closed","Repo":"acme/pm","Number":7,` +
			`"HeadRef":"postmortem/P1","HeadSHA":"abc","Merged":true,"IssueBody":"","IssueState":"","CommentBody":"","CommentAuthor":""}`
		issue = `{"DeliveryID":"d2","Event":"issues","Action":"reopened","Repo":"acme/pm","Number":8,"HeadRef":"","HeadSHA":"",` +
			`"Merged":false,"IssueBody":"<!-- hindsight:action-item P1 k -->","IssueState":"open","CommentBody":"","CommentAuthor":""}`
		comment = `{"DeliveryID":"d3","Event":"issue_comment","Action":"created","Repo":"acme/pm","Number":7,"HeadRef":"",` +
			`"HeadSHA":"","Merged":false,"IssueBody":"","IssueState":"","CommentBody":"/hindsight sync","CommentAuthor":"ana",` +
			`"CommentAssociation":"OWNER","CommentAuthorType":"User"}`
	)
	p, err := decodeGitHubTask[lifecycle.PullRequestEvent](asynq.NewTask(TypePullRequest, []byte(pull)))
	want := lifecycle.PullRequestEvent{DeliveryID: "d1", Action: "closed", Repo: "acme/pm", Number: 7, HeadRef: "postmortem/P1", HeadSHA: "abc", Merged: true}
	if err != nil || p != want {
		t.Errorf("pull request task: %+v, %v; want %+v", p, err, want)
	}
	i, err := decodeGitHubTask[lifecycle.IssueEvent](asynq.NewTask(TypeActionItem, []byte(issue)))
	if wantI := (lifecycle.IssueEvent{DeliveryID: "d2", Action: "reopened", Repo: "acme/pm", Number: 8}); err != nil || i != wantI {
		t.Errorf("action item task: %+v, %v; want %+v", i, err, wantI)
	}
	c, err := decodeGitHubTask[lifecycle.CommentCommand](asynq.NewTask(TypeCommand, []byte(comment)))
	wantC := lifecycle.CommentCommand{DeliveryID: "d3", Repo: "acme/pm", Number: 7, Body: "/hindsight sync", Author: "ana", Association: "OWNER", AuthorType: "User"}
	if err != nil || c != wantC {
		t.Errorf("command task: %+v, %v; want %+v", c, err, wantC)
	}
}

// A payload no version wrote is archived with the reason, not retried and not a panic.
func TestGitHubTaskWithBadPayloadIsArchived(t *testing.T) {
	called := func(context.Context, lifecycle.PullRequestEvent) error {
		t.Error("a bad payload reached the lifecycle")
		return nil
	}
	jobs := map[string]asynq.Handler{
		TypePullRequest: gitHubHandler(called),
		TypeActionItem: gitHubHandler(func(context.Context, lifecycle.IssueEvent) error {
			t.Error("a bad payload reached the lifecycle")
			return nil
		}),
		TypeCommand: gitHubHandler(func(context.Context, lifecycle.CommentCommand) error {
			t.Error("a bad payload reached the lifecycle")
			return nil
		}),
	}
	for _, tt := range []struct{ typ, payload, reason string }{
		{TypePullRequest, `not json`, "decode github:pull_request task"},
		{TypeActionItem, `{"Repo":"acme/pm","Number":"8"}`, "decode github:action_item task"},
		{TypeCommand, `null`, "names no repository or no number"},
		{TypeCommand, `{"Repo":"acme/pm","Number":0,"CommentBody":"/hindsight sync"}`, "names no repository or no number"},
		{TypePullRequest, `{"Number":3}`, "names no repository or no number"},
	} {
		err := jobs[tt.typ].ProcessTask(t.Context(), asynq.NewTask(tt.typ, []byte(tt.payload)))
		if !errors.Is(err, asynq.SkipRetry) || !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("%s %s: %v, want an archiving error saying %q", tt.typ, tt.payload, err, tt.reason)
		}
	}
}
