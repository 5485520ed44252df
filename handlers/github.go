package handlers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue"
)

const (
	// postmortemBranchPrefix starts the head branch of every pull request Hindsight opens.
	postmortemBranchPrefix = "postmortem/"
	// commandPrefix starts a comment that is a command to Hindsight.
	commandPrefix = "/hindsight"
)

// gitHubDeliveryID bounds X-GitHub-Delivery (a GUID) before it becomes part of a task ID and a Redis key.
var gitHubDeliveryID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,100}$`)

// The parts of GitHub's payloads the receiver reads; the job fetches anything else it needs.
type (
	gitHubRepository struct {
		FullName string `json:"full_name"`
	}
	gitHubPullRequestEvent struct {
		Action      string            `json:"action"`
		Number      int               `json:"number"`
		Repository  *gitHubRepository `json:"repository"`
		PullRequest *struct {
			Number int  `json:"number"`
			Merged bool `json:"merged"`
			Head   struct {
				Ref  string            `json:"ref"`
				SHA  string            `json:"sha"`
				Repo *gitHubRepository `json:"repo"`
			} `json:"head"`
		} `json:"pull_request"`
	}
	gitHubIssue struct {
		Number int     `json:"number"`
		Body   *string `json:"body"`
		State  string  `json:"state"`
	}
	gitHubIssuesEvent struct {
		Action     string            `json:"action"`
		Repository *gitHubRepository `json:"repository"`
		Issue      *gitHubIssue      `json:"issue"`
	}
	gitHubIssueCommentEvent struct {
		Action     string            `json:"action"`
		Repository *gitHubRepository `json:"repository"`
		Issue      *gitHubIssue      `json:"issue"`
		Comment    *struct {
			Body              string `json:"body"`
			AuthorAssociation string `json:"author_association"`
			User              struct {
				Login string `json:"login"`
				Type  string `json:"type"`
			} `json:"user"`
		} `json:"comment"`
	}
)

// errIgnored says a well-formed delivery calls for nothing.
var errIgnored = errors.New("ignored")

// handleGitHub receives GitHub webhooks. It answers 202 once the task the delivery calls for is durable in
// Redis (also for a redelivery, a ping and every event it ignores), 401 for a missing or wrong
// X-Hub-Signature-256 or when no secret is configured, 400 for a body that is not a JSON object or lacks
// what its event needs and for missing X-GitHub-Event or X-GitHub-Delivery, 413 above MaxBodyBytes and
// 503 when Redis cannot take it. GitHub does not redeliver by itself, so a 503 is for a person to redeliver.
func handleGitHub(logger *slog.Logger, cfg Config, sink GitHubSink, m *metrics) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		deliveryID := r.Header.Get("X-GitHub-Delivery")
		event := r.Header.Get("X-GitHub-Event")
		dl := delivery{source: "github", c: c, m: m,
			log: logger.With("request_id", c.Get("request_id"), "delivery_id", deliveryID, "event", event)}
		reject := dl.reject
		body, err := dl.body()
		if err != nil {
			return err
		}
		if cfg.GitHubSecret == "" {
			return reject(http.StatusUnauthorized, "no GitHub webhook secret is configured: set HINDSIGHT_GITHUB_WEBHOOK_SECRET")
		}
		if !verifyGitHubSignature(body, r.Header.Get("X-Hub-Signature-256"), cfg.GitHubSecret) {
			return reject(http.StatusUnauthorized, "X-Hub-Signature-256 is missing or does not match the configured webhook secret")
		}
		if event == "" {
			return reject(http.StatusBadRequest, "X-GitHub-Event is missing")
		}
		if !gitHubDeliveryID.MatchString(deliveryID) {
			return reject(http.StatusBadRequest, "X-GitHub-Delivery is missing or not a delivery GUID")
		}
		payload, err := gitHubPayload(r.Header.Get("Content-Type"), body)
		if err != nil {
			return reject(http.StatusBadRequest, err.Error())
		}

		d, err := gitHubDelivery(event, payload)
		if errors.Is(err, errIgnored) {
			dl.log = dl.log.With("action", d.Action)
			return dl.answer(queue.Ignored)
		}
		if err != nil {
			return reject(http.StatusBadRequest, err.Error())
		}
		d.DeliveryID = deliveryID
		dl.log = dl.log.With("action", d.Action, "repo", d.Repo, "number", d.Number)
		task := d.task()
		return dl.accept(cfg.AnswerTimeout, "redeliver the webhook", func(ctx context.Context) (queue.Outcome, error) {
			return sink.AcceptGitHub(ctx, task)
		})
	}
}

// gitHubPayload returns the JSON object of a delivery. A hook can be set to either content type; with
// application/x-www-form-urlencoded the JSON is the "payload" field, and the signature still covers the
// raw body.
func gitHubPayload(contentType string, body []byte) ([]byte, error) {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && mt == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, errors.New("form body does not parse: " + err.Error())
		}
		body = []byte(form.Get("payload"))
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		msg := "body is not a JSON object"
		if err != nil {
			msg = "body is not JSON: " + err.Error()
		}
		return nil, errors.New(msg)
	}
	return body, nil
}

// gitHubDelivery reduces a payload to what the job of its event needs. It returns errIgnored for the
// events and actions Hindsight does not act on, and an error naming the field for a payload that lacks
// what its event needs.
func gitHubDelivery(event string, payload []byte) (oneDelivery, error) {
	d := oneDelivery{Event: event}
	switch event {
	case "pull_request":
		var ev gitHubPullRequestEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return d, errors.New("pull_request payload does not decode: " + err.Error())
		}
		d.Action = ev.Action
		switch ev.Action {
		case "opened", "reopened", "synchronize", "closed":
		default:
			return d, errIgnored
		}
		pr := ev.PullRequest
		if pr == nil {
			return d, errors.New("pull_request payload lacks pull_request")
		}
		if !strings.HasPrefix(pr.Head.Ref, postmortemBranchPrefix) {
			return d, errIgnored
		}
		number := pr.Number
		if number == 0 {
			number = ev.Number
		}
		if err := withRepoAndNumber(&d, ev.Repository, number); err != nil {
			return d, err
		}
		// Hindsight's branches live in the postmortem repository itself: a fork's branch of the same
		// name is somebody else's (head.repo is null once a fork is deleted).
		if pr.Head.Repo == nil || pr.Head.Repo.FullName != d.Repo {
			return d, errIgnored
		}
		if pr.Head.SHA == "" {
			return d, errors.New("pull_request payload lacks pull_request.head.sha")
		}
		d.HeadRef, d.HeadSHA, d.Merged = pr.Head.Ref, pr.Head.SHA, pr.Merged
		return d, nil
	case "issues":
		var ev gitHubIssuesEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return d, errors.New("issues payload does not decode: " + err.Error())
		}
		d.Action = ev.Action
		if ev.Action != "closed" && ev.Action != "reopened" {
			return d, errIgnored
		}
		if ev.Issue == nil {
			return d, errors.New("issues payload lacks issue")
		}
		if ev.Issue.Body != nil {
			d.IssueBody = *ev.Issue.Body
		}
		// Saves a task for every issue that is not an action item; the job checks the marker again.
		if _, ok := postmortem.IsActionItemIssue(d.IssueBody); !ok {
			return d, errIgnored
		}
		d.IssueState = ev.Issue.State
		return d, withRepoAndNumber(&d, ev.Repository, ev.Issue.Number)
	case "issue_comment":
		var ev gitHubIssueCommentEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return d, errors.New("issue_comment payload does not decode: " + err.Error())
		}
		d.Action = ev.Action
		if ev.Action != "created" || ev.Comment == nil || !isCommand(ev.Comment.Body) {
			return d, errIgnored
		}
		if ev.Issue == nil {
			return d, errors.New("issue_comment payload lacks issue")
		}
		d.CommentBody, d.CommentAuthor = ev.Comment.Body, ev.Comment.User.Login
		d.CommentAssociation, d.CommentAuthorType = ev.Comment.AuthorAssociation, ev.Comment.User.Type
		if d.CommentAuthor == "" {
			return d, errors.New("issue_comment payload lacks comment.user.login")
		}
		return d, withRepoAndNumber(&d, ev.Repository, ev.Issue.Number)
	default:
		// ping and everything else.
		return d, errIgnored
	}
}

func withRepoAndNumber(d *oneDelivery, repo *gitHubRepository, number int) error {
	if repo == nil || strings.Count(repo.FullName, "/") != 1 {
		return errors.New(d.Event + " payload lacks repository.full_name")
	}
	if number <= 0 {
		return errors.New(d.Event + " payload lacks the pull request or issue number")
	}
	d.Repo, d.Number = repo.FullName, number
	return nil
}

// isCommand reports whether a comment is a "/hindsight …" command: "/hindsight" alone or followed by
// a space, and not, say, "/hindsightful".
func isCommand(body string) bool {
	rest, ok := strings.CutPrefix(strings.TrimSpace(body), commandPrefix)
	return ok && (rest == "" || strings.ContainsAny(rest[:1], " \t\r\n"))
}

// verifyGitHubSignature reports whether header is "sha256=<hex HMAC-SHA256 of body under secret>".
func verifyGitHubSignature(body []byte, header, secret string) bool {
	hexSig, found := strings.CutPrefix(header, "sha256=")
	if !found || secret == "" {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	return hmac.Equal(got, h.Sum(nil))
}

// oneDelivery is what any event's job may need.
type oneDelivery struct {
	DeliveryID, Event, Action, Repo                                   string
	Number                                                            int
	HeadRef, HeadSHA                                                  string
	Merged                                                            bool
	IssueBody, IssueState                                             string
	CommentBody, CommentAuthor, CommentAssociation, CommentAuthorType string
}

func (d oneDelivery) task() queue.GitHubTask {
	switch d.Event {
	case "pull_request":
		return queue.PullRequestEvent{DeliveryID: d.DeliveryID, Action: d.Action, Repo: d.Repo, Number: d.Number,
			HeadRef: d.HeadRef, HeadSHA: d.HeadSHA, Merged: d.Merged}
	case "issues":
		return queue.IssueEvent{DeliveryID: d.DeliveryID, Action: d.Action, Repo: d.Repo, Number: d.Number}
	}
	return queue.CommentCommand{DeliveryID: d.DeliveryID, Repo: d.Repo, Number: d.Number, Body: d.CommentBody,
		Author: d.CommentAuthor, Association: d.CommentAssociation, AuthorType: d.CommentAuthorType}
}
