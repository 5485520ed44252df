// Command linteval measures the blame rules of "hindsight lint" on a folder of labelled postmortems: the
// NN-name.md files it holds, labels.json (for each file, its blameful and borderline sentences, each an
// exact substring of the file), blameful.tsv and traps.tsv (a sentence and its source a line, after a
// header). It prints the precision of the blame findings and the recall of the blameful sentences, for all
// of it and for the held-out part, and every finding it got wrong.
//
//	go run ./internal/linteval [-holdout 04,09,14,17,21] [-hide-held-out] [DIR]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hindsight-dev/hindsight/postmortem"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "lint-eval:", err)
		os.Exit(2)
	}
}

func run(args []string, w io.Writer) error {
	fl := flag.NewFlagSet("lint-eval", flag.ContinueOnError)
	holdout := fl.String("holdout", "04,09,14,17,21", "file numbers held out of development (their TSV rows: every fifth)")
	hide := fl.Bool("hide-held-out", false, "print the held-out part's figures but not its mistakes")
	if err := fl.Parse(args); err != nil {
		return err
	}
	// scripts/lint-eval names the default folder.
	if fl.NArg() != 1 {
		return fmt.Errorf("want one folder of labelled postmortems, got %d", fl.NArg())
	}
	dir := fl.Arg(0)
	if _, err := os.Stat(filepath.Join(dir, "labels.json")); err != nil {
		fmt.Fprintf(w, "no labelled postmortems at %s (labels.json: %v); nothing measured\n", dir, err)
		return nil
	}
	held := map[string]bool{}
	for _, n := range strings.Split(*holdout, ",") {
		if n = strings.TrimSpace(n); n != "" {
			held[n] = true
		}
	}
	e, err := evaluate(dir, held)
	if err != nil {
		return err
	}
	e.print(w, *hide)
	return nil
}

// score counts one part of the set.
type score struct {
	tp, fp, borderline int // blame findings
	found, blameful    int // blameful sentences
}

func (s score) String() string {
	p, r := 1.0, 1.0
	if s.tp+s.fp > 0 {
		p = float64(s.tp) / float64(s.tp+s.fp)
	}
	if s.blameful > 0 {
		r = float64(s.found) / float64(s.blameful)
	}
	return fmt.Sprintf("precision %.2f (%d of %d findings on blameful sentences; %d more on borderline ones), recall %.2f (%d of %d blameful sentences)",
		p, s.tp, s.tp+s.fp, s.borderline, r, s.found, s.blameful)
}

type mistake struct {
	held bool
	text string
}

type eval struct {
	all, dev, held score
	mistakes       []mistake
}

func (e *eval) count(held bool, f func(*score)) {
	f(&e.all)
	if held {
		f(&e.held)
	} else {
		f(&e.dev)
	}
}

func (e *eval) print(w io.Writer, hide bool) {
	fmt.Fprintf(w, "all:         %s\n", e.all)
	fmt.Fprintf(w, "development: %s\n", e.dev)
	fmt.Fprintf(w, "held out:    %s\n", e.held)
	for _, m := range e.mistakes {
		if m.held && hide {
			continue
		}
		tag := ""
		if m.held {
			tag = "[held out] "
		}
		fmt.Fprintf(w, "%s%s\n", tag, m.text)
	}
}

type labels map[string]struct {
	Blameful   []string `json:"blameful_sentences"`
	Borderline []string `json:"borderline_sentences"`
}

var fileNumber = regexp.MustCompile(`^(\d+)-.*\.md$`)

func isBlame(f postmortem.Finding) bool {
	return f.Rule == postmortem.RuleBlameLanguage || f.Rule == postmortem.RulePersonInCause
}

func evaluate(dir string, held map[string]bool) (*eval, error) {
	b, err := os.ReadFile(filepath.Join(dir, "labels.json")) //nolint:gosec // the folder the user names
	if err != nil {
		return nil, err
	}
	var ls labels
	if err := json.Unmarshal(b, &ls); err != nil {
		return nil, fmt.Errorf("labels.json: %w", err)
	}
	names := make([]string, 0, len(ls))
	for n := range ls {
		names = append(names, n)
	}
	sort.Strings(names)
	e := &eval{}
	for _, name := range names {
		m := fileNumber.FindStringSubmatch(name)
		if m == nil {
			return nil, fmt.Errorf("labels.json: %q is not an NN-name.md file", name)
		}
		text, err := os.ReadFile(filepath.Join(dir, name)) //nolint:gosec // the folder the user names
		if err != nil {
			return nil, err
		}
		if err := e.file(name, string(text), ls[name].Blameful, ls[name].Borderline, held[m[1]]); err != nil {
			return nil, err
		}
	}
	for _, tsv := range []struct {
		name     string
		blameful bool
	}{{"blameful.tsv", true}, {"traps.tsv", false}} {
		if err := e.sentences(filepath.Join(dir, tsv.name), tsv.blameful); err != nil {
			return nil, err
		}
	}
	return e, nil
}

type span struct{ start, end int }

// byteOffset returns where the character at 1-based column col of line starts.
func byteOffset(line string, col int) int {
	n := 1
	for i := range line {
		if n == col {
			return i
		}
		n++
	}
	return len(line)
}

var (
	wordingList = regexp.MustCompile(`blameful wording ((?:"(?:[^"\\]|\\.)*"(?:, )?)+)`)
	quotedWords = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
)

