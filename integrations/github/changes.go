package github

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// Bounds of what is read of one repository's changes. Each list is one page, newest first; the details
// (a deployment's statuses, who merged a pull request) are read for at most changeDetails changes, those
// nearest the trigger. So a repository costs at most 3 + changeDetails requests.
const (
	changesPage   = 100
	changeDetails = 5
)

// ReadChanges reads, for each repository of q, the deployments created, the releases published and the
// pull requests merged into the default branch from q.Since to q.Until, with at most 3 + 5 requests a
// repository: one page of 100 deployments, one of releases and one of closed pull requests sorted by their
// last update (GitHub lists no merge date filter), then the statuses of the deployments and the merger of
// the pull requests nearest the trigger, five of them at most. Each repository is read once, however often
// q names it. It never fails: a repository or list that could not be read, or was read only in part, is a
// source with a Problem.
func (r *Router) ReadChanges(ctx context.Context, q postmortem.ChangeQuery) postmortem.Changes {
	out := postmortem.Changes{Query: q}
	seen := map[string]bool{}
	for _, repo := range q.Repos {
		if seen[strings.ToLower(repo)] {
			continue
		}
		seen[strings.ToLower(repo)] = true
		c, err := r.client(ctx, repo)
		if err != nil {
			out.Sources = append(out.Sources, postmortem.ChangeSource{Name: repo, Problem: problem(err)})
			continue
		}
		items, sources := c.changes(ctx, q)
		out.Items = append(out.Items, items...)
		out.Sources = append(out.Sources, sources...)
	}
	return out
}

// candidate is a change whose details may be read: a deployment's statuses or a pull request's merger.
type candidate struct {
	at     time.Time
	detail func() error
}

// changes reads the changes of the client's repository in the window of q.
func (c *Client) changes(ctx context.Context, q postmortem.ChangeQuery) ([]postmortem.Change, []postmortem.ChangeSource) {
	repo := c.owner + "/" + c.repo
	web := c.webURL()
	var items []postmortem.Change
	var sources []postmortem.ChangeSource
	var candidates []candidate
	in := func(t time.Time) bool { return !t.IsZero() && !t.Before(q.Since) && !t.After(q.Until) }

	// Deployments, newest first.
	src := postmortem.ChangeSource{Name: repo + " deployments"}
	deployments, resp, err := call(ctx, c, func() ([]*gh.Deployment, *gh.Response, error) {
		return c.gh.Repositories.ListDeployments(ctx, c.owner, c.repo, &gh.DeploymentsListOptions{ListOptions: gh.ListOptions{PerPage: changesPage}})
	})
	if err != nil {
		src.Problem = problem(err)
	} else {
		src.Problem = truncated(resp, len(deployments), "deployments", last(deployments, func(d *gh.Deployment) time.Time { return d.GetCreatedAt().Time }), q.Since)
		for _, d := range deployments {
			if !in(d.GetCreatedAt().Time) {
				continue
			}
			items = append(items, deploymentChange(repo, web, d))
			i := len(items) - 1
			candidates = append(candidates, candidate{at: d.GetCreatedAt().Time, detail: func() error {
				return c.deploymentStatus(ctx, d, q.Until, &items[i])
			}})
		}
	}
	sources = append(sources, src)

	// Releases, newest first by creation; a release counts when it was published in the window.
	src = postmortem.ChangeSource{Name: repo + " releases"}
	releases, resp, err := call(ctx, c, func() ([]*gh.RepositoryRelease, *gh.Response, error) {
		return c.gh.Repositories.ListReleases(ctx, c.owner, c.repo, &gh.ListOptions{PerPage: changesPage})
	})
	if err != nil {
		src.Problem = problem(err)
	} else {
		src.Problem = truncated(resp, len(releases), "releases", last(releases, func(r *gh.RepositoryRelease) time.Time { return r.GetCreatedAt().Time }), q.Since)
		for _, rel := range releases {
			if rel.GetDraft() || !in(rel.GetPublishedAt().Time) {
				continue
			}
			items = append(items, releaseChange(repo, rel))
		}
	}
	sources = append(sources, src)

	// Pull requests merged into the default branch: closed ones, by last update, newest first. A pull
	// request merged in the window was updated no earlier than its merge, so it is on this page unless
	// more than a page of pull requests were updated since the window opened.
	src = postmortem.ChangeSource{Name: repo + " pull requests"}
	pulls, resp, err := call(ctx, c, func() ([]*gh.PullRequest, *gh.Response, error) {
		return c.gh.PullRequests.List(ctx, c.owner, c.repo, &gh.PullRequestListOptions{State: "closed", Sort: "updated", Direction: "desc",
			ListOptions: gh.ListOptions{PerPage: changesPage}})
	})
	if err != nil {
		src.Problem = problem(err)
	} else {
		src.Problem = truncated(resp, len(pulls), "closed pull requests", last(pulls, func(p *gh.PullRequest) time.Time { return p.GetUpdatedAt().Time }), q.Since)
		for _, p := range pulls {
			base := p.GetBase()
			if !in(p.GetMergedAt().Time) || base.GetRepo().GetDefaultBranch() != "" && base.GetRef() != base.GetRepo().GetDefaultBranch() {
				continue
			}
			items = append(items, postmortem.Change{At: p.GetMergedAt().UTC(), Kind: postmortem.ChangePullRequest, Source: repo,
				What: fmt.Sprintf("%s (#%d)", p.GetTitle(), p.GetNumber()), URL: p.GetHTMLURL()})
			i, number := len(items)-1, p.GetNumber()
			candidates = append(candidates, candidate{at: p.GetMergedAt().Time, detail: func() error {
				return c.merger(ctx, number, &items[i])
			}})
		}
	}
	sources = append(sources, src)

	// Details for the changes nearest the trigger.
	slices.SortStableFunc(candidates, func(a, b candidate) int { return cmp.Compare(distance(a.at, q.Trigger), distance(b.at, q.Trigger)) })
	var failed []string
	for i, cand := range candidates {
		if i == changeDetails {
			failed = append(failed, fmt.Sprintf("%d of %d deployments and merged pull requests were read without their status or merger (details are read for the %d nearest the trigger)",
				len(candidates)-changeDetails, len(candidates), changeDetails))
			break
		}
		if err := cand.detail(); err != nil {
			failed = append(failed, err.Error())
		}
	}
	if len(failed) > 0 {
		sources = append(sources, postmortem.ChangeSource{Name: repo + " details", Problem: strings.Join(failed, "; ")})
	}
	return items, sources
}

