package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	cleanPostmortem   = filepath.Join("..", "..", "postmortem", "testdata", "lint", "clean.md")
	problemPostmortem = filepath.Join("..", "..", "postmortem", "testdata", "lint", "problems.md")
)

func runLintCmd(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"hindsight", "lint"}, args...), func(k string) string { return env[k] }, &out, &out)
	return out.String(), err
}

func TestLintExitStatus(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    string // "findings", "usage" or "" for none
		wantOut string
	}{
		{"clean", []string{cleanPostmortem}, "", ""},
		{"clean as json", []string{"--format", "json", cleanPostmortem}, "", "[]\n"},
		{"findings", []string{problemPostmortem}, "findings", problemPostmortem + ":1: empty-section: "},
		{"several files", []string{cleanPostmortem, problemPostmortem}, "findings", problemPostmortem + ":1: empty-section: "},
		{"no file", nil, "usage", ""},
		{"unknown flag", []string{"--strict", cleanPostmortem}, "usage", ""},
		{"unknown format", []string{"--format", "xml", cleanPostmortem}, "usage", ""},
		{"flag after the file", []string{cleanPostmortem, "--format", "json"}, "usage", ""},
		{"stdin twice", []string{"-", "-"}, "usage", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runLintCmd(t, nil, tt.args...)
			var ue usageError
			switch {
			case tt.want == "" && err != nil,
				tt.want == "findings" && !errors.Is(err, errFindings),
				tt.want == "usage" && !errors.As(err, &ue):
				t.Fatalf("err %v, want %s", err, tt.want)
			}
			if !strings.HasPrefix(out, tt.wantOut) {
				t.Errorf("output starts %q, want %q", out[:min(len(out), 200)], tt.wantOut)
			}
		})
	}
}

func TestLintUnreadableFile(t *testing.T) {
	_, err := runLintCmd(t, nil, filepath.Join(t.TempDir(), "missing.md"))
	var ue usageError
	if err == nil || errors.Is(err, errFindings) || errors.As(err, &ue) || strings.Contains(err.Error(), "\n") {
		t.Errorf("err %v, want one line of failure", err)
	}
}

func TestLintTextFormat(t *testing.T) {
	out, err := runLintCmd(t, nil, problemPostmortem)
	if !errors.Is(err, errFindings) {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 11 {
		t.Errorf("%d lines:\n%s", len(lines), out)
	}
	want := problemPostmortem + `:23: blame-language: blameful wording "human error"; blameful wording "forgot to" about "Bob"; person-in-cause: @carol is mentioned in the root cause; responder "Bob" is named in the root cause (describe the conditions that made the mistake possible, with the system as the subject: "the command ran against production without a confirmation step")`
	if !strings.Contains(out, want+"\n") {
		t.Errorf("no line %q in:\n%s", want, out)
	}
}

func TestLintJSON(t *testing.T) {
	out, err := runLintCmd(t, nil, "--format", "json", problemPostmortem)
	if !errors.Is(err, errFindings) {
		t.Fatal(err)
	}
	var got []struct {
		File, Rule, Message, Suggestion string
		Line                            int
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(got) != 11 || got[0].File != problemPostmortem || got[0].Line != 1 || got[0].Rule != "empty-section" || got[0].Suggestion == "" {
		t.Errorf("findings %+v", got)
	}
}

func TestLintStdin(t *testing.T) {
	var out bytes.Buffer
	err := runLint(context.Background(), []string{"-"}, func(string) string { return "" }, strings.NewReader("## Summary\nhuman error\n"), &out)
	if !errors.Is(err, errFindings) || !strings.Contains(out.String(), "<stdin>:2: blame-language: ") {
		t.Errorf("err %v, output:\n%s", err, out.String())
	}
}

func TestLintWordsFromConfig(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "pm.md")
	writeLintFile(t, doc, "## Root cause\nSam went rogue; Dave restarted it.\n")
	config := filepath.Join(dir, "hindsight.yaml")
	writeLintFile(t, config, "github:\n  repo: acme/postmortems\nlint:\n  blame_phrases: [went rogue]\n  people: [Dave]\n")
	out, err := runLintCmd(t, map[string]string{"HINDSIGHT_CONFIG": config}, doc)
	if !errors.Is(err, errFindings) || !strings.Contains(out, `:2: blame-language: blameful wording "went rogue"`) || !strings.Contains(out, `; person-in-cause: responder "Dave"`) {
		t.Errorf("err %v, output:\n%s", err, out)
	}

	words := filepath.Join(dir, "words.yaml")
	writeLintFile(t, words, "replace_blame_phrases: true\nrewordings:\n  restarted: say what restarted it\n")
	out, _ = runLintCmd(t, map[string]string{"HINDSIGHT_CONFIG": config}, "--words", words, doc)
	if strings.Contains(out, "went rogue") || !strings.Contains(out, `"restarted" about "Dave" (say what restarted it)`) {
		t.Errorf("--words output:\n%s", out)
	}

	writeLintFile(t, config, "lint:\n  blame_phrase: [oops]\n")
	_, err = runLintCmd(t, map[string]string{"HINDSIGHT_CONFIG": config}, doc)
	if err == nil || !strings.Contains(err.Error(), `HINDSIGHT_CONFIG: `) || !strings.Contains(err.Error(), `line 2: lint.blame_phrase: unknown key (did you mean blame_phrases?)`) {
		t.Errorf("unknown key: %v", err)
	}
	writeLintFile(t, words, "people: [a]\nextra: 1\n")
	if _, err = runLintCmd(t, nil, "--words", words, doc); err == nil || !strings.Contains(err.Error(), "extra") {
		t.Errorf("unknown key in --words: %v", err)
	}
}

func writeLintFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
