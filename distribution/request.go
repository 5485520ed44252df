// Package distribution mails a merged postmortem to the lists configured for its incident, every
// recipient in Bcc, exactly once, and says on the PagerDuty incident to which lists it went.
package distribution

import (
	"fmt"
	"strings"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// Request asks for one merged file to be mailed to one audience's list: the postmortem to the internal
// list, its customer version to the customer list.
type Request struct {
	IncidentID string `json:"incident_id"`
	// Audience is postmortem.AudienceInternal or postmortem.AudienceCustomers.
	Audience string `json:"audience"`
	// Repo, Ref and Path name the merged file: Ref is the merged pull request's head commit.
	Repo string `json:"repo"`
	Ref  string `json:"ref"`
	Path string `json:"path"`
	// PullURL is the merged pull request.
	PullURL string `json:"pull_url"`
	// What the message says of the incident, and what chooses its lists.
	IncidentNumber int                `json:"incident_number,omitempty"`
	IncidentTitle  string             `json:"incident_title,omitempty"`
	IncidentURL    string             `json:"incident_url,omitempty"`
	Priority       string             `json:"priority,omitempty"`
	Urgency        string             `json:"urgency,omitempty"`
	Service        postmortem.Service `json:"service"`
	Teams          []postmortem.Team  `json:"teams,omitempty"`
	// Owner is the postmortem's owner, a GitHub login: replies go to the address configured for them.
	Owner string `json:"owner,omitempty"`
}

// Check reports what makes a request unusable; no retry would mend it.
func (r Request) Check() error {
	switch {
	case !postmortem.ValidIncidentID(r.IncidentID):
		return fmt.Errorf("incident ID %q is not a PagerDuty ID", r.IncidentID)
	case r.Audience != postmortem.AudienceInternal && r.Audience != postmortem.AudienceCustomers:
		return fmt.Errorf("audience %q: want %s or %s", r.Audience, postmortem.AudienceInternal, postmortem.AudienceCustomers)
	case r.Repo == "" || r.Ref == "" || r.Path == "":
		return fmt.Errorf("the file is not named: repository %q, ref %q, path %q", r.Repo, r.Ref, r.Path)
	}
	return nil
}

// incident is what the policy rules and routes match the request's incident by.
func (r Request) incident() postmortem.Incident {
	return postmortem.Incident{ID: r.IncidentID, Number: r.IncidentNumber, Title: r.IncidentTitle, URL: r.IncidentURL,
		Priority: r.Priority, Urgency: r.Urgency, Service: r.Service, Teams: r.Teams}
}

// FileURL is the merged file's page on GitHub, at the merged commit, taken from the pull request's URL
// (https://HOST/OWNER/NAME/pull/N), so GitHub Enterprise hosts work too; "" when that URL is not one.
func (r Request) FileURL() string {
	base, _, ok := strings.Cut(r.PullURL, "/pull/")
	if !ok || base == "" {
		return ""
	}
	return base + "/blob/" + r.Ref + "/" + r.Path
}

// PublicPath is the path of the customer version of the postmortem at path: the same name in the folder
// public beside it ("postmortems/2026-01-02-42-db.md" → "postmortems/public/2026-01-02-42-db.md").
func PublicPath(path string) string {
	dir, name := "", path
	if i := strings.LastIndex(path, "/"); i >= 0 {
		dir, name = path[:i+1], path[i+1:]
	}
	return dir + "public/" + name
}

// PullURL is the URL of pull request number in the repository of pullURL, another pull request's URL.
func PullURL(pullURL string, number int) string {
	base, _, ok := strings.Cut(pullURL, "/pull/")
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s/pull/%d", base, number)
}
