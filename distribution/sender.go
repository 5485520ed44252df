package distribution

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// Errors of Send that tell the queue what to do.
var (
	// ErrUnconfirmed: an SMTP transaction of the message started and never confirmed (the server's answer
	// was lost, or the worker stopped mid-send). It may have gone out, so it is not sent again: the task is
	// archived with this reason (it is permanent) and counted, for a person to check the mail server's log.
	ErrUnconfirmed = fmt.Errorf("the message may have been sent: its SMTP transaction never confirmed, so it is not sent again: %w", postmortem.ErrPermanent)
	// ErrInProgress: another attempt is sending the message now; the task is tried again shortly, like one
	// that finds a lock taken.
	ErrInProgress = fmt.Errorf("another attempt is sending the message: %w", redisstore.ErrLocked)
)

// FileReader reads a file of a repository at a ref; ok is false when it is not there.
type FileReader interface {
	File(ctx context.Context, repo, ref, path string) (content string, ok bool, err error)
}

// Transport runs one SMTP transaction (see SMTP.Send for what its errors mean).
type Transport interface {
	Send(ctx context.Context, m Message) error
}

// SentLog records by Message-ID what has been sent (redisstore.MailLog).
type SentLog interface {
	Claim(ctx context.Context, messageID string, now time.Time) (redisstore.MailState, bool, error)
	Release(ctx context.Context, messageID string) error
	MarkSent(ctx context.Context, messageID string, at time.Time) error
	MarkStep(ctx context.Context, messageID, step string) error
}

// Settings are the distribution's configuration, the `distribution` key: the lists every merged
// postmortem goes to (policy rules and routes add theirs), where replies go, and the chat webhooks.
type Settings struct {
	postmortem.Distribution `yaml:",inline"`
	// ReplyTo receives the replies when the postmortem's owner has no address.
	ReplyTo string `yaml:"reply_to"`
	// Chat holds a Slack-compatible incoming-webhook URL per list, which gets a short message with the
	// links.
	Chat struct {
		Internal  string `yaml:"internal"`
		Customers string `yaml:"customers"`
	} `yaml:"chat"`
}

// chatURL is the webhook of an audience's list; "" for none.
func (s Settings) chatURL(audience string) string {
	if audience == postmortem.AudienceCustomers {
		return s.Chat.Customers
	}
	return s.Chat.Internal
}

// DefaultStaleAfter is how long a message's "sending" record may stand before it is taken for an
// attempt that stopped mid-send rather than one still running: longer than any attempt can run.
const DefaultStaleAfter = 10 * time.Minute

// Sender mails merged postmortems.
type Sender struct {
	Files     FileReader
	Transport Transport
	Log       SentLog
	// Notes, when set, gets a note on the incident once its postmortem is mailed.
	Notes postmortem.NoteWriter
	// Chat posts to the lists' webhooks.
	Chat *Chat
	// From is the sender as written; FromDomain ends every Message-ID.
	From, FromDomain string
	Settings         Settings
	Policy           postmortem.Policy
	Routes           []postmortem.Route
	// People maps PagerDuty user IDs or emails to GitHub logins: an email key is the address of its login,
	// where replies to that owner's postmortem go.
	People map[string]string
	// Rules, when set, gives the lists, the reply address, the policy, the routes and the people of each
	// mail instead of Settings' lists and reply_to, Policy, Routes and People: the postmortem repository's
	// rules over the service's, so that a change merged there decides who gets the next mail. The chat
	// webhooks always come from Settings.
	Rules postmortem.Rules
	// StaleAfter: see DefaultStaleAfter; 0 for it.
	StaleAfter time.Duration
	Metrics    *Metrics
	Logger     *slog.Logger
	Now        func() time.Time
}

// Step names recorded in the SentLog once done.
const (
	stepChat = "chat"
	stepNote = "note"
)

