package distribution_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hindsight-dev/hindsight/distribution"
	"github.com/hindsight-dev/hindsight/distribution/smtptest"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/internal/promtest"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue/queuetest"
	"github.com/hindsight-dev/hindsight/redisstore"
)

const (
	incidentID     = "PMAIL01"
	from           = "postmortems@example.com"
	sha            = "0123456789abcdef0123456789abcdef01234567"
	path           = "postmortems/2026-11-30-42-checkout-latency.md"
	postmortemText = "<!-- hindsight:incident PMAIL01 -->\n# Postmortem: checkout latency above SLO\n\n" +
		"## Summary\n\nCheckout was slow for **40 minutes**.\n\n| time | event |\n|---|---|\n| 07:31 | alert |\n"
	customerText = "# Slow checkout on 30 November\n\nFor 40 minutes checkout was slow. It is fixed.\n"
)

var (
	internalList = []string{"eng-all@example.com", "sre@example.com"}
	customerList = []string{"status-subscribers@example.com"}
)

// files is the merged repository: the only reader of GitHub a Sender needs.
type files map[string]string

func (f files) File(_ context.Context, repo, ref, p string) (string, bool, error) {
	c, ok := f[repo+"@"+ref+":"+p]
	return c, ok, nil
}

type env struct {
	smtp   *smtptest.Server
	pd     *pagerdutytest.Server
	log    *redisstore.MailLog
	reg    *prometheus.Registry
	sender *distribution.Sender
	files  files
	now    time.Time
}

