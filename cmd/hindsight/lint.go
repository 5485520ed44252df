package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hindsight-dev/hindsight/internal/yamlcheck"
	"github.com/hindsight-dev/hindsight/postmortem"
)

// errFindings is what lint returns when it reported findings: main exits 1 without a message, since the
// findings are the message.
var errFindings = errors.New("lint: the postmortem has findings")

// fileFinding is a finding of one of the files linted.
type fileFinding struct {
	File string `json:"file"`
	postmortem.Finding
}

// runLint checks postmortems for blameful wording and missing content ("-" reads stdin) and prints one
// finding a line, or a JSON array. It returns errFindings when it found something.
func runLint(_ context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	fl := newFlags("lint")
	format := fl.String("format", "text", "text: FILE:LINE: RULE: message (suggestion); json: an array of findings; sarif: a SARIF 2.1.0 log; github: GitHub Actions annotations")
	words := fl.String("words", "", "YAML file of lint settings (blame_phrases, rewordings, replace_blame_phrases, people, allowed_phrases, rules); default: the lint: section of HINDSIGHT_CONFIG")
	if err := parseArgs(fl, args); err != nil {
		return err
	}
	switch *format {
	case "text", "json", "sarif", "github":
	default:
		return usageError{fmt.Sprintf("lint: --format %q: want text, json, sarif or github", *format)}
	}
	files := fl.Args()
	if len(files) == 0 {
		return usageError{"lint: name the postmortem files to check (\"-\" reads stdin)"}
	}
	stdins := 0
	for _, f := range files {
		if f == "-" {
			stdins++
		} else if strings.HasPrefix(f, "-") {
			return usageError{fmt.Sprintf("lint: flag %s after a file name: flags go first", f)}
		}
	}
	if stdins > 1 {
		return usageError{"lint: \"-\" (stdin) given more than once"}
	}
	cfg, err := lintConfig(*words, getenv("HINDSIGHT_CONFIG"))
	if err != nil {
		return err
	}

	findings := []fileFinding{}
	for _, name := range files {
		markdown, err := readLintFile(name, stdin)
		if err != nil {
			return err
		}
		if name == "-" {
			name = "<stdin>"
		}
		for _, f := range postmortem.Lint(markdown, cfg) {
			findings = append(findings, fileFinding{File: name, Finding: f})
		}
	}
	if err := writeFindings(stdout, *format, findings); err != nil {
		return err
	}
	blocking := false
	for _, f := range findings {
		blocking = blocking || postmortem.Blocking([]postmortem.Finding{f.Finding})
	}
	if blocking {
		return errFindings
	}
	return nil
}

func writeFindings(w io.Writer, format string, findings []fileFinding) error {
	switch format {
	case "sarif":
		return writeSARIF(w, findings)
	case "github":
		return writeGitHubAnnotations(w, findings)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(findings)
	}
	var b strings.Builder
	for _, f := range findings {
		fmt.Fprintf(&b, "%s:%d: %s: %s (%s)\n", f.File, f.Line, f.Rule, f.Message, f.Suggestion)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func readLintFile(name string, stdin io.Reader) (string, error) {
	var (
		b   []byte
		err error
	)
	if name == "-" {
		b, err = io.ReadAll(stdin)
	} else {
		b, err = os.ReadFile(name) //nolint:gosec // the user names the files to check
	}
	if err != nil {
		return "", fmt.Errorf("lint: %w", err)
	}
	return string(b), nil
}

// lintConfig reads the lint settings: the whole of the --words file, else the lint: section of the
// configuration file, else none. Unknown keys in them are errors; the configuration file's other sections
// are not read here.
func lintConfig(wordsFile, configFile string) (postmortem.LintConfig, error) {
	var cfg postmortem.LintConfig
	switch {
	case wordsFile != "":
		data, err := os.ReadFile(wordsFile) //nolint:gosec // the user names the word list
		if err != nil {
			return cfg, fmt.Errorf("lint: --words: %w", err)
		}
		if err := yamlcheck.DecodeStrict(data, &cfg); err != nil {
			return cfg, fmt.Errorf("lint: --words: %s: %s", wordsFile, oneLine(err.Error()))
		}
	case configFile != "":
		data, err := os.ReadFile(configFile) //nolint:gosec // the operator names the configuration file
		if err != nil {
			return cfg, bad("HINDSIGHT_CONFIG", "%v", err)
		}
		var file struct {
			Lint   yaml.Node         `yaml:"lint"`
			People map[string]string `yaml:"people"`
		}
		if err := yaml.Unmarshal(data, &file); err != nil {
			return cfg, bad("HINDSIGHT_CONFIG", "%s: %s", configFile, oneLine(err.Error()))
		}
		defer func() { cfg.People = append(cfg.People, lintLogins(file.People)...) }()
		if file.Lint.Kind == 0 {
			return cfg, nil
		}
		if err := yamlcheck.CheckKeys(&file.Lint, reflect.TypeOf(cfg), "lint"); err != nil {
			return cfg, bad("HINDSIGHT_CONFIG", "%s: %v", configFile, err)
		}
		if err := file.Lint.Decode(&cfg); err != nil {
			return cfg, bad("HINDSIGHT_CONFIG", "%s: lint: %s", configFile, oneLine(err.Error()))
		}
	}
	if err := cfg.Check(); err != nil {
		if wordsFile != "" {
			return cfg, fmt.Errorf("lint: --words: %s: %w", wordsFile, err)
		}
		return cfg, bad("HINDSIGHT_CONFIG", "%s: lint: %v", configFile, err)
	}
	return cfg, nil
}

// lintLogins returns the GitHub logins of the people map as names the check knows: "@login" matches the
// login with or without its "@".
func lintLogins(people map[string]string) []string {
	var out []string
	for _, login := range people {
		if login = strings.TrimPrefix(strings.TrimSpace(login), "@"); login != "" {
			out = append(out, "@"+login)
		}
	}
	sort.Strings(out)
	return out
}
