package github

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// Publish proposes d for review and returns its pull request. It is idempotent and safe to run again after a
// crash at any point: it first looks for the pull request of d.Branch (open, closed or merged); when there is
// one it only adds what is missing on an open one (labels, assignee, reviewers) and returns it with
// Created false. Otherwise it commits d.Content at d.Path on a new branch d.Branch (reusing the branch when an
// earlier attempt created it), opens the pull request, sets labels and assignee and requests reviewers.
//
// Reviewers GitHub refuses (not collaborators) do not fail Publish: they are returned in SkippedReviewers
// and listed in one comment on the pull request. The pull request's author is never requested.
//
// Errors wrap ErrBaseBranchNotFound (empty repository, missing base branch), ErrBadCredentials, or a
// *LimitError; after an error, calling Publish again with the same draft finishes the work.
func (c *Client) Publish(ctx context.Context, d postmortem.Draft) (postmortem.PullRequest, error) {
	if err := validate(d); err != nil {
		return postmortem.PullRequest{}, err
	}
	pr, found, err := c.findPullRequest(ctx, d.Branch)
	if err != nil {
		return postmortem.PullRequest{}, fmt.Errorf("publish %s: %w", d.Branch, err)
	}
	if found {
		return c.complete(ctx, pr, d)
	}

	base, err := c.defaultBranch(ctx)
	if err != nil {
		return postmortem.PullRequest{}, fmt.Errorf("publish %s: %w", d.Branch, err)
	}
	if err := c.createBranch(ctx, base, d); err != nil {
		return postmortem.PullRequest{}, err
	}
	pr, created, err := c.openPullRequest(ctx, base, d)
	if err != nil {
		return postmortem.PullRequest{}, err
	}
	if !created {
		return c.complete(ctx, pr, d)
	}
	out := toPullRequest(pr, true)
	log := c.logger.With("branch", d.Branch, "pull_request", pr.GetNumber())
	log.Info("opened postmortem pull request", "url", pr.GetHTMLURL())

	if len(d.Labels) > 0 || d.Assignee != "" {
		req := &gh.IssueRequest{}
		if len(d.Labels) > 0 {
			labels := dedupe(d.Labels)
			req.Labels = &labels
		}
		if d.Assignee != "" {
			req.Assignees = &[]string{d.Assignee}
		}
		if _, _, err := call(ctx, c, func() (*gh.Issue, *gh.Response, error) {
			return c.gh.Issues.Edit(ctx, c.owner, c.repo, pr.GetNumber(), req)
		}); err != nil {
			return out, fmt.Errorf("set labels and assignee on pull request #%d for %s: %w", pr.GetNumber(), d.Branch, describe(err))
		}
	}

	logins, teams := wantedReviewers(d, pr.GetUser().GetLogin(), nil, nil)
	skipped, err := c.requestReviewers(ctx, log, pr.GetNumber(), logins, teams)
	out.SkippedReviewers = skipped
	if err != nil {
		return out, fmt.Errorf("request reviewers on pull request #%d for %s: %w", pr.GetNumber(), d.Branch, err)
	}
	if err := c.reportSkipped(ctx, pr.GetNumber(), skipped, false); err != nil {
		return out, fmt.Errorf("comment on pull request #%d for %s: %w", pr.GetNumber(), d.Branch, err)
	}
	return out, nil
}

// FindPullRequest returns the pull request whose head is branch in the repository, in any state; an open one
// is preferred over a closed one, then the newest. found is false when there is none.
func (c *Client) FindPullRequest(ctx context.Context, branch string) (postmortem.PullRequest, bool, error) {
	pr, found, err := c.findPullRequest(ctx, branch)
	if err != nil || !found {
		return postmortem.PullRequest{}, found, err
	}
	return toPullRequest(pr, false), true, nil
}

// Comment adds a comment to pull request (or issue) number.
func (c *Client) Comment(ctx context.Context, number int, body string) error {
	body = c.fitComment(body)
	if _, _, err := call(ctx, c, func() (*gh.IssueComment, *gh.Response, error) {
		return c.gh.Issues.CreateComment(ctx, c.owner, c.repo, number, &gh.IssueComment{Body: &body})
	}); err != nil {
		return fmt.Errorf("comment on #%d in %s/%s: %w", number, c.owner, c.repo, describe(err))
	}
	return nil
}

func validate(d postmortem.Draft) error {
	var missing []string
	for _, f := range []struct{ name, value string }{
		{"branch", d.Branch}, {"path", d.Path}, {"content", d.Content}, {"title", d.Title},
	} {
		if strings.TrimSpace(f.value) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("publish postmortem %s: draft has no %s", d.IncidentID, strings.Join(missing, ", "))
	}
	return nil
}

