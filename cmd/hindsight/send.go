package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
)

// runSend signs and posts PagerDuty V3 webhooks, as PagerDuty would: each FILE is one body, sent as it
// is ("-" reads stdin); without FILE, a sample incident's events from triggered to resolved. It prints one
// line per delivery with the answer's status and body, and fails when any answer is not a 2xx.
func runSend(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fl := newFlags("send")
	to := fl.String("to", "", "webhook URL (default: http://127.0.0.1:PORT/webhooks/pagerduty, PORT from HINDSIGHT_LISTEN_ADDR)")
	secret := fl.String("secret", "", "webhook subscription secret to sign with (default: the first of HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS)")
	if err := parseArgs(fl, args); err != nil {
		return err
	}
	if *to == "" || *secret == "" {
		cfg, err := loadConfig(getenv)
		if err != nil {
			return err
		}
		if *to == "" {
			*to = localWebhookURL(cfg.ListenAddr)
		}
		if *secret == "" && len(cfg.PagerDuty.WebhookSecrets) > 0 {
			*secret = cfg.PagerDuty.WebhookSecrets[0]
		}
	}
	if *secret == "" {
		return usageError{"send: no secret to sign with: give --secret or set HINDSIGHT_PAGERDUTY_WEBHOOK_SECRETS"}
	}
	if u, err := url.Parse(*to); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageError{fmt.Sprintf("send: --to %q: want an http(s) URL such as http://127.0.0.1:8080/webhooks/pagerduty", *to)}
	}

	deliveries, err := sendBodies(fl.Args())
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 10 * time.Second}
	failed := 0
	for _, d := range deliveries {
		status, answer, err := post(ctx, client, *to, *secret, d.body)
		if err != nil {
			return fmt.Errorf("send: %s: %w", d.name, err)
		}
		if _, err := fmt.Fprintf(stdout, "%s: %s %s\n", d.name, status, oneLine(answer)); err != nil {
			return err
		}
		if !strings.HasPrefix(status, "2") {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("send: %d of %d deliveries were not accepted", failed, len(deliveries))
	}
	return nil
}

// delivery is one webhook body to send, and the name it is reported under.
type delivery struct {
	name string
	body []byte
}

// sendBodies reads the bodies named (a file, or "-" for stdin once); without names, the sample incident's.
func sendBodies(names []string) ([]delivery, error) {
	var deliveries []delivery
	if len(names) == 0 {
		id, bodies := pagerduty.SampleWebhooks(time.Now())
		for _, b := range bodies {
			ev, err := pagerduty.DecodeEvent(b)
			if err != nil {
				return nil, fmt.Errorf("send: sample: %w", err)
			}
			deliveries = append(deliveries, delivery{ev.Type + " " + id, b})
		}
	}
	stdins := 0
	for _, name := range names {
		var (
			b   []byte
			err error
		)
		if name == "-" {
			if stdins++; stdins > 1 {
				return nil, usageError{"send: \"-\" (stdin) given more than once"}
			}
			b, err = io.ReadAll(os.Stdin)
		} else {
			b, err = os.ReadFile(name) //nolint:gosec // the user names the bodies to send
		}
		if err != nil {
			return nil, fmt.Errorf("send: %w", err)
		}
		deliveries = append(deliveries, delivery{name, b})
	}
	return deliveries, nil
}

// post delivers one body as PagerDuty does and returns the answer's status ("202 Accepted") and body.
func post(ctx context.Context, client *http.Client, to, secret string, body []byte) (status, answer string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, to, bytes.NewReader(body))
	if err != nil {
		return "", "", err
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "PagerDuty-Webhook/V3.0")
	req.Header.Set("X-Webhook-Id", hex.EncodeToString(id))
	req.Header.Set("X-Webhook-Subscription", "hindsight-send")
	req.Header.Set("X-PagerDuty-Signature", pagerduty.Sign(body, secret))
	rep, err := client.Do(req)
	if err != nil {
		return "", "", err
	}
	defer rep.Body.Close()
	b, err := io.ReadAll(io.LimitReader(rep.Body, 64<<10))
	if err != nil {
		return "", "", fmt.Errorf("read the answer: %w", err)
	}
	return rep.Status, string(b), nil
}

// localWebhookURL is the PagerDuty webhook URL of a server listening on addr, reached on this machine.
func localWebhookURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr + "/webhooks/pagerduty"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/webhooks/pagerduty"
}
