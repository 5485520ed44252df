package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/distribution/smtptest"
	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
)

// TestEndToEndMergedPostmortemIsMailed runs serve with HINDSIGHT_SMTP_URL: the merge, delivered twice,
// mails the internal list once, in Bcc, and notes on the incident which list it went to.
func TestEndToEndMergedPostmortemIsMailed(t *testing.T) {
	redis := queuetest.StartRedis(t)
	pd := pagerdutytest.NewServer(t, pdToken)
	incident, entries, notes := pagerdutytest.Synthetic("PCPZE64", 6, 20, time.Date(2021, 6, 4, 12, 0, 0, 0, time.UTC))
	pd.AddIncident(incident)
	pd.AddLogEntries("PCPZE64", entries...)
	pd.AddNotes("PCPZE64", notes...)
	gh := githubtest.NewServer(t, "acme", "postmortems", ghToken)
	gh.AddCollaborators("ana-gh", "ben-gh")
	mail := smtptest.Start(t, smtptest.Options{Mode: smtptest.Plain})
	env := fakesEnv(redis.URL, pd, gh, writeConfig(t, `people:
  PUSERA1: ana-gh
  PUSERB2: ben-gh
distribution:
  internal: [engineering@example.com, sre@example.com]
  customers: [status@example.com]
  reply_to: sre-lead@example.com
log:
  format: text
`))
	env["HINDSIGHT_GITHUB_WEBHOOK_SECRET"] = githubSecret
	env["HINDSIGHT_SMTP_URL"] = mail.URL("postmortems@example.com")
	svc := startService(t, env)
	svc.deliver(t, resolvedFixture(t), "resolved-1")
	eventually(t, "the pull request", func() bool { return len(gh.PullRequests()) == 1 }, svc.logs)
	pr := gh.PullRequests()[0]
	gh.Merge(pr.Number)
	merged := gh.Branches()[pr.Head]
	for _, delivery := range []string{"gh-merge-1", "gh-merge-2"} {
		svc.deliverGitHub(t, "pull_request", delivery, githubEvent(t, "pull_request.closed.merged.json", setPull(pr.Number, pr.Head, merged, true)))
	}
	eventually(t, "the mail", func() bool { return len(mail.Messages()) == 1 }, svc.logs)
	eventually(t, "the note naming the list", func() bool {
		for _, n := range pd.Notes("PCPZE64") {
			var note struct{ Content string }
			_ = json.Unmarshal(n, &note)
			if strings.Contains(note.Content, "Postmortem merged") && strings.Contains(note.Content, "internal list") {
				return !strings.Contains(note.Content, "engineering@")
			}
		}
		return false
	}, svc.logs)
	m := mail.Messages()[0]
	if !slices.Equal(m.To, []string{"engineering@example.com", "sre@example.com"}) {
		t.Errorf("recipients %v", m.To)
	}
	header, _, _ := bytes.Cut(m.Data, []byte("\r\n\r\n"))
	if bytes.Contains(header, []byte("engineering@")) || bytes.Contains(header, []byte("sre@")) {
		t.Errorf("a header names a recipient:\n%s", header)
	}
	if !bytes.Contains(header, []byte("Reply-To: <sre-lead@example.com>")) {
		t.Errorf("Reply-To is not the configured address:\n%s", header)
	}
	resp, err := http.Get("http://" + svc.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	metrics, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(metrics), `hindsight_postmortem_mails_total{list="internal",outcome="sent"} 1`) {
		t.Errorf("metrics lack the sent mail")
	}
	if len(mail.Messages()) != 1 {
		t.Errorf("%d messages, want 1", len(mail.Messages()))
	}
}
