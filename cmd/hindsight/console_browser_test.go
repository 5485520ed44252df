package main

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/hindsight-dev/hindsight/queue/queuetest"
)

// TestQueueConsoleInABrowser loads the queue console in headless Chromium the way a person does: the
// browser meets the basic auth challenge, the password typed is the admin token, and the console's page
// then calls its own API with the credentials the browser keeps. CI must run it; elsewhere it is skipped
// when Chromium is absent.
func TestQueueConsoleInABrowser(t *testing.T) {
	rds := queuetest.StartRedis(t)
	parkedArchivedTask(t, rds.URL)
	adminAddr := freeAddr(t)
	startService(t, map[string]string{
		"HINDSIGHT_REDIS_URL":                 rds.URL,
		"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret,
		"HINDSIGHT_OUTPUT_DIR":                t.TempDir(),
		"HINDSIGHT_ADMIN_ADDR":                adminAddr,
		"HINDSIGHT_ADMIN_TOKEN":               adminToken,
	})

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	browser := headlessChromium(t, ctx)

	// password is what the person types at the login prompt; empty, they cancel it.
	var password atomic.Value
	password.Store("")
	var challenges atomic.Int32
	chromedp.ListenTarget(browser, func(ev any) {
		send := func(a chromedp.Action) { inBrowser(browser, a) }
		switch e := ev.(type) {
		case *fetch.EventRequestPaused:
			send(fetch.ContinueRequest(e.RequestID))
		case *fetch.EventAuthRequired:
			challenges.Add(1)
			answer := &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseCancelAuth}
			if p := password.Load().(string); p != "" {
				answer = &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseProvideCredentials, Username: "me", Password: p}
			}
			send(fetch.ContinueWithAuth(e.RequestID, answer))
		}
	})
	url := "http://" + adminAddr + "/admin/queues"

	var refused string
	if err := chromedp.Run(browser,
		fetch.Enable().WithHandleAuthRequests(true),
		chromedp.Navigate(url),
		chromedp.Text("body", &refused, chromedp.ByQuery),
	); err != nil {
		t.Fatalf("load the console without the token: %v", err)
	}
	if !strings.Contains(refused, "admin token required") || challenges.Load() == 0 {
		t.Fatalf("without the token the browser shows %q after %d challenges, want the 401 answer", refused, challenges.Load())
	}

	password.Store(adminToken)
	var queues, archived string
	err := chromedp.Run(browser,
		chromedp.Navigate(url),
		// The dashboard lists the queues once its script has fetched them from the console's API.
		chromedp.WaitVisible(`//table//*[normalize-space(text())="parked"]`, chromedp.BySearch),
		chromedp.Text("table", &queues, chromedp.ByQuery),
		chromedp.Navigate(url+"/queues/parked?status=archived"),
		chromedp.WaitVisible(`//*[contains(text(), "postmortem:incident")]`, chromedp.BySearch),
		chromedp.Text("body", &archived, chromedp.ByQuery),
	)
	if err != nil {
		var body string
		_ = chromedp.Run(browser, chromedp.Text("body", &body, chromedp.ByQuery))
		t.Fatalf("the console did not render the queues: %v\npage text: %.2000s", err, body)
	}
	if !strings.Contains(queues, "parked") {
		t.Errorf("queue table %q lacks the queue", queues)
	}
	if !strings.Contains(archived, "PARKED1") {
		t.Errorf("archived tab %q lacks the task's payload", archived)
	}
}
