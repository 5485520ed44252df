package github

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// EnsureIssue returns the issue whose body holds spec.Marker, creating it when there is none: find before
// create, so a retry never opens a second one. created is true when this call opened it. The search lists
// the issues carrying spec's first label, in any state.
func (c *Client) EnsureIssue(ctx context.Context, spec postmortem.IssueSpec) (issue postmortem.Issue, created bool, err error) {
	found, ok, err := c.findIssue(ctx, spec)
	if err != nil || ok {
		return found, false, err
	}
	req := &gh.IssueRequest{
		Title:  gh.String(FitTitle(spec.Title)),
		Body:   gh.String(FitBody(spec.Marker + "\n" + spec.Body)),
		Labels: &spec.Labels,
	}
	if spec.Assignee != "" {
		req.Assignees = &[]string{spec.Assignee}
	}
	is, _, err := call(ctx, c, func() (*gh.Issue, *gh.Response, error) {
		return c.gh.Issues.Create(ctx, c.owner, c.repo, req)
	})
	if err != nil && spec.Assignee != "" && statusOf(err) == http.StatusUnprocessableEntity {
		// An owner who cannot be assigned must not cost the issue: open it unassigned and say so.
		c.logger.Warn("action item owner cannot be assigned", "login", spec.Assignee, "error", err)
		req.Assignees = nil
		req.Body = gh.String(FitBody(spec.Marker + "\n" + spec.Body + "\nOwner: `" + spec.Assignee + "` (could not be assigned)\n"))
		is, _, err = call(ctx, c, func() (*gh.Issue, *gh.Response, error) {
			return c.gh.Issues.Create(ctx, c.owner, c.repo, req)
		})
	}
	if err != nil {
		return postmortem.Issue{}, false, fmt.Errorf("create issue %q: %w", spec.Title, describe(err))
	}
	return toIssue(is), true, nil
}

func (c *Client) findIssue(ctx context.Context, spec postmortem.IssueSpec) (postmortem.Issue, bool, error) {
	self, err := c.Self(ctx)
	if err != nil {
		return postmortem.Issue{}, false, err
	}
	opts := &gh.IssueListByRepoOptions{State: "all", ListOptions: gh.ListOptions{PerPage: 100}}
	if len(spec.Labels) > 0 {
		opts.Labels = spec.Labels[:1]
	}
	for {
		issues, resp, err := call(ctx, c, func() ([]*gh.Issue, *gh.Response, error) {
			return c.gh.Issues.ListByRepo(ctx, c.owner, c.repo, opts)
		})
		if err != nil {
			return postmortem.Issue{}, false, fmt.Errorf("list issues: %w", describe(err))
		}
		for _, is := range issues {
			if !is.IsPullRequest() && strings.Contains(is.GetBody(), spec.Marker) && strings.EqualFold(is.GetUser().GetLogin(), self) {
				return toIssue(is), true, nil
			}
		}
		if resp.NextPage == 0 {
			return postmortem.Issue{}, false, nil
		}
		opts.Page = resp.NextPage
	}
}

// LinkSubIssues makes children sub-issues of parent, skipping those that are already. supported is false
// when the host has no sub-issues (GitHub Enterprise Server before 3.20): nothing was linked, and the caller
// should use SetTaskList.
func (c *Client) LinkSubIssues(ctx context.Context, parent postmortem.Issue, children []postmortem.Issue) (supported bool, err error) {
	// go-github v60 has no sub-issues API: the REST endpoints are called directly.
	path := fmt.Sprintf("repos/%s/%s/issues/%d/sub_issues", c.owner, c.repo, parent.Number)
	existing := map[int64]bool{}
	for page := 1; page > 0; {
		var subs []*gh.Issue
		resp, err := c.do(ctx, http.MethodGet, path+"?per_page=100&page="+strconv.Itoa(page), nil, &subs)
		if statusOf(err) == http.StatusNotFound {
			return false, nil
		}
		if err != nil {
			return true, fmt.Errorf("list sub-issues of #%d: %w", parent.Number, describe(err))
		}
		for _, s := range subs {
			existing[s.GetID()] = true
		}
		page = resp.NextPage
	}
	for _, child := range children {
		if existing[child.ID] {
			continue
		}
		_, err := c.do(ctx, http.MethodPost, path, map[string]int64{"sub_issue_id": child.ID}, nil)
		switch {
		case statusOf(err) == http.StatusNotFound:
			return false, nil
		case isValidation(err, "already exists"):
		case err != nil:
			return true, fmt.Errorf("add #%d as a sub-issue of #%d: %w", child.Number, parent.Number, describe(err))
		}
	}
	return true, nil
}