// Send mails the merged file of r to its audience's list, once. The record in the SentLog is written
// before the SMTP transaction and completed after it, so a duplicate request, a retry and a restart find
// it: a message recorded as sent is not sent again, and one whose transaction started but never confirmed
// is not sent again either (ErrUnconfirmed; at most once, and never silently). A transaction the server
// certainly refused is forgotten, so the retry sends it. The chat post and the PagerDuty note follow,
// each recorded once done.
func (s *Sender) Send(ctx context.Context, r postmortem.Mailing) error {
	if err := r.Check(); err != nil {
		return fmt.Errorf("%w: %w", err, postmortem.ErrPermanent)
	}
	log := s.Logger.With("incident_id", r.IncidentID, "list", r.Audience, "path", r.Path)
	content, ok, err := s.Files.File(ctx, r.Repo, r.Ref, r.Path)
	if err != nil {
		return fmt.Errorf("read %s at %s: %w", r.Path, r.Ref, err)
	}
	if !ok {
		// The customer version is looked for on every merge, and is mostly not there.
		log.Info("nothing to mail: the file is not in the merged commit", "ref", r.Ref)
		return nil
	}
	rules := s.rules(ctx)
	dist := postmortem.DistributionFor(r.Incident(), rules.Distribution, rules.Policy, rules.Routes)
	recipients := dist.List(r.Audience)
	if len(recipients) == 0 {
		log.Info("nothing to mail: no address is configured for this list")
		s.Metrics.observe(r.Audience, "no_list")
		return nil
	}
	now := s.now()
	m, err := compose(r, content, s.From, s.FromDomain, replyTo(rules, r.Owner), recipients, now)
	if err != nil {
		return fmt.Errorf("%w: %w", err, postmortem.ErrPermanent)
	}
	log = log.With("message_id", m.ID)
	state, claimed, err := s.Log.Claim(ctx, m.ID, now)
	if err != nil {
		return err
	}
	switch {
	case claimed:
		if err := s.transact(ctx, log, r, m); err != nil {
			return err
		}
		state = redisstore.MailState{State: redisstore.MailSent, Steps: map[string]bool{}}
	case state.State == redisstore.MailSent:
		log.Info("already sent; not sent again", "sent_at", state.SentAt)
		s.Metrics.observe(r.Audience, "duplicate")
	case now.Sub(state.StartedAt) < s.staleAfter():
		return fmt.Errorf("mail %s: %w", m.ID, ErrInProgress)
	default:
		s.Metrics.observe(r.Audience, "unconfirmed")
		log.Error("mail not sent again: an earlier SMTP transaction started and never confirmed; check the mail server's log for this Message-ID",
			"started_at", state.StartedAt)
		return fmt.Errorf("mail %s, started %s: %w", m.ID, state.StartedAt.UTC().Format(time.RFC3339), ErrUnconfirmed)
	}
	return s.followUps(ctx, log, r, m, len(recipients), state.Steps)
}

// transact runs the SMTP transaction of a claimed message and records its outcome.
func (s *Sender) transact(ctx context.Context, log *slog.Logger, r postmortem.Mailing, m Message) error {
	err := s.Transport.Send(ctx, m)
	// The outcome is recorded even when the attempt's context has ended.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), redisstore.IOTimeout)
	defer cancel()
	if err != nil {
		var refused *DeliveryError
		if !errors.As(err, &refused) {
			s.Metrics.observe(r.Audience, "unconfirmed")
			log.Error("mail may have been sent: the server's answer never came; it is not sent again", "error", err)
			return fmt.Errorf("mail %s: %w: %w", m.ID, err, ErrUnconfirmed)
		}
		s.Metrics.observe(r.Audience, "failed")
		if rerr := s.Log.Release(rctx, m.ID); rerr != nil {
			// The record stays "sending": the retry will take it for unconfirmed rather than send twice.
			return errors.Join(err, rerr)
		}
		log.Warn("mail not sent", "error", err, "permanent", refused.Permanent)
		if refused.Permanent {
			return fmt.Errorf("mail %s: %w: %w", m.ID, err, postmortem.ErrPermanent)
		}
		return fmt.Errorf("mail %s: %w", m.ID, err)
	}
	if err := s.Log.MarkSent(rctx, m.ID, s.now()); err != nil {
		return fmt.Errorf("mail %s was sent but not recorded: %w", m.ID, err)
	}
	s.Metrics.observe(r.Audience, "sent")
	log.Info("postmortem mailed", "recipients", len(m.Bcc))
	return nil
}

