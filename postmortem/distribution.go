package postmortem

import (
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
	return Distribution{Internal: appendAddresses(d.Internal, other.Internal), Customers: appendAddresses(d.Customers, other.Customers)}
}

func appendAddresses(list, more []string) []string {
	out := slices.Clone(list)
	for _, a := range more {
		if !slices.ContainsFunc(out, func(b string) bool { return strings.EqualFold(a, b) }) {
			out = append(out, a)
		}
	}
	return out
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
