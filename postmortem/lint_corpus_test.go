package postmortem_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// The responders of the incident the corpus imagines, as a draft's Responders list would give them.
var corpusPeople = []string{"Alice", "Bob", "Dave", "Priya", "Carlos", "Mei", "Sam", "Jordan", "Kim", "Ravi", "Tom"}

type corpusSentence struct {
	line        int
	text, label string
	note        string
}

func readCorpus(t *testing.T) []corpusSentence {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "lint", "corpus.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusSentence
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if sc.Text() == "" || strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 3 || cols[1] != "blame" && cols[1] != "ok" {
			t.Fatalf("corpus.tsv:%d: want sentence, blame|ok, note", n)
		}
		out = append(out, corpusSentence{line: n, text: cols[0], label: cols[1], note: cols[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCorpusBlameLanguage measures the blame-language rule on sentences written for it, each labelled by
// hand before the rule was: the floors are what the rule must keep, not what it was tuned to.
func TestCorpusBlameLanguage(t *testing.T) {
	corpus := readCorpus(t)
	for _, people := range []struct {
		name  string
		names []string
	}{{"with the responders' names", corpusPeople}, {"without names", nil}} {
		var tp, fp, fn, tn int
		for _, s := range corpus {
			flagged := false
			for _, f := range postmortem.Lint(s.text, postmortem.LintConfig{People: people.names}) {
				if f.Rule == postmortem.RuleBlameLanguage {
					flagged = true
				}
			}
			switch {
			case flagged && s.label == "blame":
				tp++
			case flagged:
				fp++
				t.Logf("false positive (corpus.tsv:%d, %s): %s", s.line, s.note, s.text)
			case s.label == "blame":
				fn++
				t.Logf("missed (corpus.tsv:%d, %s): %s", s.line, s.note, s.text)
			default:
				tn++
			}
		}
		precision := float64(tp) / float64(tp+fp)
		recall := float64(tp) / float64(tp+fn)
		t.Logf("%s: %d sentences (%d blame, %d ok): precision %.2f (%d/%d), recall %.2f (%d/%d)",
			people.name, len(corpus), tp+fn, fp+tn, precision, tp, tp+fp, recall, tp, tp+fn)
		if people.names != nil && (precision < 0.9 || recall < 0.9) {
			t.Errorf("below the floor: precision %.2f (want ≥ 0.90), recall %.2f (want ≥ 0.90)", precision, recall)
		}
		if people.names == nil && (precision < 0.9 || recall < 0.8) {
			t.Errorf("below the floor without names: precision %.2f (want ≥ 0.90), recall %.2f (want ≥ 0.80)", precision, recall)
		}
	}
}
