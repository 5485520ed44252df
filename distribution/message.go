package distribution

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"regexp"
	"strings"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// Message is one mail to one list. Its recipients are all in Bcc: no header names any of them.
type Message struct {
	// ID is the Message-ID, without angle brackets: derived from the incident, the audience and the
	// mailed text, so that the same version always has the same ID and a receiving server can drop a
	// duplicate.
	ID      string
	From    string
	Bcc     []string
	ReplyTo string // "" for none: replies then go to From, never to the list
	Subject string
	Text    string // the plain-text part: the Markdown, then the links
	HTML    string // the HTML part: the Markdown rendered, then the links
	Date    time.Time
}

// htmlComment matches the HTML comments of a postmortem: Hindsight's markers, invisible on GitHub.
var htmlComment = regexp.MustCompile(`(?s)<!--.*?-->[ \t]*\n?`)

var markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))

// compose builds the message of a request from the merged file's Markdown. fromDomain names the host part
// of the Message-ID.
func compose(r postmortem.Mailing, content, from, fromDomain, replyTo string, bcc []string, now time.Time) (Message, error) {
	text := strings.TrimSpace(htmlComment.ReplaceAllString(content, ""))
	var body bytes.Buffer
	if err := markdown.Convert([]byte(text), &body); err != nil {
		return Message{}, fmt.Errorf("render %s: %w", r.Path, err)
	}
	links := []struct{ name, url string }{
		{"Postmortem", r.FileURL()},
		{"Pull request", r.PullURL},
	}
	if r.Audience == postmortem.AudienceInternal {
		links = append(links, struct{ name, url string }{"Incident", r.IncidentURL})
	}
	var plain, rich strings.Builder
	plain.WriteString(text)
	plain.WriteString("\n\n-- \n")
	rich.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
	subject := subjectOf(r, text)
	rich.WriteString(html.EscapeString(subject))
	rich.WriteString("</title>\n<style>table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}</style>\n</head><body>\n")
	rich.Write(body.Bytes())
	rich.WriteString("<hr>\n<p>")
	n := 0
	for _, l := range links {
		if l.url == "" {
			continue
		}
		fmt.Fprintf(&plain, "%s: %s\n", l.name, l.url)
		if n > 0 {
			rich.WriteString("<br>\n")
		}
		fmt.Fprintf(&rich, "%s: <a href=\"%s\">%s</a>", l.name, html.EscapeString(l.url), html.EscapeString(l.url))
		n++
	}
	rich.WriteString("</p>\n</body></html>\n")
	return Message{
		ID:      MessageID(r.IncidentID, r.Audience, content, fromDomain),
		From:    from,
		Bcc:     bcc,
		ReplyTo: replyTo,
		Subject: subject,
		Text:    plain.String(),
		HTML:    rich.String(),
		Date:    now,
	}, nil
}

// MessageID is the Message-ID of one version of an incident's postmortem for one audience: the same
// content gives the same ID, whichever attempt or replica sends it.
func MessageID(incidentID, audience, content, domain string) string {
	sum := sha256.Sum256([]byte(content))
	return fmt.Sprintf("postmortem.%s.%s.%s@%s", incidentID, audience, hex.EncodeToString(sum[:8]), domain)
}

// subjectOf names the incident and its title. The customer version is titled by its own first heading,
// which is written for customers; the internal one by the incident's title.
func subjectOf(r postmortem.Mailing, text string) string {
	title := r.IncidentTitle
	if r.Audience == postmortem.AudienceCustomers || title == "" {
		if h := firstHeading(text); h != "" {
			title = h
		}
	}
	incident := " of incident " + r.IncidentID
	if r.IncidentNumber > 0 {
		incident = fmt.Sprintf(" of incident #%d", r.IncidentNumber)
	}
	subject := "Postmortem" + incident
	if r.Audience == postmortem.AudienceCustomers {
		subject = "Incident report" + strings.TrimPrefix(incident, " of incident")
	}
	if title != "" {
		subject += ": " + title
	}
	return strings.Join(strings.Fields(subject), " ")
}

func firstHeading(text string) string {
	for line := range strings.SplitSeq(text, "\n") {
		if h, ok := strings.CutPrefix(strings.TrimSpace(line), "# "); ok {
			return strings.TrimSpace(h)
		}
	}
	return ""
}
