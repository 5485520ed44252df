package distribution

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPConfig is HINDSIGHT_SMTP_URL read: smtp://[user:password@]host[:587]?from=ADDRESS sends over
// STARTTLS, which the server must offer (plain text only to a loopback host); smtps://…[:465] over TLS
// from the first byte.
type SMTPConfig struct {
	Host        string
	Port        int
	ImplicitTLS bool
	Username    string
	Password    string
	// From is the sender, as written ("Postmortems <pm@example.com>" or "pm@example.com").
	From string
	// fromAddress is From's bare address.
	fromAddress string
}

// ParseSMTPURL reads an SMTP URL. Its errors never contain the password.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return SMTPConfig{}, errors.New("not a URL: want smtp://user:password@host:587?from=ADDRESS or smtps://…")
	}
	var c SMTPConfig
	switch u.Scheme {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Port, c.ImplicitTLS = 465, true
	default:
		return SMTPConfig{}, fmt.Errorf("scheme %q: want smtp (STARTTLS) or smtps (TLS)", u.Scheme)
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return SMTPConfig{}, errors.New("no host: want smtp://user:password@host:587?from=ADDRESS")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPConfig{}, fmt.Errorf("port %q: want 1 to 65535", p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
		if c.Username == "" || c.Password == "" {
			return SMTPConfig{}, errors.New("want both a user and a password, or neither")
		}
	}
	if u.Path != "" && u.Path != "/" {
		// The path is not quoted: a password holding an unencoded "/" ends up in it.
		return SMTPConfig{}, errors.New("a path after the host: want none (in a password, write / as %2F and @ as %40)")
	}
	q := u.Query()
	for k := range q {
		if k != "from" {
			return SMTPConfig{}, fmt.Errorf("query parameter %q: only from is known", k)
		}
	}
	c.From = strings.TrimSpace(q.Get("from"))
	if c.From == "" {
		return SMTPConfig{}, errors.New("no sender: add ?from=ADDRESS, the address postmortems are sent from")
	}
	a, err := mail.ParseAddress(c.From)
	if err != nil {
		return SMTPConfig{}, fmt.Errorf("from %q: not an email address", c.From)
	}
	c.fromAddress = a.Address
	return c, nil
}

// FromDomain is the domain of the sender's address, which ends every Message-ID.
func (c SMTPConfig) FromDomain() string {
	_, domain, _ := strings.Cut(c.fromAddress, "@")
	return domain
}

// loopback reports whether the server is on this machine, where STARTTLS may be skipped.
func (c SMTPConfig) loopback() bool {
	if strings.EqualFold(c.Host, "localhost") {
		return true
	}
	ip := net.ParseIP(c.Host)
	return ip != nil && ip.IsLoopback()
}

// SMTP sends messages over SMTP, a connection per message.
type SMTP struct {
	cfg     SMTPConfig
	tls     *tls.Config
	timeout time.Duration
	addr    string
}

// DefaultSMTPTimeout bounds each step of an SMTP transaction: connecting, and every command's answer.
const DefaultSMTPTimeout = 30 * time.Second

// SMTPOptions tune an SMTP transport.
type SMTPOptions struct {
	// TLSConfig is used for STARTTLS and TLS; nil for the system's roots and the server's host name.
	TLSConfig *tls.Config
	// Timeout bounds each step; 0 for DefaultSMTPTimeout.
	Timeout time.Duration
}

// NewSMTP returns a transport to the server c names.
func NewSMTP(c SMTPConfig, o SMTPOptions) (*SMTP, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultSMTPTimeout
	}
	tc := o.TLSConfig
	if tc == nil {
		tc = &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
	}
	s := &SMTP{cfg: c, tls: tc, timeout: o.Timeout, addr: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	if _, err := s.client(new(connHolder)); err != nil {
		return nil, err
	}
	return s, nil
}

// connHolder keeps the connection of one transaction, for the end of its attempt to cut it.
type connHolder struct {
	mu   sync.Mutex
	conn net.Conn
}

func (h *connHolder) cut() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conn != nil {
		_ = h.conn.Close()
	}
}

