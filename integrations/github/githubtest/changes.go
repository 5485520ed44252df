package githubtest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	docsListDeployments = "https://docs.github.com/rest/deployments/deployments#list-deployments"
	docsListStatuses    = "https://docs.github.com/rest/deployments/statuses#list-deployment-statuses"
	docsListReleases    = "https://docs.github.com/rest/releases/releases#list-releases"
)

// Deployment is a deployment of the repository, with its statuses oldest first.
type Deployment struct {
	Ref, SHA, Environment, Description string
	// Task defaults to "deploy".
	Task      string
	Creator   string
	CreatedAt time.Time
	Statuses  []DeploymentStatus
}

// DeploymentStatus is one status of a deployment: State is "success", "failure", "error", "inactive",
// "in_progress", "queued" or "pending".
type DeploymentStatus struct {
	State, Creator, Description, LogURL, EnvironmentURL string
	CreatedAt                                           time.Time
}

// Release is a release of the repository. A draft has no published time.
type Release struct {
	Tag, Name, Author      string
	CreatedAt, PublishedAt time.Time
	Draft, Prerelease      bool
}

// ClosedPullRequest is a pull request closed before the test starts: merged at MergedAt by MergedBy when
// MergedAt is set, else closed without merging at ClosedAt.
type ClosedPullRequest struct {
	Title, Head, Base, Author, MergedBy string
	MergedAt, ClosedAt                  time.Time
}

type deployment struct {
	id int64
	Deployment
	statuses []deploymentStatus
}

type deploymentStatus struct {
	id int64
	DeploymentStatus
}

type release struct {
	id int64
	Release
}

// AddDeployment records a deployment and its statuses and returns its ID.
func (s *Server) AddDeployment(d Deployment) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	dep := &deployment{id: s.nextID, Deployment: d}
	if dep.Task == "" {
		dep.Task = "deploy"
	}
	for _, st := range d.Statuses {
		s.nextID++
		dep.statuses = append(dep.statuses, deploymentStatus{id: s.nextID, DeploymentStatus: st})
	}
	s.deployments = append(s.deployments, dep)
	return dep.id
}

// AddRelease records a release and returns its ID.
func (s *Server) AddRelease(r Release) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	s.releases = append(s.releases, &release{id: s.nextID, Release: r})
	return s.nextID
}

// AddClosedPullRequest records a pull request closed, and merged when p.MergedAt is set, in the past, and
// returns its number. Its branches need not exist.
func (s *Server) AddClosedPullRequest(p ClosedPullRequest) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.newIssue(p.Title, "")
	closed := p.ClosedAt
	if !p.MergedAt.IsZero() {
		closed = p.MergedAt
	}
	is.state, is.author = "closed", p.Author
	is.created, is.updated, is.closedAt = closed.Add(-time.Hour).UTC(), closed.UTC(), closed.UTC()
	is.pull = &pull{head: p.Head, base: p.Base, merged: !p.MergedAt.IsZero(), mergedAt: p.MergedAt.UTC(), mergedBy: p.MergedBy}
	return is.number
}

// listDeployments answers GET /repos/{owner}/{repo}/deployments: newest first, filtered by sha, ref, task
// and environment, paged.
func (s *Server) listDeployments(r *http.Request) reply {
	q := r.URL.Query()
	items := []any{}
	for i := len(s.deployments) - 1; i >= 0; i-- {
		d := s.deployments[i]
		if !matches(q.Get("sha"), d.SHA) || !matches(q.Get("ref"), d.Ref) || !matches(q.Get("task"), d.Task) ||
			!matches(q.Get("environment"), d.Environment) {
			continue
		}
		items = append(items, s.deploymentJSON(d))
	}
	slices.SortStableFunc(items, func(a, b any) int {
		return -strings.Compare(a.(map[string]any)["created_at"].(string), b.(map[string]any)["created_at"].(string))
	})
	return s.paginate(r, items)
}

func matches(filter, value string) bool { return filter == "" || filter == "none" || filter == value }