// followUps posts to the list's chat and notes on the incident where the postmortem went, each once.
func (s *Sender) followUps(ctx context.Context, log *slog.Logger, r postmortem.Mailing, m Message, recipients int, done map[string]bool) error {
	chatURL := s.Settings.chatURL(r.Audience)
	if chatURL != "" && s.Chat != nil && !done[stepChat] {
		if err := s.Chat.Post(ctx, chatURL, chatText(r, m)); err != nil {
			return fmt.Errorf("post %s to the %s chat: %w", m.ID, r.Audience, err)
		}
		if err := s.Log.MarkStep(ctx, m.ID, stepChat); err != nil {
			return err
		}
		log.Info("postmortem posted to the list's chat")
	}
	if s.Notes != nil && !done[stepNote] {
		_, err := s.Notes.AddNote(ctx, r.IncidentID, noteText(r, recipients, chatURL != "" && s.Chat != nil))
		if errors.Is(err, postmortem.ErrNoteNotWritten) {
			log.Info("no note on the incident: no PagerDuty token")
			return nil
		}
		if err != nil {
			return fmt.Errorf("note on %s that its postmortem was mailed: %w", r.IncidentID, err)
		}
		if err := s.Log.MarkStep(ctx, m.ID, stepNote); err != nil {
			return err
		}
	}
	return nil
}

// noteText says on the incident that the postmortem merged, where it is, and which list it went to: the
// list's name, never its addresses.
func noteText(r postmortem.Mailing, recipients int, chat bool) string {
	what := "Postmortem merged"
	if r.Audience == postmortem.AudienceCustomers {
		what = "Customer version of the postmortem merged"
	}
	link := r.FileURL()
	if link == "" {
		link = r.Path
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", what, link)
	if r.PullURL != "" {
		fmt.Fprintf(&b, " (pull request %s)", r.PullURL)
	}
	fmt.Fprintf(&b, ". Mailed to the %s list (%d %s, in Bcc)", r.Audience, recipients, postmortem.Plural(recipients, "recipient"))
	if chat {
		fmt.Fprintf(&b, " and posted to the %s chat", r.Audience)
	}
	b.WriteString(".")
	return b.String()
}

// rules are the rules in force for a mail: Rules', else the Sender's own fields.
func (s *Sender) rules(ctx context.Context) postmortem.RuleSet {
	if s.Rules != nil {
		return s.Rules.Rules(ctx)
	}
	return postmortem.RuleSet{Policy: s.Policy, Routes: s.Routes, People: s.People, Distribution: s.Settings.Distribution, ReplyTo: s.Settings.ReplyTo}
}

// replyTo is the owner's address, from an email key of the people that maps to the owner's login, else
// the configured reply_to; never a list.
func replyTo(rules postmortem.RuleSet, owner string) string {
	var found []string
	for k, login := range rules.People {
		if owner != "" && strings.Contains(k, "@") && strings.EqualFold(strings.TrimPrefix(login, "@"), owner) {
			found = append(found, k)
		}
	}
	if len(found) > 0 {
		return slices.Min(found) // one answer whatever the map's order
	}
	return rules.ReplyTo
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) staleAfter() time.Duration {
	if s.StaleAfter > 0 {
		return s.StaleAfter
	}
	return DefaultStaleAfter
}
