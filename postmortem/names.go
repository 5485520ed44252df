package postmortem

import (
	"strings"
)

// branchPrefix starts the branch of every postmortem Hindsight opens.
const branchPrefix = "postmortem/"

// BranchName is the deterministic branch of an incident's postmortem.
func BranchName(incidentID string) string { return branchPrefix + incidentID }

// RulesPath is the file of the team's rules in the postmortem repository.
const RulesPath = ".github/hindsight.yml"

// customerBranchPrefix starts the branch of every customer-facing version; it is not a postmortem branch.
const customerBranchPrefix = "postmortem-customer/"

// CustomerBranchName is the deterministic branch of the customer-facing version of an incident's
// postmortem.
func CustomerBranchName(incidentID string) string { return customerBranchPrefix + incidentID }

// IncidentFromCustomerBranch returns the incident ID a customer version's branch is named after; ok is false
// when branch is not one.
func IncidentFromCustomerBranch(branch string) (incidentID string, ok bool) {
	return strings.CutPrefix(branch, customerBranchPrefix)
}

// IncidentFromBranch returns the incident ID a postmortem branch is named after; ok is false when branch
// is not a postmortem branch.
func IncidentFromBranch(branch string) (incidentID string, ok bool) {
	return strings.CutPrefix(branch, branchPrefix)
}

// ValidIncidentID reports whether id has the shape of a PagerDuty incident ID (or incident number): one to
// 64 upper-case letters and digits. PagerDuty's other IDs (users, services) have the same shape. An ID is
// checked where it enters, before it goes into a URL or a key; the bound on its length keeps a key or a URL
// from growing without end. It is checked on every webhook, so by hand rather than by a regular expression.
func ValidIncidentID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := range len(id) {
		if c := id[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// Plural returns word, with an s unless n is 1.
func Plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
