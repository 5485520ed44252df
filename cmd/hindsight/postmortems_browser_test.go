package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// seedPostmortems stores what the pipeline and the GitHub jobs would have: a merged postmortem with its
// action items, an overdue one, and one still within its due time, on two services.
func seedPostmortems(t *testing.T, redisURL string, now time.Time) {
	t.Helper()
	rdb, err := redisstore.OpenRedis(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	store := redisstore.NewStore(rdb, time.Hour)
	ctx := context.Background()
	h := time.Hour
	day := 24 * h
	ago := func(d time.Duration) int64 { return now.Add(-d).Unix() }
	pull := func(n int) string { return fmt.Sprintf("https://github.example/acme/pm/pull/%d", n) }
	for _, r := range []redisstore.Record{
		{IncidentID: "PMERGED1", IncidentNumber: 101, IncidentTitle: "Card payments failing", Priority: "P1", Service: "Payments API",
			Owner: "dana", Reviewers: "dana,sre-lead", PullURL: pull(1), PullNumber: 1,
			TriggeredAt: ago(20*day + 2*h), AcknowledgedAt: ago(20*day + 2*h - 5*time.Minute), ResolvedAt: ago(20 * day),
			Due: ago(18 * day), OpenedAt: ago(20 * day), MergedAt: ago(19 * day)},
		{IncidentID: "POVERDU2", IncidentNumber: 102, IncidentTitle: "Refund queue stuck", Priority: "P2", Service: "Payments API",
			Owner: "eli", Reviewers: "sre-lead", PullURL: pull(2), PullNumber: 2,
			TriggeredAt: ago(6*day + 3*h), AcknowledgedAt: ago(6*day + 3*h - 12*time.Minute), ResolvedAt: ago(6 * day),
			Due: ago(4 * day), OpenedAt: ago(6 * day)},
		{IncidentID: "POPEN003", IncidentNumber: 103, IncidentTitle: "Search latency", Priority: "P2", Service: "Search",
			Owner: "fay", PullURL: pull(3), PullNumber: 3,
			TriggeredAt: ago(5 * h), AcknowledgedAt: ago(5*h - 2*time.Minute), ResolvedAt: ago(4 * h),
			Due: now.Add(44 * h).Unix(), OpenedAt: ago(4 * h)},
	} {
		if err := store.SaveRecord(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []redisstore.ActionItemRecord{
		{Repo: "acme/pm", Number: 11, IncidentID: "PMERGED1", Open: false, Opened: now.Add(-19 * day), Closed: now.Add(-10 * day)},
		{Repo: "acme/pm", Number: 12, IncidentID: "PMERGED1", Open: true, Opened: now.Add(-19 * day)},
		{Repo: "acme/pm", Number: 21, IncidentID: "POVERDU2", Open: true, Opened: now.Add(-6 * day)},
	} {
		if err := store.SaveActionItem(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPostmortemsPageInABrowser loads the postmortems page in headless Chromium behind the admin token: the
// table holds the stored postmortems, the overdue one is marked, the charts are drawn, and the page logs no
// error (neither its own nor the browser's) and throws no exception.
func TestPostmortemsPageInABrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	browser := headlessChromium(t, ctx)

	rds := queuetest.StartRedis(t)
	seedPostmortems(t, rds.URL, time.Now())
	adminAddr := freeAddr(t)
	startService(t, map[string]string{
		"HINDSIGHT_REDIS_URL":                 rds.URL,
		"HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS": webhookSecret,
		"HINDSIGHT_OUTPUT_DIR":                t.TempDir(),
		"HINDSIGHT_ADMIN_ADDR":                adminAddr,
		"HINDSIGHT_ADMIN_TOKEN":               adminToken,
	})

	var mu sync.Mutex
	var problems []string
	chromedp.ListenTarget(browser, func(ev any) {
		send := func(a chromedp.Action) { inBrowser(browser, a) }
		switch e := ev.(type) {
		case *fetch.EventRequestPaused:
			send(fetch.ContinueRequest(e.RequestID))
		case *fetch.EventAuthRequired:
			// The person types the admin token at the browser's login prompt.
			send(fetch.ContinueWithAuth(e.RequestID, &fetch.AuthChallengeResponse{
				Response: fetch.AuthChallengeResponseResponseProvideCredentials, Username: "me", Password: adminToken}))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError || e.Type == runtime.APITypeWarning || e.Type == runtime.APITypeAssert {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				mu.Lock()
				problems = append(problems, fmt.Sprintf("console.%s: %s", e.Type, strings.Join(args, " ")))
				mu.Unlock()
			}
		case *cdplog.EventEntryAdded:
			// The browser's own errors: a resource that failed to load, a blocked content security policy.
			if e.Entry.Level == cdplog.LevelError {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("log (%s): %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
				mu.Unlock()
			}
		case *runtime.EventExceptionThrown:
			mu.Lock()
			problems = append(problems, "exception: "+e.ExceptionDetails.Error())
			mu.Unlock()
		}
	})

	var rows []map[string]string
	var overdue, overdueState, title string
	var bars, drawn int
	err := chromedp.Run(browser,
		runtime.Enable(),
		cdplog.Enable(),
		fetch.Enable().WithHandleAuthRequests(true),
		chromedp.Navigate("http://"+adminAddr+"/postmortems"),
		chromedp.WaitVisible(`#postmortems`, chromedp.ByQuery),
		chromedp.Title(&title),
		chromedp.Evaluate(`[...document.querySelectorAll('#postmortems tbody tr')].map(tr => ({id: tr.dataset.incident, state: tr.dataset.state, text: tr.innerText}))`, &rows),
		chromedp.AttributeValue(`tr[data-incident="POVERDU2"]`, "class", &overdue, nil, chromedp.ByQuery),
		chromedp.Text(`tr[data-incident="POVERDU2"] .state`, &overdueState, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('svg.chart rect.bar').length`, &bars),
		// Drawn: the bars have a size on the page, not only in the markup.
		chromedp.Evaluate(`[...document.querySelectorAll('#ack-by-week rect.bar, #items-by-service rect.bar')].filter(r => { const b = r.getBoundingClientRect(); return b.width > 0 && b.height > 0 }).length`, &drawn),
	)
	if err != nil {
		var body string
		_ = chromedp.Run(browser, chromedp.Text("body", &body, chromedp.ByQuery))
		t.Fatalf("the page did not load: %v\npage text: %.2000s", err, body)
	}
	if title != "Postmortems · Hindsight" {
		t.Errorf("title %q", title)
	}
	got := map[string]map[string]string{}
	for _, r := range rows {
		got[r["id"]] = r
	}
	for id, state := range map[string]string{"PMERGED1": "merged", "POVERDU2": "overdue", "POPEN003": "open"} {
		if got[id] == nil || got[id]["state"] != state {
			t.Errorf("row of %s: %v, want state %s", id, got[id], state)
		}
	}
	if len(rows) != 3 {
		t.Errorf("%d rows, want 3: %v", len(rows), rows)
	}
	if r := got["PMERGED1"]; r != nil && (!strings.Contains(r["text"], "Card payments failing") || !strings.Contains(r["text"], "dana, sre-lead")) {
		t.Errorf("merged row text %q", r["text"])
	}
	if !strings.Contains(overdue, "state-overdue") || strings.TrimSpace(overdueState) != "overdue" {
		t.Errorf("overdue row: class %q, state %q", overdue, overdueState)
	}
	if bars == 0 || drawn < 2 {
		t.Errorf("%d bars in the charts, %d of the checked ones drawn with a size", bars, drawn)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Errorf("the page reported problems:\n%s", strings.Join(problems, "\n"))
	}
}
