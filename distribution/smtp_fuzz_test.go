package distribution_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/distribution"
)

// FuzzParseSMTPURL reads arbitrary text as HINDSIGHT_SMTP_URL: it is accepted with a host, a port and a
// sender, or refused with an error that never holds the password.
func FuzzParseSMTPURL(f *testing.F) {
	f.Add("smtp://user:pass@mail.example.com:587?from=pm@example.com")
	f.Add("smtps://user:p%40ss%2Fword@mail.example.com?from=Postmortems+%3Cpm%40example.com%3E")
	f.Add("smtp://user:pa/ss@word@host:bad?from=x")
	f.Add("smtp://:@?from=")
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := distribution.ParseSMTPURL(raw)
		if err == nil {
			if c.Host == "" || c.Port < 1 || c.Port > 65535 || c.From == "" || !strings.Contains(c.From, "@") {
				t.Errorf("%q accepted as %+v", raw, c)
			}
			return
		}
		u, perr := url.Parse(raw)
		if perr != nil || u.User == nil {
			return
		}
		p, ok := u.User.Password()
		if !ok || p == "" || !strings.Contains(err.Error(), p) {
			return
		}
		// The password may be a word of the message itself ("pass" in "password"): the same URL with
		// another password must then say it too.
		u.User = url.UserPassword(u.User.Username(), strings.Repeat("Z", len(p)))
		if _, err2 := distribution.ParseSMTPURL(u.String()); err2 == nil || !strings.Contains(err2.Error(), p) {
			t.Errorf("error %q holds the password %q", err, p)
		}
	})
}
