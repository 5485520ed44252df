package github

import (
	"context"
	"fmt"
	"regexp"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// ChecksEnabled says whether the client may create check runs: only a GitHub App may.
func (c *Client) ChecksEnabled() bool { return c.app != nil }

var commitSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)

// maxAnnotations is how many annotations GitHub takes in one request.
const maxAnnotations = 50

// CheckRun reports the blameless and completeness check of the postmortem at path as a completed
// hindsight/postmortem check run on sha (a commit SHA, or a branch whose head is meant), with one
// annotation on the lines of each finding (sent 50 a request, as GitHub takes them). fileMissing reports a
// postmortem absent at sha. It returns the run's URL.
func (c *Client) CheckRun(ctx context.Context, sha, path string, findings []postmortem.Finding, fileMissing bool) (string, error) {
	if !commitSHA.MatchString(sha) {
		head, _, err := c.branchHead(ctx, sha)
		if err != nil {
			return "", err
		}
		sha = head
	}
	conclusion, title, summary := "success", "Blameless and complete", "The postmortem is blameless and complete. ✅"
	switch {
	case fileMissing:
		conclusion, title, summary = "failure", "The postmortem file is missing", "The postmortem file `"+path+"` is not in this commit."
	case postmortem.Blocking(findings):
		conclusion = "failure"
		fallthrough
	case len(findings) > 0:
		title = fmt.Sprintf("%d %s", len(findings), postmortem.Plural(len(findings), "finding"))
		summary = postmortem.FindingsMarkdown(path, findings)
	}
	if r := []rune(summary); len(r) > 65000 {
		summary = string(r[:64990]) + "\n\n…"
	}
	annotations := checkAnnotations(path, findings)
	first := annotations[:min(len(annotations), maxAnnotations)]
	now := gh.Timestamp{Time: time.Now()}
	run, _, err := call(ctx, c, func() (*gh.CheckRun, *gh.Response, error) {
		return c.gh.Checks.CreateCheckRun(ctx, c.owner, c.repo, gh.CreateCheckRunOptions{
			Name: StatusContext, HeadSHA: sha, Status: gh.String("completed"), Conclusion: gh.String(conclusion),
			CompletedAt: &now, Output: &gh.CheckRunOutput{Title: gh.String(title), Summary: gh.String(summary), Annotations: first},
		})
	})
	if err != nil {
		return "", fmt.Errorf("create check run on %s: %w", sha, describe(err))
	}
	for rest := annotations[len(first):]; len(rest) > 0; rest = rest[min(len(rest), maxAnnotations):] {
		batch := rest[:min(len(rest), maxAnnotations)]
		_, _, err := call(ctx, c, func() (*gh.CheckRun, *gh.Response, error) {
			return c.gh.Checks.UpdateCheckRun(ctx, c.owner, c.repo, run.GetID(), gh.UpdateCheckRunOptions{
				Name:   StatusContext,
				Output: &gh.CheckRunOutput{Title: gh.String(title), Summary: gh.String(summary), Annotations: batch},
			})
		})
		if err != nil {
			return "", fmt.Errorf("add annotations to check run %d: %w", run.GetID(), describe(err))
		}
	}
	return run.GetHTMLURL(), nil
}

// checkAnnotations places each finding on its line of path, on its words when it knows them.
func checkAnnotations(path string, findings []postmortem.Finding) []*gh.CheckRunAnnotation {
	out := []*gh.CheckRunAnnotation{}
	for _, f := range findings {
		level := "failure"
		switch f.Severity {
		case postmortem.SeverityWarning:
			level = "warning"
		case postmortem.SeverityNotice:
			level = "notice"
		}
		a := &gh.CheckRunAnnotation{
			Path: gh.String(path), StartLine: gh.Int(f.Line), EndLine: gh.Int(f.Line), AnnotationLevel: gh.String(level),
			Title: gh.String(f.Rule), Message: gh.String(f.Message + "\n\nSuggestion: " + f.Suggestion),
		}
		if f.Column > 0 && f.EndColumn > f.Column {
			a.StartColumn, a.EndColumn = gh.Int(f.Column), gh.Int(f.EndColumn-1)
		}
		out = append(out, a)
	}
	return out
}

// ChecksEnabled says whether the client of repo may create check runs (see Client.ChecksEnabled).
func (r *Router) ChecksEnabled(repo string) bool {
	c, err := r.Client(repo)
	return err == nil && c.ChecksEnabled()
}

// CheckRun reports a postmortem's check as a check run on sha in repo (see Client.CheckRun).
func (r *Router) CheckRun(ctx context.Context, repo, sha, path string, findings []postmortem.Finding, fileMissing bool) (string, error) {
	c, err := r.client(ctx, repo)
	if err != nil {
		return "", err
	}
	return c.CheckRun(ctx, sha, path, findings, fileMissing)
}
