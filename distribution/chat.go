package distribution

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// Chat posts short messages to Slack-compatible incoming webhooks. A webhook's URL is its secret: no
// error or log line holds it.
type Chat struct {
	Client *http.Client
}

// chatTimeout bounds one post when the client sets no timeout of its own.
const chatTimeout = 10 * time.Second

// Post sends {"text": text} to the webhook at url; any answer but a 2xx is an error.
func (c *Chat) Post(ctx context.Context, url, text string) error {
	body, err := json.Marshal(map[string]string{"text": text})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, chatTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("chat webhook: bad URL")
	}
	req.Header.Set("Content-Type", "application/json")
	client := c.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("chat webhook on %s: %w", req.URL.Host, unwrapURLError(err))
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("chat webhook on %s answered %s: %s", req.URL.Host, resp.Status, strings.TrimSpace(string(answer)))
	}
	return nil
}

// unwrapURLError drops the *url.Error around a transport error: it quotes the URL, the webhook's secret.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// chatText is the short message a list's chat gets: what merged, with its links; no body.
func chatText(r postmortem.Mailing, m Message) string {
	var b strings.Builder
	b.WriteString(m.Subject)
	if u := r.FileURL(); u != "" {
		fmt.Fprintf(&b, "\n<%s|Read it>", u)
	}
	if r.PullURL != "" {
		fmt.Fprintf(&b, " · <%s|Pull request>", r.PullURL)
	}
	if r.Audience == postmortem.AudienceInternal && r.IncidentURL != "" {
		fmt.Fprintf(&b, " · <%s|Incident>", r.IncidentURL)
	}
	return b.String()
}