func (c *Client) findPullRequest(ctx context.Context, branch string) (*gh.PullRequest, bool, error) {
	// Without the "owner:" prefix GitHub ignores the head filter and lists every pull request.
	opts := &gh.PullRequestListOptions{State: "all", Head: c.owner + ":" + branch, ListOptions: gh.ListOptions{PerPage: 100}}
	prs, _, err := call(ctx, c, func() ([]*gh.PullRequest, *gh.Response, error) {
		return c.gh.PullRequests.List(ctx, c.owner, c.repo, opts)
	})
	if err != nil {
		return nil, false, fmt.Errorf("find pull request for %s: %w", branch, describe(err))
	}
	var best *gh.PullRequest
	for _, pr := range prs {
		if pr.GetHead().GetRef() != branch {
			continue
		}
		if best == nil || better(pr, best) {
			best = pr
		}
	}
	return best, best != nil, nil
}

func better(a, b *gh.PullRequest) bool {
	if (a.GetState() == "open") != (b.GetState() == "open") {
		return a.GetState() == "open"
	}
	return a.GetNumber() > b.GetNumber()
}

// createBranch creates d.Branch from base with one commit that adds d.Content at d.Path, through the Git Data
// API: nothing is visible until the last request (the ref), so an attempt that stops earlier leaves only
// unreachable objects. A ref that already exists was made by an earlier attempt and is kept.
func (c *Client) createBranch(ctx context.Context, base string, d postmortem.Draft) error {
	head, tree, err := c.branchHead(ctx, base)
	if err != nil {
		return fmt.Errorf("create branch %s: %w", d.Branch, err)
	}
	newTree, _, err := call(ctx, c, func() (*gh.Tree, *gh.Response, error) {
		return c.gh.Git.CreateTree(ctx, c.owner, c.repo, tree, []*gh.TreeEntry{{
			Path: gh.String(d.Path), Mode: gh.String("100644"), Type: gh.String("blob"), Content: gh.String(d.Content),
		}})
	})
	if err != nil {
		return fmt.Errorf("create tree for %s: %w", d.Branch, describe(err))
	}
	message := d.CommitMessage
	if strings.TrimSpace(message) == "" {
		message = "Add postmortem " + d.Path
	}
	commit, _, err := call(ctx, c, func() (*gh.Commit, *gh.Response, error) {
		return c.gh.Git.CreateCommit(ctx, c.owner, c.repo, &gh.Commit{
			Message: gh.String(message),
			Tree:    &gh.Tree{SHA: newTree.SHA},
			Parents: []*gh.Commit{{SHA: gh.String(head)}},
		}, nil)
	})
	if err != nil {
		return fmt.Errorf("create commit for %s: %w", d.Branch, describe(err))
	}
	_, _, err = call(ctx, c, func() (*gh.Reference, *gh.Response, error) {
		return c.gh.Git.CreateRef(ctx, c.owner, c.repo, &gh.Reference{
			Ref: gh.String("refs/heads/" + d.Branch), Object: &gh.GitObject{SHA: commit.SHA},
		})
	})
	switch {
	case isValidation(err, "Reference already exists"):
		c.logger.Info("branch already exists, reusing it", "branch", d.Branch)
	case err != nil:
		return fmt.Errorf("create branch %s: %w", d.Branch, describe(err))
	}
	return nil
}

// branchHead returns the head commit SHA of branch and that commit's tree SHA, in one request.
func (c *Client) branchHead(ctx context.Context, branch string) (commit, tree string, err error) {
	// Repositories.GetBranch turns every error into "unexpected status code", losing GitHub's message; the
	// same request through Do keeps it.
	u := fmt.Sprintf("repos/%s/%s/branches/%s", c.owner, c.repo, url.PathEscape(branch))
	b, _, err := call(ctx, c, func() (*gh.Branch, *gh.Response, error) {
		req, err := c.gh.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return nil, nil, err
		}
		b := new(gh.Branch)
		resp, err := c.gh.Do(ctx, req, b)
		return b, resp, err
	})
	if s := statusOf(err); s == http.StatusNotFound || s == http.StatusConflict {
		return "", "", fmt.Errorf("base branch %q of %s/%s (an empty repository has none; it needs a first commit): %w: %w: %w",
			branch, c.owner, c.repo, ErrBaseBranchNotFound, postmortem.ErrPermanent, err)
	}
	if err != nil {
		return "", "", fmt.Errorf("get base branch %q: %w", branch, describe(err))
	}
	commit = b.GetCommit().GetSHA()
	tree = b.GetCommit().GetCommit().GetTree().GetSHA()
	if commit == "" || tree == "" {
		return "", "", fmt.Errorf("get base branch %q: response has no commit or tree SHA", branch)
	}
	return commit, tree, nil
}

