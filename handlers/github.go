package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"

	"github.com/hindsight-dev/hindsight/integrations/github"
	"github.com/hindsight-dev/hindsight/lifecycle"
	"github.com/hindsight-dev/hindsight/queue"
)

// gitHubDeliveryID bounds X-GitHub-Delivery (a GUID) before it becomes part of a task ID and a Redis key.
var gitHubDeliveryID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,100}$`)

// handleGitHub receives GitHub webhooks. It answers 202 once the task the delivery calls for is durable in
// Redis (also for a redelivery, a ping and every event it ignores), 401 for a missing or wrong
// X-Hub-Signature-256 or when no secret is configured, 400 for a body that is not a JSON object or lacks
// what its event needs and for missing X-GitHub-Event or X-GitHub-Delivery, 413 above MaxBodyBytes and
// 503 when Redis cannot take it. GitHub does not redeliver by itself, so a 503 is for a person to redeliver.
func handleGitHub(cfg Config, sink GitHubSink, m *metrics) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		deliveryID := r.Header.Get("X-GitHub-Delivery")
		event := r.Header.Get("X-GitHub-Event")
		dl := newDelivery("github", c, m, slog.String("delivery_id", deliveryID), slog.String("event", event))
		reject := dl.reject
		body, err := dl.body()
		if err != nil {
			return err
		}
		if err := github.VerifyWebhook(body, r.Header.Get("X-Hub-Signature-256"), cfg.GitHubSecret); err != nil {
			if errors.Is(err, github.ErrNoWebhookSecret) {
				return reject(http.StatusUnauthorized, err.Error()+": set HINDSIGHT_GITHUB_WEBHOOK_SECRET")
			}
			return reject(http.StatusUnauthorized, err.Error())
		}
		if event == "" {
			return reject(http.StatusBadRequest, "X-GitHub-Event is missing")
		}
		if !gitHubDeliveryID.MatchString(deliveryID) {
			return reject(http.StatusBadRequest, "X-GitHub-Delivery is missing or not a delivery GUID")
		}
		hook, err := github.DecodeWebhook(event, r.Header.Get("Content-Type"), body)
		if err != nil {
			return reject(http.StatusBadRequest, err.Error())
		}
		dl.with(slog.String("action", hook.Action))
		task, repo, number := gitHubTask(deliveryID, hook)
		if task == nil {
			return dl.answer(queue.Ignored)
		}
		dl.with(slog.String("repo", repo), slog.Int("number", number))
		return dl.accept(cfg.AnswerTimeout, "redeliver the webhook", func(ctx context.Context) (queue.Outcome, error) {
			return sink.AcceptGitHub(ctx, task)
		})
	}
}

// gitHubTask is the task a decoded delivery calls for, and the repository and number it concerns; nil
// when it calls for none.
func gitHubTask(deliveryID string, hook github.Webhook) (task lifecycle.GitHubEvent, repo string, number int) {
	switch ev := hook.Event.(type) {
	case github.PullRequestEvent:
		return lifecycle.PullRequestEvent{DeliveryID: deliveryID, Action: hook.Action, Repo: ev.Repo, Number: ev.Number,
			HeadRef: ev.HeadRef, HeadSHA: ev.HeadSHA, Merged: ev.Merged, MergeSHA: ev.MergeSHA,
			ClosedAt: ev.ClosedAt}, ev.Repo, ev.Number
	case github.ChangePullRequest:
		return lifecycle.ConfigEvent{DeliveryID: deliveryID, Repo: ev.Repo, SHA: ev.HeadSHA, Number: ev.Number, BaseRef: ev.BaseRef}, ev.Repo, ev.Number
	case github.PushEvent:
		return lifecycle.ConfigEvent{DeliveryID: deliveryID, Repo: ev.Repo, Push: true, SHA: ev.After, Paths: ev.Paths, Truncated: ev.Truncated}, ev.Repo, 0
	case github.IssueEvent:
		return lifecycle.IssueEvent{DeliveryID: deliveryID, Action: hook.Action, Repo: ev.Repo, Number: ev.Number}, ev.Repo, ev.Number
	case github.CommentCommand:
		return lifecycle.CommentCommand{DeliveryID: deliveryID, Repo: ev.Repo, Number: ev.Number, Body: ev.Body,
			Author: ev.Author, Association: ev.Association, AuthorType: ev.AuthorType}, ev.Repo, ev.Number
	}
	return nil, "", 0
}
