package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// writeGitHubAnnotations prints findings as GitHub Actions workflow commands, which GitHub shows as
// annotations on the lines of the file.
func writeGitHubAnnotations(w io.Writer, findings []fileFinding) error {
	var b strings.Builder
	for _, f := range findings {
		level := "error"
		switch f.Severity {
		case postmortem.SeverityWarning:
			level = "warning"
		case postmortem.SeverityNotice:
			level = "notice"
		}
		props := fmt.Sprintf("file=%s,line=%d", ghProperty(f.File), f.Line)
		if f.Column > 0 {
			props += fmt.Sprintf(",col=%d", f.Column)
			if f.EndColumn > f.Column {
				props += fmt.Sprintf(",endColumn=%d", f.EndColumn-1) // GitHub's end column is the last one
			}
		}
		props += ",title=" + ghProperty("hindsight "+f.Rule)
		fmt.Fprintf(&b, "::%s %s::%s\n", level, props, ghData(f.Message+". Suggestion: "+f.Suggestion))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ghData escapes a workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// SARIF 2.1.0, the parts Hindsight writes.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string       `json:"id"`
	ShortDescription     sarifMessage `json:"shortDescription"`
	DefaultConfiguration struct {
		Level string `json:"level"`
	} `json:"defaultConfiguration"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region sarifRegion `json:"region"`
	} `json:"physicalLocation"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

var lintRuleDescriptions = map[string]string{
	postmortem.RuleBlameLanguage:   "Wording that puts the cause of the incident on a person",
	postmortem.RulePersonInCause:   "A responder named in the root cause or the Five whys",
	postmortem.RuleUnansweredWhy:   "A why of the Five whys without an answer, or a chain that stops short",
	postmortem.RulePlaceholder:     "A template placeholder left in",
	postmortem.RuleEmptySection:    "A required section missing or holding only placeholders",
	postmortem.RuleActionItemOwner: "An action item without an owner or with a due date that is not a date",
}

func sarifLevel(severity string) string {
	switch severity {
	case postmortem.SeverityWarning:
		return "warning"
	case postmortem.SeverityNotice:
		return "note"
	}
	return "error"
}

// writeSARIF prints findings as a SARIF 2.1.0 log, which code scanning and editors read.
func writeSARIF(w io.Writer, findings []fileFinding) error {
	driver := sarifDriver{Name: "hindsight lint", InformationURI: "https://github.com/hindsight-dev/hindsight"}
	defaults := postmortem.LintRules()
	ids := make([]string, 0, len(defaults))
	for id := range defaults {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := sarifRule{ID: id, ShortDescription: sarifMessage{lintRuleDescriptions[id]}}
		r.DefaultConfiguration.Level = sarifLevel(defaults[id])
		driver.Rules = append(driver.Rules, r)
	}
	run := sarifRun{Tool: sarifTool{driver}, ColumnKind: "unicodeCodePoints", Results: []sarifResult{}}
	for _, f := range findings {
		var loc sarifLocation
		loc.PhysicalLocation.ArtifactLocation.URI = f.File
		loc.PhysicalLocation.Region = sarifRegion{StartLine: f.Line, StartColumn: f.Column, EndColumn: f.EndColumn}
		run.Results = append(run.Results, sarifResult{RuleID: f.Rule, Level: sarifLevel(f.Severity),
			Message:   sarifMessage{f.Message + ". Suggestion: " + f.Suggestion},
			Locations: []sarifLocation{loc}})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}
