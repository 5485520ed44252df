package lifecycle_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/distribution"
	"github.com/hindsight-dev/hindsight/distribution/smtptest"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/lifecycle"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// mailing is a published postmortem, a mail server and a worker that sends the mails.
type mailing struct {
	*pipeline
	smtp *smtptest.Server
	l    *lifecycle.Lifecycle
	pr   int
}

func newMailing(t *testing.T) *mailing {
	t.Helper()
	p := newPipeline(t)
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	srv := smtptest.Start(t, smtptest.Options{Mode: smtptest.StartTLS})
	cfg, err := distribution.ParseSMTPURL(srv.URL("postmortems@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := distribution.NewSMTP(cfg, distribution.SMTPOptions{TLSConfig: srv.ClientTLS(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	pdc, err := pagerduty.New(pagerduty.Options{BaseURL: p.pd.URL(), Token: "pd-token", From: "bot@example.com", MaxWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rdb := p.redis.Client(t)
	sender := &distribution.Sender{Files: p.router, Transport: tr, Log: redisstore.NewMailLog(rdb, time.Hour), Notes: pdc,
		From: cfg.From, FromDomain: cfg.FromDomain(),
		Settings: distribution.Settings{Distribution: postmortem.Distribution{Internal: []string{"eng-all@example.com"}, Customers: []string{"status@example.com"}}},
		Metrics:  distribution.NewMetrics(prometheus.NewRegistry()), Logger: slog.New(slog.DiscardHandler)}
	w := queue.NewWorker(rdb, queue.WorkerConfig{Concurrency: 2, ShutdownTimeout: time.Second, RetryBase: 20 * time.Millisecond, RetryMax: 50 * time.Millisecond},
		map[string]asynq.Handler{queue.TypeMail: queue.NewMailHandler(sender)}, slog.New(slog.DiscardHandler))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Shutdown)
	q := queue.New(rdb, p.store, 3)
	t.Cleanup(func() { _ = q.Close() })
	l := p.lifecycle(func(d *lifecycle.Deps) { d.Mail = q })
	return &mailing{pipeline: p, smtp: srv, l: l, pr: p.gh.PullRequests()[0].Number}
}

// deliver runs the pull_request task of a merge, once per delivery ID.
func (m *mailing) deliver(t *testing.T, number int, head, sha string, deliveries ...string) {
	t.Helper()
	for _, id := range deliveries {
		m.handle(t, m.l, lifecycle.PullRequestEvent{DeliveryID: id, Action: "closed", Repo: "acme/pm", Number: number,
			HeadRef: head, HeadSHA: sha, Merged: true})
	}
}

func (m *mailing) waitDone(t *testing.T) {
	t.Helper()
	insp := asynq.NewInspectorFromRedisClient(m.redis.Client(t))
	waitFor(t, "every mail task done", func() bool {
		info, err := insp.GetQueueInfo("default")
		return err == nil && info.Pending+info.Active+info.Scheduled+info.Retry == 0
	})
}

// A merge delivered twice, with a server refusing the first attempt, ends with one message and one note.
func TestMergedPostmortemIsMailedOnce(t *testing.T) {
	m := newMailing(t)
	m.smtp.Refuse(451)
	head := m.gh.Branches()[postmortem.BranchName(incidentID)]
	m.gh.Merge(m.pr)
	m.deliver(t, m.pr, postmortem.BranchName(incidentID), head, "delivery-1", "delivery-2")
	waitFor(t, "the message", func() bool { return len(m.smtp.Messages()) == 1 })
	m.waitDone(t)
	msgs := m.smtp.Messages()
	if len(msgs) != 1 || !slices.Equal(msgs[0].To, []string{"eng-all@example.com"}) {
		t.Fatalf("messages %+v, want one to the internal list", msgs)
	}
	if m.smtp.Attempts() != 2 {
		t.Errorf("%d attempts, want 2 (one refused, one accepted)", m.smtp.Attempts())
	}
	if !bytes.Contains(msgs[0].Data, []byte("Subject: Postmortem of incident #42")) {
		t.Errorf("subject does not name the incident:\n%s", msgs[0].Data)
	}
	var mailNotes int
	for _, n := range m.pd.Notes(incidentID) {
		if strings.Contains(string(n), "Postmortem merged") {
			mailNotes++
		}
	}
	if mailNotes != 1 {
		t.Errorf("%d notes about the merge, want 1", mailNotes)
	}
	if c, err := queue.ArchivedTasks(m.redis.Client(t)); err != nil || len(c) != 0 {
		t.Errorf("archived tasks %v %v, want none", c, err)
	}
}

// The customer version merged later by a pull request of its own goes to the customer list, once, and the
// internal list gets nothing more.
func TestCustomerVersionMergedLaterGoesToTheCustomerList(t *testing.T) {
	m := newMailing(t)
	head := m.gh.Branches()[postmortem.BranchName(incidentID)]
	m.gh.Merge(m.pr)
	m.deliver(t, m.pr, postmortem.BranchName(incidentID), head, "d1")
	waitFor(t, "the internal message", func() bool { return len(m.smtp.Messages()) == 1 })
	m.waitDone(t)

	rec, _, err := m.store.LoadRecord(context.Background(), incidentID)
	if err != nil {
		t.Fatal(err)
	}
	branch := postmortem.CustomerBranchName(incidentID)
	sha := m.gh.Push(branch, "main", map[string]string{postmortem.PublicPath(rec.Path): "# Slow checkout\n\nIt is fixed.\n"})
	number := m.openPull(t, branch)
	m.gh.Merge(number)
	m.deliver(t, number, branch, sha, "d2", "d3")
	waitFor(t, "the customer message", func() bool { return len(m.smtp.Messages()) == 2 })
	m.waitDone(t)
	msgs := m.smtp.Messages()
	if len(msgs) != 2 || !slices.Equal(msgs[1].To, []string{"status@example.com"}) {
		t.Fatalf("messages %+v, want the second to the customer list", msgs)
	}
	if !bytes.Contains(msgs[1].Data, []byte("/pull/"+itoa(number))) {
		t.Errorf("the customer mail does not link its pull request #%d", number)
	}
}

func (m *mailing) openPull(t *testing.T, head string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, m.gh.URL()+"repos/acme/pm/pulls",
		strings.NewReader(`{"title":"Customer version","head":"`+head+`","base":"main"}`))
	req.Header.Set("Authorization", "token gh-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("open pull request: %s", resp.Status)
	}
	prs := m.gh.PullRequests()
	return prs[len(prs)-1].Number
}

// waitFor polls cond until it holds, for what the worker does in the background.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
