package postmortem

import (
	"fmt"
	"slices"
	"strings"
)

// The audiences a merged postmortem is mailed to: the internal list gets the postmortem, the customer list
// the customer version.
const (
	AudienceInternal  = "internal"
	AudienceCustomers = "customers"
)

// Distribution names who reads a merged postmortem: the internal list the postmortem, the customer list its
// customer version. Each entry is an email address.
type Distribution struct {
	Internal  []string `yaml:"internal"`
	Customers []string `yaml:"customers"`
}

// List returns the addresses of an audience's list; nil for an unknown audience.
func (d Distribution) List(audience string) []string {
	switch audience {
	case AudienceInternal:
		return d.Internal
	case AudienceCustomers:
		return d.Customers
	}
	return nil
}

// With adds other's addresses, each once whatever its case, after d's own.
func (d Distribution) With(other Distribution) Distribution {
	return Distribution{Internal: appendNew(slices.Clone(d.Internal), other.Internal...),
		Customers: appendNew(slices.Clone(d.Customers), other.Customers...)}
}

// DistributionFor is the distribution of an incident's postmortem: base, plus the lists of the policy rule
// that decides for the incident (the first that matches), plus those of every route that matches it.
func DistributionFor(inc Incident, base Distribution, policy Policy, routes []Route) Distribution {
	d := Distribution{}.With(base)
	for _, r := range policy.Rules {
		if r.matches(inc) {
			d = d.With(r.Distribution)
			break
		}
	}
	for _, r := range routes {
		if r.matches(inc) {
			d = d.With(r.Distribution)
		}
	}
	return d
}

// Mailing asks for one merged file to be mailed to one audience's list: the postmortem to the internal
// list, its customer version to the customer list. It carries what the mail says of the incident and what
// chooses its lists, so the mail needs nothing else.
type Mailing struct {
	IncidentID string `json:"incident_id"`
	// Audience is AudienceInternal or AudienceCustomers.
	Audience string `json:"audience"`
	// Repo, Ref and Path name the merged file: Ref is the merged pull request's head commit.
	Repo string `json:"repo"`
	Ref  string `json:"ref"`
	Path string `json:"path"`
	// PullURL is the merged pull request.
	PullURL        string  `json:"pull_url"`
	IncidentNumber int     `json:"incident_number,omitempty"`
	IncidentTitle  string  `json:"incident_title,omitempty"`
	IncidentURL    string  `json:"incident_url,omitempty"`
	Priority       string  `json:"priority,omitempty"`
	Urgency        string  `json:"urgency,omitempty"`
	Service        Service `json:"service"`
	Teams          []Team  `json:"teams,omitempty"`
	// Owner is the postmortem's owner, a GitHub login: replies go to the address configured for them.
	Owner string `json:"owner,omitempty"`
}

// Check reports what makes a mailing unusable; no retry would mend it.
func (m Mailing) Check() error {
	switch {
	case !ValidIncidentID(m.IncidentID):
		return fmt.Errorf("incident ID %q is not a PagerDuty ID", m.IncidentID)
	case m.Audience != AudienceInternal && m.Audience != AudienceCustomers:
		return fmt.Errorf("audience %q: want %s or %s", m.Audience, AudienceInternal, AudienceCustomers)
	case m.Repo == "" || m.Ref == "" || m.Path == "":
		return fmt.Errorf("the file is not named: repository %q, ref %q, path %q", m.Repo, m.Ref, m.Path)
	}
	return nil
}

// Incident is what the policy rules and routes match the mailing's incident by.
func (m Mailing) Incident() Incident {
	return Incident{ID: m.IncidentID, Number: m.IncidentNumber, Title: m.IncidentTitle, URL: m.IncidentURL,
		Priority: m.Priority, Urgency: m.Urgency, Service: m.Service, Teams: m.Teams}
}

// FileURL is the merged file's page, at the merged commit, taken from the pull request's URL
// (https://HOST/OWNER/NAME/pull/N), so GitHub Enterprise hosts work too; "" when that URL is not one.
func (m Mailing) FileURL() string {
	base, _, ok := strings.Cut(m.PullURL, "/pull/")
	if !ok || base == "" {
		return ""
	}
	return base + "/blob/" + m.Ref + "/" + m.Path
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

// SiblingPullURL is the URL of pull request number in the repository of pullURL, another pull request's
// URL; "" when pullURL is not one.
func SiblingPullURL(pullURL string, number int) string {
	base, _, ok := strings.Cut(pullURL, "/pull/")
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s/pull/%d", base, number)
}
