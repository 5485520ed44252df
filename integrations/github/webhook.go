package github

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/hindsight-dev/hindsight/postmortem"
)

const (
	// commandPrefix starts a comment that is a command to Hindsight.
	commandPrefix = "/hindsight"
)

// Errors of VerifyWebhook.
var (
	// ErrNoWebhookSecret says no webhook secret is configured: no delivery can be trusted.
	ErrNoWebhookSecret = errors.New("no GitHub webhook secret is configured")
	// ErrBadSignature says X-Hub-Signature-256 is missing or does not match the secret.
	ErrBadSignature = errors.New("X-Hub-Signature-256 is missing or does not match the configured webhook secret")
)

// VerifyWebhook checks a delivery's X-Hub-Signature-256, "sha256=<hex HMAC-SHA256 of the raw body>", under
// secret. An empty secret verifies nothing, and neither does a SHA-1 or SHA-512 signature.
func VerifyWebhook(body []byte, signature, secret string) error {
	if secret == "" {
		return ErrNoWebhookSecret
	}
	if !strings.HasPrefix(signature, "sha256=") {
		return ErrBadSignature
	}
	if err := gh.ValidateSignature(signature, body, []byte(secret)); err != nil {
		return ErrBadSignature
	}
	return nil
}

// The events Hindsight acts on, each reduced to what its job needs; the job asks GitHub for anything else.
type (
	// PullRequestEvent is a postmortem pull request opened, reopened, pushed to or closed.
	PullRequestEvent struct {
		Repo    string // "owner/name"
		Number  int
		HeadRef string // "postmortem/<incident ID>"
		HeadSHA string
		Merged  bool
		// ClosedAt is when a closed pull request was closed (merged, when Merged); zero while it is open.
		ClosedAt time.Time
	}
	// IssueEvent is an issue carrying Hindsight's action item marker, closed or reopened.
	IssueEvent struct {
		Repo   string
		Number int
	}
	// CommentCommand is a "/hindsight …" comment on an issue or a pull request.
	CommentCommand struct {
		Repo   string
		Number int
		Body   string
		Author string // login
		// Association is the author's author_association with the repository ("OWNER", "MEMBER", …);
		// empty when the payload has none.
		Association string
		AuthorType  string // "User", "Bot" or "Organization"
	}
)

// Webhook is one decoded delivery.
type Webhook struct {
	// Action is the payload's action ("opened", "closed", "created", …), when it has one.
	Action string
	// Event is a PullRequestEvent, an IssueEvent or a CommentCommand; nil when Hindsight does not act on
	// the delivery (a ping, another event or action, a pull request that is not a postmortem, …).
	Event any
}

// DecodeWebhook decodes the verified body of a delivery of event (X-GitHub-Event). A hook can be set to
// either content type: with application/x-www-form-urlencoded the JSON is the "payload" field; any other
// content type is read as JSON. It fails, with a message fit for the sender, on a body that is not a JSON
// object and on a payload that lacks what its event needs.
func DecodeWebhook(event, contentType string, body []byte) (Webhook, error) {
	payload, err := webhookPayload(contentType, body)
	if err != nil {
		return Webhook{}, err
	}
	switch event {
	case "pull_request", "issues", "issue_comment":
	default:
		return Webhook{}, nil // ping and everything else
	}
	parsed, err := gh.ParseWebHook(event, payload)
	if err != nil {
		return Webhook{}, errors.New(event + " payload does not decode: " + err.Error())
	}
	switch ev := parsed.(type) {
	case *gh.PullRequestEvent:
		return pullRequestEvent(ev)
	case *gh.IssuesEvent:
		return issueEvent(ev)
	case *gh.IssueCommentEvent:
		return commentCommand(ev)
	}
	return Webhook{}, nil
}