func distance(at, trigger time.Time) time.Duration {
	d := at.Sub(trigger)
	if d < 0 {
		return -d
	}
	return d
}

func last[T any](list []T, at func(T) time.Time) time.Time {
	if len(list) == 0 {
		return time.Time{}
	}
	return at(list[len(list)-1])
}

// truncated says what a one-page read left out: there is another page and the page's oldest item is still
// inside the window.
func truncated(resp *gh.Response, n int, what string, oldest, since time.Time) string {
	if resp == nil || resp.NextPage == 0 || oldest.Before(since) {
		return ""
	}
	return fmt.Sprintf("only the newest %d %s were read, and older ones may fall in the window", n, what)
}

// deploymentChange describes a deployment before its status is read.
func deploymentChange(repo, web string, d *gh.Deployment) postmortem.Change {
	what := d.GetRef()
	if sha := d.GetSHA(); sha != "" && !strings.HasPrefix(sha, what) {
		what += " (" + shortSHA(sha) + ")"
	}
	if env := d.GetEnvironment(); env != "" {
		what += " to " + env
	}
	if t := d.GetTask(); t != "" && t != "deploy" {
		what += ", task " + t
	}
	ch := postmortem.Change{At: d.GetCreatedAt().UTC(), Kind: postmortem.ChangeDeployment, Source: repo, What: what + ": status not read",
		By: d.GetCreator().GetLogin(), Bot: isBot(d.GetCreator())}
	if sha := d.GetSHA(); sha != "" && web != "" {
		ch.URL = web + repo + "/commit/" + sha
	}
	return ch
}

// deploymentStatus completes a deployment's change with its latest status up to until, and links the
// status's log when it has one.
func (c *Client) deploymentStatus(ctx context.Context, d *gh.Deployment, until time.Time, ch *postmortem.Change) error {
	statuses, _, err := call(ctx, c, func() ([]*gh.DeploymentStatus, *gh.Response, error) {
		return c.gh.Repositories.ListDeploymentStatuses(ctx, c.owner, c.repo, d.GetID(), &gh.ListOptions{PerPage: changesPage})
	})
	if err != nil {
		return fmt.Errorf("statuses of deployment %d: %s", d.GetID(), problem(err))
	}
	base, _ := strings.CutSuffix(ch.What, ": status not read")
	ch.What = base + ": no status"
	// Newest first: the first one set before the window closed is the state the incident saw.
	for _, s := range statuses {
		if s.GetCreatedAt().After(until) {
			continue
		}
		ch.What = base + ": " + s.GetState()
		if u := cmp.Or(s.GetLogURL(), s.GetTargetURL()); u != "" {
			ch.URL = u
		}
		break
	}
	return nil
}

// merger completes a merged pull request's change with who merged it (the list of pull requests does not
// say).
func (c *Client) merger(ctx context.Context, number int, ch *postmortem.Change) error {
	p, _, err := call(ctx, c, func() (*gh.PullRequest, *gh.Response, error) {
		return c.gh.PullRequests.Get(ctx, c.owner, c.repo, number)
	})
	if err != nil {
		return fmt.Errorf("merger of pull request %d: %s", number, problem(err))
	}
	ch.By, ch.Bot = p.GetMergedBy().GetLogin(), isBot(p.GetMergedBy())
	return nil
}

func releaseChange(repo string, rel *gh.RepositoryRelease) postmortem.Change {
	what := rel.GetTagName()
	if name := rel.GetName(); name != "" && name != what {
		what = name + " (" + what + ")"
	}
	if rel.GetPrerelease() {
		what += ", pre-release"
	}
	return postmortem.Change{At: rel.GetPublishedAt().UTC(), Kind: postmortem.ChangeRelease, Source: repo, What: what,
		By: rel.GetAuthor().GetLogin(), Bot: isBot(rel.GetAuthor()), URL: rel.GetHTMLURL()}
}

func isBot(u *gh.User) bool {
	return u.GetType() == "Bot" || strings.HasSuffix(u.GetLogin(), "[bot]")
}

func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// webURL is the web root of the client's GitHub, with a trailing slash: github.com for api.github.com,
// the host of GitHub Enterprise Server's /api/v3/, else the API root itself (a test server).
func (c *Client) webURL() string {
	u := *c.gh.BaseURL
	switch {
	case u.Host == "api.github.com":
		u.Host = "github.com"
		u.Path = "/"
	case strings.HasSuffix(u.Path, "/api/v3/"):
		u.Path = strings.TrimSuffix(u.Path, "api/v3/")
	}
	return u.String()
}

// problem says in one line why a read failed: GitHub's status and message, or the error.
func problem(err error) string {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		msg := er.Message
		if msg == "" {
			msg = strings.TrimSpace(er.Response.Status)
		}
		return "GitHub answered " + strconv.Itoa(er.Response.StatusCode) + ": " + msg
	}
	var limit *LimitError
	if errors.As(err, &limit) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return "not read in time: " + err.Error()
	}
	return err.Error()
}