func newEnv(t *testing.T, mode smtptest.Mode) *env {
	t.Helper()
	rdb := queuetest.StartRedis(t).Client(t)
	srv := smtptest.Start(t, smtptest.Options{Mode: mode, Username: "hindsight", Password: "s3cret-pass"})
	cfg, err := distribution.ParseSMTPURL(srv.URL(from))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := distribution.NewSMTP(cfg, distribution.SMTPOptions{TLSConfig: srv.ClientTLS(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	pd := pagerdutytest.NewServer(t, "pd-token")
	inc, _, _ := pagerdutytest.Synthetic(incidentID, 42, 2, time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC))
	pd.AddIncident(inc)
	pdc, err := pagerduty.New(pagerduty.Options{BaseURL: pd.URL(), Token: "pd-token", From: "bot@example.com", MaxWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{smtp: srv, pd: pd, log: redisstore.NewMailLog(rdb, time.Hour), reg: prometheus.NewRegistry(),
		files: files{"acme/pm@" + sha + ":" + path: postmortemText}, now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	settings := distribution.Settings{Distribution: postmortem.Distribution{Internal: internalList, Customers: customerList}, ReplyTo: "sre-lead@example.com"}
	e.sender = &distribution.Sender{
		Files: e.files, Transport: tr, Log: e.log, Notes: pdc,
		From: cfg.From, FromDomain: cfg.FromDomain(), Settings: settings,
		People:  map[string]string{"ana@example.com": "ana", "PUSERB2": "ben"},
		Metrics: distribution.NewMetrics(e.reg), Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return e.now },
	}
	return e
}

func request(audience string) postmortem.Mailing {
	p := path
	if audience == postmortem.AudienceCustomers {
		p = postmortem.PublicPath(path)
	}
	return postmortem.Mailing{IncidentID: incidentID, Audience: audience, Repo: "acme/pm", Ref: sha, Path: p,
		PullURL: "https://github.com/acme/pm/pull/7", IncidentNumber: 42, IncidentTitle: "Checkout latency above SLO",
		IncidentURL: "https://acme.pagerduty.com/incidents/" + incidentID, Priority: "P1", Owner: "ana"}
}

// parsed is one received message, split into its headers and parts.
type parsed struct {
	header    mail.Header
	rawHeader string
	parts     map[string]string // by media type
}

func parse(t *testing.T, m smtptest.Message) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("received message does not parse: %v\n%s", err, m.Data)
	}
	rawHeader, _, _ := strings.Cut(string(m.Data), "\r\n\r\n")
	p := parsed{header: msg.Header, rawHeader: rawHeader, parts: map[string]string{}}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(part) // multipart decodes quoted-printable
		if err != nil {
			t.Fatal(err)
		}
		typ, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		p.parts[typ] = string(body)
	}
	return p
}

func TestMergedPostmortemGoesToTheInternalListInBccOnly(t *testing.T) {
	for _, tt := range []struct {
		name string
		mode smtptest.Mode
	}{{"starttls", smtptest.StartTLS}, {"smtps", smtptest.Implicit}} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.mode)
			if err := e.sender.Send(t.Context(), request(postmortem.AudienceInternal)); err != nil {
				t.Fatal(err)
			}
			got := e.smtp.Messages()
			if len(got) != 1 {
				t.Fatalf("%d messages, want 1", len(got))
			}
			m := got[0]
			if m.From != from {
				t.Errorf("envelope sender %q, want %q", m.From, from)
			}
			if !slices.Equal(m.To, internalList) {
				t.Errorf("envelope recipients %v, want exactly the internal list %v", m.To, internalList)
			}
			p := parse(t, m)
			for _, addr := range append(slices.Clone(internalList), customerList...) {
				if strings.Contains(strings.ToLower(p.rawHeader), addr) {
					t.Errorf("a header names the recipient %s:\n%s", addr, p.rawHeader)
				}
			}
			if bcc := p.header.Get("Bcc"); bcc != "" {
				t.Errorf("Bcc header %q written", bcc)
			}
			if to := p.header.Get("To"); to != "undisclosed-recipients:;" {
				t.Errorf("To %q, want the empty group undisclosed-recipients:;", to)
			}
			if rt := p.header.Get("Reply-To"); rt != "<ana@example.com>" && rt != "ana@example.com" {
				t.Errorf("Reply-To %q, want the owner ana's address", rt)
			}
			wantID := "<" + distribution.MessageID(incidentID, postmortem.AudienceInternal, postmortemText, "example.com") + ">"
			if id := p.header.Get("Message-Id"); id != wantID {
				t.Errorf("Message-ID %q, want %q", id, wantID)
			}
			subject, _ := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject"))
			if subject != "Postmortem of incident #42: Checkout latency above SLO" {
				t.Errorf("Subject %q", subject)
			}
			if p.header.Get("Precedence") != "bulk" || p.header.Get("X-Auto-Response-Suppress") != "All" {
				t.Errorf("automatic answers are not suppressed:\n%s", p.rawHeader)
			}
			fileURL := "https://github.com/acme/pm/blob/" + sha + "/" + path
			text, html := p.parts["text/plain"], p.parts["text/html"]
			for _, want := range []string{"Checkout was slow for **40 minutes**.", "Postmortem: " + fileURL, "Pull request: https://github.com/acme/pm/pull/7"} {
				if !strings.Contains(text, want) {
					t.Errorf("plain-text part lacks %q:\n%s", want, text)
				}
			}
			for _, want := range []string{"<strong>40 minutes</strong>", "<table>", `<a href="` + fileURL + `">`, `<a href="https://github.com/acme/pm/pull/7">`} {
				if !strings.Contains(html, want) {
					t.Errorf("HTML part lacks %q:\n%s", want, html)
				}
			}
			if strings.Contains(text+html, "hindsight:incident") {
				t.Error("Hindsight's markers are in the mail")
			}
			notes := e.pd.Notes(incidentID)
			if len(notes) != 1 {
				t.Fatalf("%d notes, want 1", len(notes))
			}
			var note struct{ Content string }
			_ = json.Unmarshal(notes[0], &note)
			if !strings.Contains(note.Content, "Postmortem merged: "+fileURL) || !strings.Contains(note.Content, "internal list") ||
				!strings.Contains(note.Content, "https://github.com/acme/pm/pull/7") {
				t.Errorf("note %q does not say the postmortem merged, where, and to which list", note.Content)
			}
			if strings.Contains(note.Content, "@example.com") {
				t.Errorf("note %q names addresses", note.Content)
			}
			if n := promtest.Counter(t, e.reg, "hindsight_postmortem_mails_total", map[string]string{"list": "internal", "outcome": "sent"}); n != 1 {
				t.Errorf("sent counter %v, want 1", n)
			}
		})
	}
}

