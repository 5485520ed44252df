package postmortem_test

import (
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/postmortem"
)

func TestBranchNameRoundTrips(t *testing.T) {
	id, ok := postmortem.IncidentFromBranch(postmortem.BranchName("PABC123"))
	if !ok || id != "PABC123" {
		t.Errorf("IncidentFromBranch(BranchName) = %q, %v", id, ok)
	}
	if _, ok := postmortem.IncidentFromBranch("feature/PABC123"); ok {
		t.Error("a branch of people's taken for a postmortem branch")
	}
}

func TestValidIncidentID(t *testing.T) {
	for _, id := range []string{"PABC123", "Q3B15VLMF3ASBD", "1234", strings.Repeat("P", 64)} {
		if !postmortem.ValidIncidentID(id) {
			t.Errorf("%q rejected", id)
		}
	}
	for _, id := range []string{"", "pabc123", "PABC/../X", "PABC 1", "PÄBC", "PABC\n", "P-1", strings.Repeat("P", 65)} {
		if postmortem.ValidIncidentID(id) {
			t.Errorf("%q accepted", id)
		}
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "findings", 1: "finding", 2: "findings"} {
		if got := postmortem.Plural(n, "finding"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}