// SetTaskList writes children as a task list ("- [ ] #12") in the body of issue number, replacing the list
// it wrote before and leaving the rest of the body alone; GitHub then shows their progress.
func (c *Client) SetTaskList(ctx context.Context, number int, children []postmortem.Issue) error {
	is, _, err := call(ctx, c, func() (*gh.Issue, *gh.Response, error) {
		return c.gh.Issues.Get(ctx, c.owner, c.repo, number)
	})
	if err != nil {
		return fmt.Errorf("read issue #%d: %w", number, describe(err))
	}
	var list strings.Builder
	list.WriteString(postmortem.TaskListStart + "\n")
	for _, ch := range children {
		mark := " "
		if !ch.Open {
			mark = "x"
		}
		fmt.Fprintf(&list, "- [%s] #%d\n", mark, ch.Number)
	}
	list.WriteString(postmortem.TaskListEnd)
	body := is.GetBody()
	if i, j := strings.Index(body, postmortem.TaskListStart), strings.Index(body, postmortem.TaskListEnd); i >= 0 && j > i {
		body = body[:i] + list.String() + body[j+len(postmortem.TaskListEnd):]
	} else {
		body = strings.TrimRight(body, "\n") + "\n\n" + list.String() + "\n"
	}
	if body == is.GetBody() {
		return nil
	}
	_, _, err = call(ctx, c, func() (*gh.Issue, *gh.Response, error) {
		return c.gh.Issues.Edit(ctx, c.owner, c.repo, number, &gh.IssueRequest{Body: gh.String(FitBody(body))})
	})
	if err != nil {
		return fmt.Errorf("write the task list of #%d: %w", number, describe(err))
	}
	return nil
}

// do sends a request go-github has no method for.
func (c *Client) do(ctx context.Context, method, path string, body, into any) (*gh.Response, error) {
	_, resp, err := call(ctx, c, func() (struct{}, *gh.Response, error) {
		req, err := c.gh.NewRequest(method, path, body)
		if err != nil {
			return struct{}{}, nil, err
		}
		resp, err := c.gh.Do(ctx, req, into)
		return struct{}{}, resp, err
	})
	return resp, err
}

func toIssue(is *gh.Issue) postmortem.Issue {
	return postmortem.Issue{Number: is.GetNumber(), ID: is.GetID(), URL: is.GetHTMLURL(), Open: is.GetState() != "closed"}
}

// Issue returns issue number.
func (c *Client) Issue(ctx context.Context, number int) (postmortem.Issue, error) {
	is, _, err := call(ctx, c, func() (*gh.Issue, *gh.Response, error) {
		return c.gh.Issues.Get(ctx, c.owner, c.repo, number)
	})
	if err != nil {
		return postmortem.Issue{}, fmt.Errorf("read issue #%d: %w", number, describe(err))
	}
	return toIssue(is), nil
}

// AddLabels adds labels to issue or pull request number, keeping those it has.
func (c *Client) AddLabels(ctx context.Context, number int, labels ...string) error {
	_, _, err := call(ctx, c, func() ([]*gh.Label, *gh.Response, error) {
		return c.gh.Issues.AddLabelsToIssue(ctx, c.owner, c.repo, number, labels)
	})
	if err != nil {
		return fmt.Errorf("label #%d: %w", number, describe(err))
	}
	return nil
}

// File returns the content of path at ref (a branch, tag or commit SHA); ok is false when there is no such
// file.
func (c *Client) File(ctx context.Context, ref, path string) (content string, ok bool, err error) {
	file, _, err := call(ctx, c, func() (*gh.RepositoryContent, *gh.Response, error) {
		f, _, resp, err := c.gh.Repositories.GetContents(ctx, c.owner, c.repo, path, &gh.RepositoryContentGetOptions{Ref: ref})
		return f, resp, err
	})
	if statusOf(err) == http.StatusNotFound {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read %s at %s: %w", path, ref, describe(err))
	}
	content, err = file.GetContent()
	if err != nil {
		return "", false, fmt.Errorf("decode %s at %s: %w", path, ref, err)
	}
	return content, true, nil
}

// Dir returns the paths of the files directly in dir at ref ("" for the default branch), sorted; none when
// dir does not exist. Subdirectories are left out.
func (c *Client) Dir(ctx context.Context, ref, dir string) ([]string, error) {
	entries, _, err := call(ctx, c, func() ([]*gh.RepositoryContent, *gh.Response, error) {
		_, list, resp, err := c.gh.Repositories.GetContents(ctx, c.owner, c.repo, dir, &gh.RepositoryContentGetOptions{Ref: ref})
		return list, resp, err
	})
	if statusOf(err) == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list %s at %s: %w", dir, ref, describe(err))
	}
	var out []string
	for _, e := range entries {
		if e.GetType() == "file" {
			out = append(out, e.GetPath())
		}
	}
	slices.Sort(out)
	return out, nil
}

// FileURL is the web address of path on branch, for linking a postmortem before its pull request exists.
// The repository's address is asked of GitHub once.
func (c *Client) FileURL(ctx context.Context, branch, path string) (string, error) {
	c.mu.Lock()
	base := c.htmlURL
	c.mu.Unlock()
	if base == "" {
		repo, _, err := call(ctx, c, func() (*gh.Repository, *gh.Response, error) {
			return c.gh.Repositories.Get(ctx, c.owner, c.repo)
		})
		if err != nil {
			return "", fmt.Errorf("get repository %s/%s: %w", c.owner, c.repo, describe(err))
		}
		base = repo.GetHTMLURL()
		c.mu.Lock()
		c.htmlURL = base
		c.mu.Unlock()
	}
	return strings.TrimSuffix(base, "/") + "/blob/" + branch + "/" + path, nil
}