// parts splits the blame findings of a text into one finding per wording: Lint reports the wordings of
// one line together, and each may be in a different sentence. A wording is placed at its first occurrence
// on the line from the finding's column on.
func parts(text string, lineStart []int, fs []postmortem.Finding) []postmortem.Finding {
	var out []postmortem.Finding
	for _, f := range fs {
		if !isBlame(f) {
			continue
		}
		if f.Rule != postmortem.RuleBlameLanguage || f.Column == 0 || f.Line > len(lineStart) {
			out = append(out, f)
			continue
		}
		line := text[lineStart[f.Line-1]:]
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		from := byteOffset(line, f.Column)
		for _, list := range wordingList.FindAllStringSubmatch(f.Message, -1) {
			for _, q := range quotedWords.FindAllString(list[1], -1) {
				w, err := strconv.Unquote(q)
				p := f
				if i := strings.Index(line[min(from, len(line)):], w); err == nil && i >= 0 {
					p.Column = utf8.RuneCountInString(line[:from+i]) + 1
					from = from + i + len(w)
				}
				p.Message = "blameful wording " + q
				out = append(out, p)
			}
		}
	}
	return out
}

func spans(text string, sentences []string, file string) ([]span, error) {
	var out []span
	for _, s := range sentences {
		i := strings.Index(text, s)
		if i < 0 {
			return nil, fmt.Errorf("%s: labelled sentence not in the file: %.60q", file, s)
		}
		out = append(out, span{i, i + len(s)})
	}
	return out, nil
}

// file scores the blame findings of one postmortem against its labels.
func (e *eval) file(name, text string, blameful, borderline []string, held bool) error {
	bs, err := spans(text, blameful, name)
	if err != nil {
		return err
	}
	ds, err := spans(text, borderline, name)
	if err != nil {
		return err
	}
	lineStart := []int{0}
	for i, c := range text {
		if c == '\n' {
			lineStart = append(lineStart, i+1)
		}
	}
	lineOf := func(off int) int { return sort.SearchInts(lineStart, off+1) }
	within := func(f postmortem.Finding, s span) bool {
		if f.Column > 0 && f.Line-1 < len(lineStart) {
			line := text[lineStart[f.Line-1]:]
			if i := strings.IndexByte(line, '\n'); i >= 0 {
				line = line[:i]
			}
			off := lineStart[f.Line-1] + byteOffset(line, f.Column)
			return s.start <= off && off < s.end
		}
		return lineOf(s.start) <= f.Line && f.Line <= lineOf(s.end-1)
	}
	hit := make([]bool, len(bs))
	for _, f := range parts(text, lineStart, postmortem.Lint(text, postmortem.LintConfig{})) {
		kind := "fp"
		for i, s := range bs {
			if within(f, s) {
				kind, hit[i] = "tp", true
			}
		}
		if kind == "fp" {
			for _, s := range ds {
				if within(f, s) {
					kind = "borderline"
				}
			}
		}
		switch kind {
		case "tp":
			e.count(held, func(s *score) { s.tp++ })
		case "borderline":
			e.count(held, func(s *score) { s.borderline++ })
		default:
			e.count(held, func(s *score) { s.fp++ })
			e.mistakes = append(e.mistakes, mistake{held, fmt.Sprintf("false positive %s:%d: %s: %s\n    line: %s",
				name, f.Line, f.Rule, f.Message, strings.TrimSpace(strings.Split(text, "\n")[f.Line-1]))})
		}
	}
	for i, s := range bs {
		e.count(held, func(s *score) { s.blameful++ })
		if hit[i] {
			e.count(held, func(s *score) { s.found++ })
			continue
		}
		e.mistakes = append(e.mistakes, mistake{held, fmt.Sprintf("missed %s:%d: %s", name, lineOf(s.start),
			strings.Join(strings.Fields(text[s.start:s.end]), " "))})
	}
	return nil
}

// sentences scores a TSV of sentences linted one at a time. Rows from a postmortem of the folder ("corpus
// file NN" in the source) are left out: the postmortem itself counts them. Every fifth row is held out.
func (e *eval) sentences(path string, blameful bool) error {
	b, err := os.ReadFile(path) //nolint:gosec // the folder the user names
	if err != nil {
		return err
	}
	rows := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	for n, row := range rows[1:] {
		sentence, source, ok := strings.Cut(row, "\t")
		if !ok {
			return fmt.Errorf("%s:%d: want sentence<TAB>source", filepath.Base(path), n+2)
		}
		if strings.Contains(source, "corpus file") {
			continue
		}
		held := (n+1)%5 == 0
		var found []postmortem.Finding
		for _, f := range postmortem.Lint(sentence, postmortem.LintConfig{}) {
			if isBlame(f) {
				found = append(found, f)
			}
		}
		where := fmt.Sprintf("%s:%d", filepath.Base(path), n+2)
		if blameful {
			e.count(held, func(s *score) { s.blameful++ })
			if len(found) > 0 {
				e.count(held, func(s *score) { s.found++; s.tp++ })
				continue
			}
			e.mistakes = append(e.mistakes, mistake{held, fmt.Sprintf("missed %s: %s", where, sentence)})
			continue
		}
		for _, f := range found {
			e.count(held, func(s *score) { s.fp++ })
			e.mistakes = append(e.mistakes, mistake{held, fmt.Sprintf("false positive %s: %s: %s\n    line: %s", where, f.Rule, f.Message, sentence)})
		}
	}
	return nil
}