// openPullRequest opens the pull request of d. When one already exists for the branch (another attempt won a
// race), it returns that one with created false.
func (c *Client) openPullRequest(ctx context.Context, base string, d postmortem.Draft) (*gh.PullRequest, bool, error) {
	pr, _, err := call(ctx, c, func() (*gh.PullRequest, *gh.Response, error) {
		return c.gh.PullRequests.Create(ctx, c.owner, c.repo, &gh.NewPullRequest{
			Title: gh.String(FitTitle(d.Title)), Head: gh.String(d.Branch), Base: gh.String(base), Body: gh.String(FitBody(d.Body)),
		})
	})
	if err == nil {
		return pr, true, nil
	}
	if !isValidation(err, "A pull request already exists for") {
		if msg, ok := validationMessage(err); ok && strings.Contains(msg, "No commits between") {
			return nil, false, fmt.Errorf("create pull request for %s: branch has nothing to propose against %s (%s): %w", d.Branch, base, msg, err)
		}
		return nil, false, fmt.Errorf("create pull request for %s: %w", d.Branch, describe(err))
	}
	existing, found, ferr := c.findPullRequest(ctx, d.Branch)
	if ferr != nil {
		return nil, false, fmt.Errorf("create pull request for %s: %w", d.Branch, ferr)
	}
	if !found {
		return nil, false, fmt.Errorf("create pull request for %s: GitHub says one exists but none is listed: %w", d.Branch, err)
	}
	return existing, false, nil
}

// complete adds to an existing pull request what an earlier attempt did not: missing labels, the assignee
// and reviewers not yet requested (nor having reviewed already). A closed or merged pull request is returned
// untouched.
func (c *Client) complete(ctx context.Context, pr *gh.PullRequest, d postmortem.Draft) (postmortem.PullRequest, error) {
	out := toPullRequest(pr, false)
	n := pr.GetNumber()
	log := c.logger.With("branch", d.Branch, "pull_request", n)
	if pr.GetState() != "open" {
		log.Info("postmortem pull request already exists and is not open; leaving it", "state", pr.GetState(), "merged", pr.GetMerged())
		return out, nil
	}

	var have []string
	for _, l := range pr.Labels {
		have = append(have, l.GetName())
	}
	if missing := minus(dedupe(d.Labels), have); len(missing) > 0 {
		if _, _, err := call(ctx, c, func() ([]*gh.Label, *gh.Response, error) {
			return c.gh.Issues.AddLabelsToIssue(ctx, c.owner, c.repo, n, missing)
		}); err != nil {
			return out, fmt.Errorf("add labels to pull request #%d for %s: %w", n, d.Branch, describe(err))
		}
	}
	var assignees []string
	for _, u := range pr.Assignees {
		assignees = append(assignees, u.GetLogin())
	}
	if d.Assignee != "" && !containsFold(assignees, d.Assignee) {
		if _, _, err := call(ctx, c, func() (*gh.Issue, *gh.Response, error) {
			return c.gh.Issues.AddAssignees(ctx, c.owner, c.repo, n, []string{d.Assignee})
		}); err != nil {
			return out, fmt.Errorf("assign pull request #%d for %s: %w", n, d.Branch, describe(err))
		}
	}

	var requested, requestedTeams []string
	for _, u := range pr.RequestedReviewers {
		requested = append(requested, u.GetLogin())
	}
	for _, t := range pr.RequestedTeams {
		requestedTeams = append(requestedTeams, t.GetSlug())
	}
	logins, teams := wantedReviewers(d, pr.GetUser().GetLogin(), requested, requestedTeams)
	if len(logins) > 0 {
		// A reviewer who has reviewed is no longer "requested": do not ask them again.
		reviewed, err := c.reviewedBy(ctx, n)
		if err != nil {
			return out, fmt.Errorf("list reviews of pull request #%d for %s: %w", n, d.Branch, err)
		}
		logins = minus(logins, reviewed)
	}
	skipped, err := c.requestReviewers(ctx, log, n, logins, teams)
	out.SkippedReviewers = skipped
	if err != nil {
		return out, fmt.Errorf("request reviewers on pull request #%d for %s: %w", n, d.Branch, err)
	}
	if err := c.reportSkipped(ctx, n, skipped, true); err != nil {
		return out, fmt.Errorf("comment on pull request #%d for %s: %w", n, d.Branch, err)
	}
	return out, nil
}

