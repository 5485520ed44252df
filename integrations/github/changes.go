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

// changeReading gathers one repository's changes in the window of a query: the changes, the sources they
// were read from, and the changes whose details may be read once every list is in.
type changeReading struct {
	c          *Client
	q          postmortem.ChangeQuery
	repo, web  string
	items      []postmortem.Change
	sources    []postmortem.ChangeSource
	candidates []candidate
}

// changes reads the changes of the client's repository in the window of q.
func (c *Client) changes(ctx context.Context, q postmortem.ChangeQuery) ([]postmortem.Change, []postmortem.ChangeSource) {
	r := &changeReading{c: c, q: q, repo: c.owner + "/" + c.repo, web: c.webURL()}
	r.deployments(ctx)
	r.releases(ctx)
	r.pullRequests(ctx)
	r.details()
	return r.items, r.sources
}

// in reports whether t is set and inside the query's window, bounds included.
func (r *changeReading) in(t time.Time) bool {
	return !t.IsZero() && !t.Before(r.q.Since) && !t.After(r.q.Until)
}

// deployments adds the deployments created in the window, newest first, each a candidate for its status.
func (r *changeReading) deployments(ctx context.Context) {
	c := r.c
	src := postmortem.ChangeSource{Name: r.repo + " deployments"}
	deployments, resp, err := call(ctx, c, func() ([]*gh.Deployment, *gh.Response, error) {
		return c.gh.Repositories.ListDeployments(ctx, c.owner, c.repo, &gh.DeploymentsListOptions{ListOptions: gh.ListOptions{PerPage: changesPage}})
	})
	if err != nil {
		src.Problem = problem(err)
	} else {
		src.Problem = truncated(resp, len(deployments), "deployments", last(deployments, func(d *gh.Deployment) time.Time { return d.GetCreatedAt().Time }), r.q.Since)
		for _, d := range deployments {
			if !r.in(d.GetCreatedAt().Time) {
				continue
			}
			ch := deploymentChange(r.repo, r.web, d)
			base := ch.What
			ch.What += ": status not read" // until deploymentStatus reads it
			r.items = append(r.items, ch)
			i := len(r.items) - 1
			// The change is found by index when the detail is read: by then the list has grown.
			r.candidates = append(r.candidates, candidate{at: d.GetCreatedAt().Time, detail: func() error {
				return c.deploymentStatus(ctx, d, r.q.Until, base, &r.items[i])
			}})
		}
	}
	r.sources = append(r.sources, src)
}

// releases adds the releases published in the window; the list is newest first by creation.
func (r *changeReading) releases(ctx context.Context) {
	c := r.c
	src := postmortem.ChangeSource{Name: r.repo + " releases"}
	releases, resp, err := call(ctx, c, func() ([]*gh.RepositoryRelease, *gh.Response, error) {
		return c.gh.Repositories.ListReleases(ctx, c.owner, c.repo, &gh.ListOptions{PerPage: changesPage})
	})
	if err != nil {
		src.Problem = problem(err)
	} else {
		src.Problem = truncated(resp, len(releases), "releases", last(releases, func(rel *gh.RepositoryRelease) time.Time { return rel.GetCreatedAt().Time }), r.q.Since)
		for _, rel := range releases {
			if rel.GetDraft() || !r.in(rel.GetPublishedAt().Time) {
				continue
			}
			r.items = append(r.items, releaseChange(r.repo, rel))
		}
	}
	r.sources = append(r.sources, src)
}

// pullRequests adds the pull requests merged into the default branch in the window, each a candidate for
// its merger. They are read from the closed ones by last update, newest first: a pull request merged in
// the window was updated no earlier than its merge, so it is on this page unless more than a page of pull
// requests were updated since the window opened.
func (r *changeReading) pullRequests(ctx context.Context) {
	c := r.c
	src := postmortem.ChangeSource{Name: r.repo + " pull requests"}
	pulls, resp, err := call(ctx, c, func() ([]*gh.PullRequest, *gh.Response, error) {
		return c.gh.PullRequests.List(ctx, c.owner, c.repo, &gh.PullRequestListOptions{State: "closed", Sort: "updated", Direction: "desc",
			ListOptions: gh.ListOptions{PerPage: changesPage}})
	})
	if err != nil {
		src.Problem = problem(err)
	} else {
		src.Problem = truncated(resp, len(pulls), "closed pull requests", last(pulls, func(p *gh.PullRequest) time.Time { return p.GetUpdatedAt().Time }), r.q.Since)
		for _, p := range pulls {
			base := p.GetBase()
			if !r.in(p.GetMergedAt().Time) || base.GetRepo().GetDefaultBranch() != "" && base.GetRef() != base.GetRepo().GetDefaultBranch() {
				continue
			}
			r.items = append(r.items, postmortem.Change{At: p.GetMergedAt().UTC(), Kind: postmortem.ChangePullRequest, Source: r.repo,
				What: fmt.Sprintf("%s (#%d)", p.GetTitle(), p.GetNumber()), URL: p.GetHTMLURL()})
			i, number := len(r.items)-1, p.GetNumber()
			r.candidates = append(r.candidates, candidate{at: p.GetMergedAt().Time, detail: func() error {
				return c.merger(ctx, number, &r.items[i])
			}})
		}
	}
	r.sources = append(r.sources, src)
}

// details reads the details of the changeDetails candidates nearest the trigger, and adds a source with
// a Problem naming each detail that failed and how many candidates were left without theirs.
func (r *changeReading) details() {
	slices.SortStableFunc(r.candidates, func(a, b candidate) int {
		return cmp.Compare(distance(a.at, r.q.Trigger), distance(b.at, r.q.Trigger))
	})
	var failed []string
	for i, cand := range r.candidates {
		if i == changeDetails {
			failed = append(failed, fmt.Sprintf("%d of %d deployments and merged pull requests were read without their status or merger (details are read for the %d nearest the trigger)",
				len(r.candidates)-changeDetails, len(r.candidates), changeDetails))
			break
		}
		if err := cand.detail(); err != nil {
			failed = append(failed, err.Error())
		}
	}
	if len(failed) > 0 {
		r.sources = append(r.sources, postmortem.ChangeSource{Name: r.repo + " details", Problem: strings.Join(failed, "; ")})
	}
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

// deploymentChange describes a deployment without its status: What names its ref, commit, environment
// and task.
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
	ch := postmortem.Change{At: d.GetCreatedAt().UTC(), Kind: postmortem.ChangeDeployment, Source: repo, What: what,
		By: d.GetCreator().GetLogin(), Bot: isBot(d.GetCreator())}
	if sha := d.GetSHA(); sha != "" && web != "" {
		ch.URL = web + repo + "/commit/" + sha
	}
	return ch
}

// deploymentStatus completes a deployment's change, base being deploymentChange's What, with its latest
// status up to until, and links the status's log when it has one.
func (c *Client) deploymentStatus(ctx context.Context, d *gh.Deployment, until time.Time, base string, ch *postmortem.Change) error {
	statuses, _, err := call(ctx, c, func() ([]*gh.DeploymentStatus, *gh.Response, error) {
		return c.gh.Repositories.ListDeploymentStatuses(ctx, c.owner, c.repo, d.GetID(), &gh.ListOptions{PerPage: changesPage})
	})
	if err != nil {
		return fmt.Errorf("statuses of deployment %d: %s", d.GetID(), problem(err))
	}
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
