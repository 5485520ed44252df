package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// DryRun publishes nothing: it writes each draft, and the GitHub requests Publish would make for it, under
// a directory, so a team can see what Hindsight would do before giving it a token. Writing the same draft
// again replaces the files.
type DryRun struct {
	Dir  string
	Repo string // owner/name, for the report; may be empty
}

// Action is one GitHub step a publication would take.
type Action struct {
	Action string         `json:"action"`
	Detail map[string]any `json:"detail"`
}

// Publish writes <Dir>/<incident id>/ with the postmortem file (under its repository path), the pull
// request description and actions.json.
func (d DryRun) Publish(_ context.Context, draft postmortem.Draft) (postmortem.PullRequest, error) {
	if !validBranchComponent(draft.IncidentID) {
		return postmortem.PullRequest{}, fmt.Errorf("dry run: incident ID %q is not safe as a folder name", draft.IncidentID)
	}
	dir := filepath.Join(d.Dir, draft.IncidentID)
	repo := d.Repo
	if repo == "" {
		repo = "OWNER/REPO"
	}
	actions := []Action{
		{Action: "find pull request", Detail: map[string]any{"repo": repo, "head": draft.Branch, "state": "all"}},
		{Action: "create branch with one commit", Detail: map[string]any{"branch": draft.Branch, "path": draft.Path, "message": draft.CommitMessage}},
		{Action: "open pull request", Detail: map[string]any{"title": draft.Title, "head": draft.Branch, "body_file": "pull-request.md"}},
		{Action: "set labels and assignee", Detail: map[string]any{"labels": draft.Labels, "assignee": draft.Assignee}},
		{Action: "request reviewers", Detail: map[string]any{"reviewers": draft.Reviewers, "team_reviewers": draft.TeamReviewers}},
		{Action: "add back-link note on the PagerDuty incident", Detail: map[string]any{"incident": draft.IncidentID}},
	}
	report, err := json.MarshalIndent(actions, "", "  ")
	if err != nil {
		return postmortem.PullRequest{}, fmt.Errorf("dry run: %w", err)
	}
	files := map[string][]byte{
		filepath.Join(dir, filepath.FromSlash(draft.Path)): []byte(draft.Content),
		filepath.Join(dir, "pull-request.md"):              []byte(draft.Title + "\n\n" + draft.Body),
		filepath.Join(dir, "actions.json"):                 append(report, '\n'),
	}
	for path, data := range files {
		if err := writeFileAtomic(path, data); err != nil {
			return postmortem.PullRequest{}, fmt.Errorf("dry run: %w", err)
		}
	}
	return postmortem.PullRequest{Branch: draft.Branch, Created: true}, nil
}

// UpdateFile writes content as the draft's file again. A dry run names no blob (BlobSHA), so the pipeline
// never asks it to.
func (d DryRun) UpdateFile(_ context.Context, _, branch, path, content, _, _ string) error {
	id, ok := postmortem.IncidentFromBranch(branch)
	if !ok || !validBranchComponent(id) {
		return fmt.Errorf("dry run: branch %q is not a postmortem's", branch)
	}
	if err := writeFileAtomic(filepath.Join(d.Dir, id, filepath.FromSlash(path)), []byte(content)); err != nil {
		return fmt.Errorf("dry run: %w", err)
	}
	return nil
}

// BlobSHA is "": a dry run keeps no published file to compare, and so never updates one.
func (DryRun) BlobSHA(string) string { return "" }

// CommentOnce writes the comment as <Dir>/comments/<number>-<n>.md unless a comment there holds marker: a
// dry run has no pull request to comment on (its number is 0).
func (d DryRun) CommentOnce(_ context.Context, _ string, number int, marker, body string) error {
	dir := filepath.Join(d.Dir, "comments")
	prefix := strconv.Itoa(number) + "-"
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("dry run: %w", err)
	}
	n := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		n++
		old, err := os.ReadFile(filepath.Join(dir, e.Name())) //nolint:gosec // a file the dry run wrote in its own folder
		if err != nil {
			return fmt.Errorf("dry run: %w", err)
		}
		if strings.Contains(string(old), marker) {
			return nil
		}
	}
	path := filepath.Join(dir, fmt.Sprintf("%s%d.md", prefix, n+1))
	if err := writeFileAtomic(path, []byte(marker+"\n"+body+"\n")); err != nil {
		return fmt.Errorf("dry run: %w", err)
	}
	return nil
}

// writeFileAtomic writes through a temporary file and a rename, so a reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func validBranchComponent(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for _, r := range s {
		letter := r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z'
		if !letter && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}