func (c *Client) reviewedBy(ctx context.Context, number int) ([]string, error) {
	var logins []string
	opts := &gh.ListOptions{PerPage: 100}
	for {
		reviews, resp, err := call(ctx, c, func() ([]*gh.PullRequestReview, *gh.Response, error) {
			return c.gh.PullRequests.ListReviews(ctx, c.owner, c.repo, number, opts)
		})
		if err != nil {
			return nil, describe(err)
		}
		for _, r := range reviews {
			logins = append(logins, r.GetUser().GetLogin())
		}
		if resp.NextPage == 0 {
			return logins, nil
		}
		opts.Page = resp.NextPage
	}
}

// requestReviewers asks for reviews in one request. GitHub refuses the whole request when one login is not a
// collaborator, without saying which: then each reviewer is requested alone, the valid ones are kept and the
// refused ones returned with GitHub's reason. Teams are keyed "owner/slug".
func (c *Client) requestReviewers(ctx context.Context, log *slog.Logger, number int, logins, teams []string) (map[string]string, error) {
	if len(logins) == 0 && len(teams) == 0 {
		return nil, nil
	}
	do := func(logins, teams []string) error {
		_, _, err := call(ctx, c, func() (*gh.PullRequest, *gh.Response, error) {
			return c.gh.PullRequests.RequestReviewers(ctx, c.owner, c.repo, number, gh.ReviewersRequest{Reviewers: logins, TeamReviewers: teams})
		})
		return err
	}
	err := do(logins, teams)
	if err == nil {
		return nil, nil
	}
	msg, ok := validationMessage(err)
	if !ok {
		return nil, describe(err)
	}
	skipped := map[string]string{}
	if len(logins)+len(teams) == 1 {
		// Only one was asked for: it is the one refused.
		key := c.owner + "/" + strings.Join(teams, "")
		if len(logins) == 1 {
			key = logins[0]
		}
		skipped[key] = msg
		log.Warn("github refused a reviewer", "reviewer", key, "reason", msg)
		return skipped, nil
	}
	one := func(key string, logins, teams []string) error {
		err := do(logins, teams)
		if msg, ok := validationMessage(err); ok {
			skipped[key] = msg
			log.Warn("github refused a reviewer", "reviewer", key, "reason", msg)
			return nil
		}
		return describe(err)
	}
	for _, l := range logins {
		if err := one(l, []string{l}, nil); err != nil {
			return skipped, err
		}
	}
	for _, t := range teams {
		if err := one(c.owner+"/"+t, nil, []string{t}); err != nil {
			return skipped, err
		}
	}
	if len(skipped) == 0 {
		return nil, nil
	}
	return skipped, nil
}

// reportSkipped posts one comment listing the refused reviewers. When checkExisting is set (a retry), it
// first looks for the comment an earlier attempt may have posted.
func (c *Client) reportSkipped(ctx context.Context, number int, skipped map[string]string, checkExisting bool) error {
	if len(skipped) == 0 {
		return nil
	}
	if checkExisting {
		posted, err := c.hasSkippedComment(ctx, number)
		if err != nil || posted {
			return err
		}
	}
	keys := make([]string, 0, len(skipped))
	for k := range skipped {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(postmortem.SkippedReviewersMarker + "\n")
	b.WriteString("Reviews could not be requested from everyone this postmortem names:\n\n")
	for _, k := range keys {
		// Code spans rather than @-mentions: the point is to tell the author, not to notify strangers.
		fmt.Fprintf(&b, "- `%s`: %s\n", k, skipped[k])
	}
	b.WriteString("\nPlease ask someone with access to review, or add them to the repository.\n")
	return c.Comment(ctx, number, b.String())
}

func (c *Client) hasSkippedComment(ctx context.Context, number int) (bool, error) {
	cm, err := c.ownComment(ctx, number, startsWith(postmortem.SkippedReviewersMarker))
	return cm != nil, err
}

// wantedReviewers is the draft's reviewers and teams, without duplicates, the author, and those already
// requested.
func wantedReviewers(d postmortem.Draft, author string, requested, requestedTeams []string) (logins, teams []string) {
	logins = minus(dedupe(d.Reviewers), append(requested, author))
	teams = minus(dedupe(d.TeamReviewers), requestedTeams)
	return logins, teams
}

// dedupe drops empty names and repeats, comparing case-insensitively as GitHub does for logins and labels.
func dedupe(names []string) []string {
	var out []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n != "" && !containsFold(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// minus returns the names of a not in b, case-insensitively.
func minus(a, b []string) []string {
	var out []string
	for _, n := range a {
		if !containsFold(b, n) {
			out = append(out, n)
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

func toPullRequest(pr *gh.PullRequest, created bool) postmortem.PullRequest {
	return postmortem.PullRequest{
		Number:  pr.GetNumber(),
		URL:     pr.GetHTMLURL(),
		Branch:  pr.GetHead().GetRef(),
		Author:  pr.GetUser().GetLogin(),
		Created: created,
		Open:    pr.GetState() == "open",
	}
}
