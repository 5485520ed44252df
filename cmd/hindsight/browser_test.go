package main

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// headlessChromium starts Debian's chromium for a browser test and returns its context, ended with the
// test. CI must run such tests; elsewhere they are skipped when Chromium is absent.
func headlessChromium(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium is required in CI (apt-get install -y chromium): %v", err)
		}
		t.Skip("chromium is not installed (apt-get install -y chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()), chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-dev-shm-usage", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	return browser
}

// inBrowser runs a DevTools action on the browser's page from a new goroutine: an event listener must not
// wait for the browser it listens to.
func inBrowser(browser context.Context, a chromedp.Action) {
	go func() {
		c := chromedp.FromContext(browser)
		_ = a.Do(cdp.WithExecutor(browser, c.Target))
	}()
}