// The same merge delivered again, or its task run again, sends nothing more: one message, one note.
func TestDuplicateRequestsSendOneMessage(t *testing.T) {
	e := newEnv(t, smtptest.StartTLS)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() { errs <- e.sender.Send(context.Background(), request(postmortem.AudienceInternal)) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		// Attempts that ran beside the one sending are told to come back later.
		if err != nil && !errors.Is(err, distribution.ErrInProgress) {
			t.Fatal(err)
		}
	}
	if err := e.sender.Send(t.Context(), request(postmortem.AudienceInternal)); err != nil {
		t.Fatal(err)
	}
	if n := len(e.smtp.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	if n := len(e.pd.Notes(incidentID)); n != 1 {
		t.Errorf("%d notes, want 1", n)
	}
}

// A server that refuses the first attempt (451) gets the message again on the retry, once.
func TestRefusedSendIsRetriedOnce(t *testing.T) {
	e := newEnv(t, smtptest.StartTLS)
	e.smtp.Refuse(451)
	err := e.sender.Send(t.Context(), request(postmortem.AudienceInternal))
	var refused *distribution.DeliveryError
	if !errors.As(err, &refused) || refused.Permanent || errors.Is(err, distribution.ErrUnconfirmed) {
		t.Fatalf("first attempt: %v, want a temporary refusal", err)
	}
	if len(e.smtp.Messages()) != 0 || len(e.pd.Notes(incidentID)) != 0 {
		t.Fatal("a refused message was recorded or noted")
	}
	if err := e.sender.Send(t.Context(), request(postmortem.AudienceInternal)); err != nil {
		t.Fatal(err)
	}
	if n := len(e.smtp.Messages()); n != 1 || e.smtp.Attempts() != 2 {
		t.Errorf("%d messages after %d attempts, want 1 after 2", n, e.smtp.Attempts())
	}
	if n := promtest.Counter(t, e.reg, "hindsight_postmortem_mails_total", map[string]string{"list": "internal", "outcome": "failed"}); n != 1 {
		t.Errorf("failed counter %v, want 1", n)
	}
}

// A 5xx refusal archives the task at once: no retry would be answered differently.
func TestPermanentRefusalIsNotRetried(t *testing.T) {
	e := newEnv(t, smtptest.StartTLS)
	e.smtp.Refuse(554)
	err := e.sender.Send(t.Context(), request(postmortem.AudienceInternal))
	if !errors.Is(err, postmortem.ErrPermanent) {
		t.Fatalf("%v, want ErrPermanent", err)
	}
}

// When the server's answer to the message is lost, it may have been delivered: it is never sent again, and
// the failure says so instead of passing silently.
func TestLostAnswerIsUnconfirmedNotResent(t *testing.T) {
	e := newEnv(t, smtptest.StartTLS)
	cfg, _ := distribution.ParseSMTPURL(e.smtp.URL(from))
	// A short timeout so the lost answer is noticed quickly; the server never answers, whatever the wait.
	tr, err := distribution.NewSMTP(cfg, distribution.SMTPOptions{TLSConfig: e.smtp.ClientTLS(), Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e.sender.Transport = tr
	e.smtp.LoseAnswers(1)
	err = e.sender.Send(t.Context(), request(postmortem.AudienceInternal))
	if !errors.Is(err, distribution.ErrUnconfirmed) {
		t.Fatalf("%v, want ErrUnconfirmed", err)
	}
	for i := range 2 {
		e.now = e.now.Add(time.Duration(i+1) * time.Hour) // long after the attempt: not one still running
		if err := e.sender.Send(t.Context(), request(postmortem.AudienceInternal)); !errors.Is(err, distribution.ErrUnconfirmed) {
			t.Fatalf("retry %d: %v, want ErrUnconfirmed", i+1, err)
		}
	}
	if n := e.smtp.Attempts(); n != 1 {
		t.Errorf("%d SMTP transactions, want 1", n)
	}
	if n := promtest.Counter(t, e.reg, "hindsight_postmortem_mails_total", map[string]string{"list": "internal", "outcome": "unconfirmed"}); n != 3 {
		t.Errorf("unconfirmed counter %v, want 3", n)
	}
	if len(e.pd.Notes(incidentID)) != 0 {
		t.Error("an unconfirmed mail was noted as sent")
	}
}

// A worker stopped after recording "sending" left no answer: a restarted one waits while the attempt could
// still be running, then reports it unconfirmed, and never sends.
func TestRestartMidSendDoesNotMailTwice(t *testing.T) {
	e := newEnv(t, smtptest.StartTLS)
	id := distribution.MessageID(incidentID, postmortem.AudienceInternal, postmortemText, "example.com")
	if _, claimed, err := e.log.Claim(t.Context(), id, e.now); err != nil || !claimed {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	e.now = e.now.Add(time.Minute)
	if err := e.sender.Send(t.Context(), request(postmortem.AudienceInternal)); !errors.Is(err, distribution.ErrInProgress) {
		t.Fatalf("while the first attempt may run: %v, want ErrInProgress", err)
	}
	e.now = e.now.Add(distribution.DefaultStaleAfter)
	if err := e.sender.Send(t.Context(), request(postmortem.AudienceInternal)); !errors.Is(err, distribution.ErrUnconfirmed) {
		t.Fatalf("after it: %v, want ErrUnconfirmed", err)
	}
	if n := e.smtp.Attempts(); n != 0 {
		t.Errorf("%d SMTP transactions, want none", n)
	}
	// An operator who checked the server's log forgets the record: the next attempt sends it.
	if ok, err := e.log.Forget(t.Context(), id); err != nil || !ok {
		t.Fatalf("forget: %v %v", ok, err)
	}
	if err := e.sender.Send(t.Context(), request(postmortem.AudienceInternal)); err != nil {
		t.Fatal(err)
	}
	if n := len(e.smtp.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

// The customer version goes to the customer list only, titled by its own heading, without the incident's
// link; its chat gets the links and no body.
func TestCustomerVersionGoesToTheCustomerList(t *testing.T) {
	e := newEnv(t, smtptest.StartTLS)
	e.files["acme/pm@"+sha+":"+postmortem.PublicPath(path)] = customerText
	var posts []string
	var mu sync.Mutex
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Text string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		posts = append(posts, body.Text)
		mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(hook.Close)
	e.sender.Settings.Chat.Customers = hook.URL + "/services/T000/B000/XXXX"
	e.sender.Chat = &distribution.Chat{Client: hook.Client()}
	for range 2 {
		if err := e.sender.Send(t.Context(), request(postmortem.AudienceCustomers)); err != nil {
			t.Fatal(err)
		}
	}
	got := e.smtp.Messages()
	if len(got) != 1 || !slices.Equal(got[0].To, customerList) {
		t.Fatalf("messages %+v, want one to the customer list", got)
	}
	p := parse(t, got[0])
	subject, _ := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject"))
	if subject != "Incident report #42: Slow checkout on 30 November" {
		t.Errorf("Subject %q", subject)
	}
	if strings.Contains(p.parts["text/plain"]+p.parts["text/html"], "pagerduty.com") {
		t.Error("the customer mail links the internal incident")
	}
	if len(posts) != 1 {
		t.Fatalf("%d chat posts, want 1", len(posts))
	}
	if !strings.Contains(posts[0], "/blob/"+sha+"/postmortems/public/") || !strings.Contains(posts[0], "pull/7") || strings.Contains(posts[0], "It is fixed") {
		t.Errorf("chat post %q: want the links and no body", posts[0])
	}
	var note struct{ Content string }
	notes := e.pd.Notes(incidentID)
	if len(notes) != 1 {
		t.Fatalf("%d notes, want 1", len(notes))
	}
	_ = json.Unmarshal(notes[0], &note)
	if !strings.Contains(note.Content, "Customer version") || !strings.Contains(note.Content, "customers list") || !strings.Contains(note.Content, "customers chat") {
		t.Errorf("note %q", note.Content)
	}
}

// Without a customer version in the merged commit, or without a list, nothing is mailed.
func TestNothingToMail(t *testing.T) {
	e := newEnv(t, smtptest.StartTLS)
	if err := e.sender.Send(t.Context(), request(postmortem.AudienceCustomers)); err != nil {
		t.Fatal(err)
	}
	e.sender.Settings.Internal = nil
	if err := e.sender.Send(t.Context(), request(postmortem.AudienceInternal)); err != nil {
		t.Fatal(err)
	}
	if e.smtp.Attempts() != 0 || len(e.pd.Notes(incidentID)) != 0 {
		t.Error("something was mailed or noted")
	}
}

// Lists come from the configuration, the deciding policy rule and every matching route; replies go to the
// configured address when the owner has none.
func TestListsByRuleAndRoute(t *testing.T) {
	e := newEnv(t, smtptest.StartTLS)
	e.sender.Policy = postmortem.Policy{Rules: []postmortem.Rule{
		{Priorities: []string{"P1"}, Postmortem: "required", Distribution: postmortem.Distribution{Internal: []string{"execs@example.com", "SRE@example.com"}}},
		{Postmortem: "required", Distribution: postmortem.Distribution{Internal: []string{"never@example.com"}}},
	}}
	e.sender.Routes = []postmortem.Route{
		{Services: []string{"Checkout"}, Distribution: postmortem.Distribution{Internal: []string{"checkout@example.com"}}},
		{Teams: []string{"Payments"}, Distribution: postmortem.Distribution{Internal: []string{"payments@example.com"}}},
	}
	r := request(postmortem.AudienceInternal)
	r.Service = postmortem.Service{ID: "PSVC1", Name: "Checkout"}
	r.Owner = "ben" // no address configured for ben
	if err := e.sender.Send(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	got := e.smtp.Messages()
	want := []string{"eng-all@example.com", "sre@example.com", "execs@example.com", "checkout@example.com"}
	if len(got) != 1 || !slices.Equal(got[0].To, want) {
		t.Fatalf("recipients %v, want %v", got, want)
	}
	if rt := parse(t, got[0]).header.Get("Reply-To"); !strings.Contains(rt, "sre-lead@example.com") {
		t.Errorf("Reply-To %q, want the configured sre-lead@example.com", rt)
	}
}

// An attempt that ends (its task's timeout, a shutdown) while the server holds the message unanswered cuts
// the connection at once rather than waiting out the SMTP timeout, and leaves the message unconfirmed.
func TestEndedAttemptCutsTheTransaction(t *testing.T) {
	e := newEnv(t, smtptest.StartTLS)
	cfg, _ := distribution.ParseSMTPURL(e.smtp.URL(from))
	tr, err := distribution.NewSMTP(cfg, distribution.SMTPOptions{TLSConfig: e.smtp.ClientTLS(), Timeout: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	e.sender.Transport = tr
	e.smtp.LoseAnswers(1)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.sender.Send(ctx, request(postmortem.AudienceInternal)) }()
	for e.smtp.Attempts() == 0 {
		select {
		case err := <-done:
			t.Fatalf("returned before the server had the message: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, distribution.ErrUnconfirmed) {
			t.Fatalf("%v, want ErrUnconfirmed", err)
		}
	case <-time.After(time.Minute): // far below the 10-minute SMTP timeout
		t.Fatal("the cut attempt waited for the SMTP timeout")
	}
}