// client is a go-mail client for one transaction, whose connection goes into h. A client per transaction
// shares nothing: go-mail's client keeps state of its own during a transaction.
func (s *SMTP) client(h *connHolder) (*gomail.Client, error) {
	c := s.cfg
	opts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithTimeout(s.timeout), gomail.WithHELO("hindsight"), gomail.WithTLSConfig(s.tls)}
	switch {
	case c.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case c.loopback():
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if c.Username != "" {
		// PLAIN and LOGIN only over TLS (go-mail checks), or to a loopback server.
		opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
			gomail.SMTPAuthCramMD5, gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(c.Username), gomail.WithPassword(c.Password))
	}
	opts = append(opts, gomail.WithDialContextFunc(func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := &net.Dialer{}
		var conn net.Conn
		var err error
		if c.ImplicitTLS {
			conn, err = (&tls.Dialer{NetDialer: d, Config: s.tls}).DialContext(ctx, network, addr)
		} else {
			conn, err = d.DialContext(ctx, network, addr)
		}
		if err == nil {
			h.mu.Lock()
			h.conn = conn
			h.mu.Unlock()
		}
		return conn, err
	}))
	client, err := gomail.NewClient(c.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("SMTP client for %s: %w", c.Host, err)
	}
	return client, nil
}

// DeliveryError is an SMTP transaction that certainly did not deliver the message: the connection,
// the greeting, TLS or authentication failed, or the server refused the sender, a recipient or the
// message. Permanent says the server refused it with a 5xx answer.
type DeliveryError struct {
	Permanent bool
	Err       error
}

func (e *DeliveryError) Error() string { return e.Err.Error() }
func (e *DeliveryError) Unwrap() error { return e.Err }

// Send runs one SMTP transaction. It returns nil once the server has accepted the message, a
// *DeliveryError when the server certainly did not take it, and any other error when that is unknown: the
// message was complete but the server's answer never came.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := s.msg(m)
	if err != nil {
		return &DeliveryError{Permanent: true, Err: err}
	}
	h := new(connHolder)
	client, err := s.client(h)
	if err != nil {
		return &DeliveryError{Err: err}
	}
	// go-mail bounds each step by its timeout but does not watch ctx: the end of the attempt (its task's
	// timeout, a shutdown) cuts the connection, so no transaction outlives it. Cut before the message's
	// end, nothing is delivered and the retry sends it.
	stop := context.AfterFunc(ctx, h.cut)
	defer stop()
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return &DeliveryError{Err: fmt.Errorf("connect to %s: %w", s.addr, err)}
	}
	err = client.SendWithSMTPClient(conn, msg)
	_ = client.CloseWithSMTPClient(conn) // after the server's answer to the message, QUIT changes nothing
	if msg.IsDelivered() {
		return nil
	}
	if err == nil {
		return fmt.Errorf("send to %s: no answer recorded", s.addr)
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		// The last answer, to the message's end, is the one that can be lost: without it the server may
		// hold the message. Every earlier failure, and any answer it gave, leaves nothing delivered.
		if se.Reason != gomail.ErrSMTPDataClose || code >= 400 {
			return &DeliveryError{Permanent: code >= 500, Err: fmt.Errorf("send to %s: %w", s.addr, err)}
		}
	}
	return fmt.Errorf("send to %s: the server's answer to the message never came: %w", s.addr, err)
}

func (s *SMTP) msg(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(m.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", m.From, err)
	}
	// Every recipient is in Bcc, which go-mail never writes as a header; the visible To is a group with
	// no member, so that nobody can reply to all.
	msg.SetGenHeaderPreformatted(gomail.Header("To"), "undisclosed-recipients:;")
	if err := msg.Bcc(m.Bcc...); err != nil {
		return nil, fmt.Errorf("recipients: %w", err)
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply-to %q: %w", m.ReplyTo, err)
		}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.ID)
	msg.SetDateWithValue(m.Date)
	// Out-of-office answers go nowhere: "Precedence: bulk" and "X-Auto-Response-Suppress: All".
	msg.SetBulk()
	msg.SetUserAgent("Hindsight")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return msg, nil
}