// listDeploymentStatuses answers GET /repos/{owner}/{repo}/deployments/{id}/statuses: newest first, paged;
// 404 for a deployment the repository does not have.
func (s *Server) listDeploymentStatuses(r *http.Request, id string) reply {
	n, err := strconv.ParseInt(id, 10, 64)
	i := slices.IndexFunc(s.deployments, func(d *deployment) bool { return d.id == n })
	if err != nil || i < 0 {
		return s.errorReply(http.StatusNotFound, "Not Found", docsListStatuses)
	}
	d := s.deployments[i]
	items := []any{}
	for j := len(d.statuses) - 1; j >= 0; j-- {
		items = append(items, s.deploymentStatusJSON(d, d.statuses[j]))
	}
	return s.paginate(r, items)
}

// listReleases answers GET /repos/{owner}/{repo}/releases: newest first by creation, drafts included (the
// fake's token has push access), paged.
func (s *Server) listReleases(r *http.Request) reply {
	rels := slices.Clone(s.releases)
	slices.SortStableFunc(rels, func(a, b *release) int { return b.CreatedAt.Compare(a.CreatedAt) })
	items := []any{}
	for _, rel := range rels {
		items = append(items, s.releaseJSON(rel))
	}
	return s.paginate(r, items)
}

func (s *Server) deploymentJSON(d *deployment) map[string]any {
	id := strconv.FormatInt(d.id, 10)
	var description any
	if d.Description != "" {
		description = d.Description
	}
	created := d.CreatedAt.UTC().Format(time.RFC3339)
	updated := created
	if n := len(d.statuses); n > 0 {
		updated = d.statuses[n-1].CreatedAt.UTC().Format(time.RFC3339)
	}
	return map[string]any{
		"id": d.id, "node_id": "DE_" + id, "sha": d.SHA, "ref": d.Ref, "task": d.Task, "payload": map[string]any{},
		"original_environment": d.Environment, "environment": d.Environment, "description": description,
		"creator": s.userJSON(d.Creator), "created_at": created, "updated_at": updated,
		"statuses_url": s.apiURL("deployments", id, "statuses"), "repository_url": strings.TrimSuffix(s.apiURL(), "/"),
		"url": s.apiURL("deployments", id), "transient_environment": false,
		"production_environment": d.Environment == "production", "performed_via_github_app": nil,
	}
}

func (s *Server) deploymentStatusJSON(d *deployment, st deploymentStatus) map[string]any {
	id := strconv.FormatInt(st.id, 10)
	at := st.CreatedAt.UTC().Format(time.RFC3339)
	return map[string]any{
		"id": st.id, "node_id": "DES_" + id, "state": st.State, "creator": s.userJSON(st.Creator),
		"description": st.Description, "environment": d.Environment, "target_url": st.LogURL, "log_url": st.LogURL,
		"environment_url": st.EnvironmentURL, "created_at": at, "updated_at": at,
		"deployment_url":           s.apiURL("deployments", strconv.FormatInt(d.id, 10)),
		"repository_url":           strings.TrimSuffix(s.apiURL(), "/"),
		"url":                      s.apiURL("deployments", strconv.FormatInt(d.id, 10), "statuses", id),
		"performed_via_github_app": nil,
	}
}

func (s *Server) releaseJSON(r *release) map[string]any {
	id := strconv.FormatInt(r.id, 10)
	var name any
	if r.Name != "" {
		name = r.Name
	}
	html := s.htmlURL("releases", "tag", r.Tag)
	if r.Draft {
		html = s.htmlURL("releases", "tag", "untagged-"+id)
	}
	return map[string]any{
		"id": r.id, "node_id": "RE_" + id, "tag_name": r.Tag, "target_commitish": defaultBranch, "name": name,
		"draft": r.Draft, "prerelease": r.Prerelease, "author": s.userJSON(r.Author), "body": nil,
		"created_at": r.CreatedAt.UTC().Format(time.RFC3339), "published_at": timeOrNil(r.PublishedAt.UTC()),
		"url": s.apiURL("releases", id), "html_url": html, "assets_url": s.apiURL("releases", id, "assets"),
		"upload_url":  strings.Replace(s.apiURL("releases", id, "assets"), s.srv.URL, s.srv.URL+"/uploads", 1) + "{?name,label}",
		"tarball_url": s.apiURL("tarball", r.Tag), "zipball_url": s.apiURL("zipball", r.Tag), "assets": []any{},
	}
}
