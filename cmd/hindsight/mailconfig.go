package main

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"github.com/hindsight-dev/hindsight/distribution"
	"github.com/hindsight-dev/hindsight/postmortem"
)

// checkDistribution checks HINDSIGHT_SMTP_URL and every distribution list: the top-level one, the policy
// rules' and the routes'. Replies must never go to a list.
func (c *config) checkDistribution() error {
	if c.SMTPURL != "" {
		if _, err := distribution.ParseSMTPURL(c.SMTPURL); err != nil {
			return bad("HINDSIGHT_SMTP_URL", "%v", err)
		}
	}
	lists := map[string]postmortem.Distribution{"distribution": c.Distribution.Distribution}
	for i, r := range c.Policy.Rules {
		lists[fmt.Sprintf("policy.rules[%d].distribution", i)] = r.Distribution
	}
	for i, r := range c.Routes {
		lists[fmt.Sprintf("routes[%d].distribution", i)] = r.Distribution
	}
	every := map[string]bool{}
	for name, d := range lists {
		for audience, list := range map[string][]string{postmortem.AudienceInternal: d.Internal, postmortem.AudienceCustomers: d.Customers} {
			for i, a := range list {
				if err := checkAddress(a); err != nil {
					return bad("HINDSIGHT_CONFIG", "%s.%s[%d]: %v", name, audience, i, err)
				}
				every[strings.ToLower(a)] = true
			}
		}
	}
	if r := c.Distribution.ReplyTo; r != "" {
		if err := checkAddress(r); err != nil {
			return bad("HINDSIGHT_CONFIG", "distribution.reply_to: %v", err)
		}
		if every[strings.ToLower(r)] {
			return bad("HINDSIGHT_CONFIG", "distribution.reply_to: %s is a distribution list; replies must go to a person or a team, never to the list", r)
		}
	}
	for name, u := range map[string]string{"internal": c.Distribution.Chat.Internal, "customers": c.Distribution.Chat.Customers} {
		if u == "" {
			continue
		}
		if err := checkBaseURL(u); err != nil {
			// The URL is the webhook's secret: the error does not repeat it.
			return bad("HINDSIGHT_CONFIG", "distribution.chat.%s: want the https URL of an incoming webhook", name)
		}
	}
	return nil
}

// checkAddress wants a bare email address, as a list entry or a reply address.
func checkAddress(a string) error {
	p, err := mail.ParseAddress(a)
	if err != nil || p.Address != a {
		return fmt.Errorf("want an email address such as team@example.com, got %q", a)
	}
	return nil
}

// redactSMTPURL shows the SMTP URL with its password replaced, whatever characters the password holds; a
// URL that does not parse shows nothing of itself.
func redactSMTPURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return redacted
	}
	if _, has := u.User.Password(); !has {
		return raw
	}
	out := u.Scheme + "://" + url.PathEscape(u.User.Username()) + ":" + redacted + "@" + u.Host + u.EscapedPath()
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return out
}