// webhookPayload returns the JSON object of a delivery.
func webhookPayload(contentType string, body []byte) ([]byte, error) {
	kind := "application/json"
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && mt == "application/x-www-form-urlencoded" {
		kind = mt
	}
	// The signature is checked already, by VerifyWebhook: this only takes the payload out of the body.
	payload, err := gh.ValidatePayloadFromBody(kind, bytes.NewReader(body), "", nil)
	if err != nil {
		return nil, errors.New("form body does not parse: " + err.Error())
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(payload, &obj); err != nil || obj == nil {
		msg := "body is not a JSON object"
		if err != nil {
			msg = "body is not JSON: " + err.Error()
		}
		return nil, errors.New(msg)
	}
	return payload, nil
}

func pullRequestEvent(ev *gh.PullRequestEvent) (Webhook, error) {
	w := Webhook{Action: ev.GetAction()}
	switch w.Action {
	case "opened", "reopened", "synchronize", "closed":
	default:
		return w, nil
	}
	pr := ev.GetPullRequest()
	if pr == nil {
		return w, errors.New("pull_request payload lacks pull_request")
	}
	head := pr.GetHead()
	if _, ok := postmortem.IncidentFromBranch(head.GetRef()); !ok {
		return w, nil
	}
	number := pr.GetNumber()
	if number == 0 {
		number = ev.GetNumber()
	}
	repo, err := repoAndNumber("pull_request", ev.GetRepo(), number)
	if err != nil {
		return w, err
	}
	// Hindsight's branches live in the postmortem repository itself: a fork's branch of the same name is
	// somebody else's (head.repo is null once a fork is deleted).
	if head.GetRepo().GetFullName() != repo {
		return w, nil
	}
	if head.GetSHA() == "" {
		return w, errors.New("pull_request payload lacks pull_request.head.sha")
	}
	e := PullRequestEvent{Repo: repo, Number: number, HeadRef: head.GetRef(), HeadSHA: head.GetSHA(), Merged: pr.GetMerged()}
	if closed := pr.GetClosedAt(); !closed.IsZero() {
		e.ClosedAt = closed.UTC()
	}
	w.Event = e
	return w, nil
}

func issueEvent(ev *gh.IssuesEvent) (Webhook, error) {
	w := Webhook{Action: ev.GetAction()}
	if w.Action != "closed" && w.Action != "reopened" {
		return w, nil
	}
	if ev.Issue == nil {
		return w, errors.New("issues payload lacks issue")
	}
	// Saves a task for every issue that is not an action item; the job checks the marker again, on the
	// issue as GitHub holds it.
	if _, ok := postmortem.IsActionItemIssue(ev.Issue.GetBody()); !ok {
		return w, nil
	}
	repo, err := repoAndNumber("issues", ev.GetRepo(), ev.Issue.GetNumber())
	if err != nil {
		return w, err
	}
	w.Event = IssueEvent{Repo: repo, Number: ev.Issue.GetNumber()}
	return w, nil
}

func commentCommand(ev *gh.IssueCommentEvent) (Webhook, error) {
	w := Webhook{Action: ev.GetAction()}
	c := ev.GetComment()
	if w.Action != "created" || c == nil || !isCommand(c.GetBody()) {
		return w, nil
	}
	if ev.Issue == nil {
		return w, errors.New("issue_comment payload lacks issue")
	}
	author := c.GetUser().GetLogin()
	if author == "" {
		return w, errors.New("issue_comment payload lacks comment.user.login")
	}
	repo, err := repoAndNumber("issue_comment", ev.GetRepo(), ev.Issue.GetNumber())
	if err != nil {
		return w, err
	}
	w.Event = CommentCommand{Repo: repo, Number: ev.Issue.GetNumber(), Body: c.GetBody(), Author: author,
		Association: c.GetAuthorAssociation(), AuthorType: c.GetUser().GetType()}
	return w, nil
}

// repoAndNumber returns the repository's "owner/name" once it and the number are sane.
func repoAndNumber(event string, repo *gh.Repository, number int) (string, error) {
	if strings.Count(repo.GetFullName(), "/") != 1 {
		return "", errors.New(event + " payload lacks repository.full_name")
	}
	if number <= 0 {
		return "", errors.New(event + " payload lacks the pull request or issue number")
	}
	return repo.GetFullName(), nil
}

// isCommand reports whether a comment is a "/hindsight …" command: "/hindsight" alone or followed by a
// space, and not, say, "/hindsightful".
func isCommand(body string) bool {
	rest, ok := strings.CutPrefix(strings.TrimSpace(body), commandPrefix)
	return ok && (rest == "" || strings.ContainsAny(rest[:1], " \t\r\n"))
}
