package githubtest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	docsCreatePull     = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"
	docsRequestReviews = "https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request"
)

type pull struct {
	head, base     string
	merged         bool
	mergedAt       time.Time
	mergedBy       string // the login that merged it; the repository's owner when empty
	requested      []string
	requestedTeams []string
	reviews        []review
}

type review struct {
	id           int64
	login, state string
	commit       string // the head commit reviewed
	at           time.Time
}

// PullRequests returns every pull request, by number.
func (s *Server) PullRequests() []PullRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []PullRequest
	for _, n := range s.numbers() {
		is := s.issues[n]
		if is.pull == nil {
			continue
		}
		out = append(out, PullRequest{
			Number: n, Title: is.title, Body: is.body, Head: is.pull.head, Base: is.pull.base, State: is.state,
			Merged: is.pull.merged, Labels: slices.Clone(is.labels), Assignees: slices.Clone(is.assignees),
			RequestedReviewers: slices.Clone(is.pull.requested), RequestedTeams: slices.Clone(is.pull.requestedTeams),
			Author: is.author,
		})
	}
	return out
}

// AddReview records a review by login on pull request number (state "APPROVED", "COMMENTED" or
// "CHANGES_REQUESTED"). As on GitHub, the login is no longer a requested reviewer.
func (s *Server) AddReview(number int, login, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is, ok := s.issues[number]
	if !ok || is.pull == nil {
		panic("githubtest: AddReview: no pull request #" + strconv.Itoa(number))
	}
	s.nextID++
	is.pull.reviews = append(is.pull.reviews, review{id: s.nextID, login: login, state: state,
		commit: s.refs["refs/heads/"+is.pull.head], at: time.Now().UTC()})
	is.pull.requested = slices.DeleteFunc(is.pull.requested, func(l string) bool { return strings.EqualFold(l, login) })
}

// Merge merges pull request number: its base branch moves to a merge commit holding the head's files.
func (s *Server) Merge(number int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is, ok := s.issues[number]
	if !ok || is.pull == nil {
		panic("githubtest: Merge: no pull request #" + strconv.Itoa(number))
	}
	base, head := s.refs["refs/heads/"+is.pull.base], s.refs["refs/heads/"+is.pull.head]
	if head != "" && base != "" {
		s.refs["refs/heads/"+is.pull.base] = s.putCommit(s.commits[head].tree, []string{base, head},
			"Merge pull request #"+strconv.Itoa(number)+" from "+s.owner+"/"+is.pull.head)
	}
	now := time.Now().UTC()
	is.state, is.closedAt, is.updated = "closed", now, now
	is.pull.merged, is.pull.mergedAt = true, now
}

func (s *Server) routePulls(r *http.Request, rest []string, body []byte) reply {
	m := r.Method
	if len(rest) == 0 {
		switch m {
		case http.MethodGet:
			return s.listPulls(r)
		case http.MethodPost:
			return s.createPull(body)
		}
		return s.notFound()
	}
	n, err := strconv.Atoi(rest[0])
	is, ok := s.issues[n]
	if err != nil || !ok || is.pull == nil {
		return s.notFound()
	}
	switch {
	case len(rest) == 1 && m == http.MethodGet:
		return s.jsonReply(http.StatusOK, s.pullJSON(is))
	case len(rest) == 1 && m == http.MethodPatch:
		return s.editPull(is, body)
	case len(rest) == 2 && rest[1] == "requested_reviewers" && m == http.MethodPost:
		return s.requestReviewers(is, body)
	case len(rest) == 2 && rest[1] == "reviews" && m == http.MethodGet:
		var items []any
		for _, rv := range is.pull.reviews {
			html := s.htmlURL("pull", strconv.Itoa(n)) + "#pullrequestreview-" + strconv.FormatInt(rv.id, 10)
			var commit any
			if rv.commit != "" {
				commit = rv.commit
			}
			items = append(items, map[string]any{
				"id": rv.id, "node_id": "PRR_" + strconv.FormatInt(rv.id, 10), "user": s.userJSON(rv.login),
				"state": rv.state, "body": "", "submitted_at": rv.at.Format(time.RFC3339), "html_url": html,
				"commit_id": commit, "pull_request_url": s.apiURL("pulls", strconv.Itoa(n)),
				"author_association": s.association(rv.login),
				"_links": map[string]any{
					"html": map[string]string{"href": html}, "pull_request": map[string]string{"href": s.apiURL("pulls", strconv.Itoa(n))},
				},
			})
		}
		return s.paginate(r, items)
	}
	return s.notFound()
}

func (s *Server) pullJSON(is *issue) map[string]any {
	p := is.pull
	n := strconv.Itoa(is.number)
	reviewers := []any{}
	for _, l := range p.requested {
		reviewers = append(reviewers, s.userJSON(l))
	}
	teams := []any{}
	for _, t := range p.requestedTeams {
		id := idOf("team/" + t)
		org := s.srv.URL + "/orgs/" + s.owner + "/teams/" + t
		teams = append(teams, map[string]any{
			"id": id, "node_id": "T_" + strconv.FormatInt(id, 10), "slug": t, "name": t, "description": nil,
			"permission": "pull", "privacy": "closed", "type": "organization", "parent": nil,
			"url": s.srv.URL + "/organizations/1/team/" + strconv.FormatInt(id, 10), "html_url": org,
			"members_url": org + "/members{/member}", "repositories_url": org + "/repos",
		})
	}
	side := func(branch string) map[string]any {
		return map[string]any{
			"label": s.owner + ":" + branch, "ref": branch, "sha": s.refs["refs/heads/"+branch],
			"user": s.userJSON(s.owner), "repo": s.repoJSON(),
		}
	}
	out := s.issueJSON(is)
	delete(out, "pull_request")
	out["url"] = s.apiURL("pulls", n)
	out["html_url"] = s.htmlURL("pull", n)
	out["issue_url"] = s.apiURL("issues", n)
	out["node_id"] = "PR_" + n
	out["head"] = side(p.head)
	out["base"] = side(p.base)
	out["merged"] = p.merged
	out["merged_at"] = timeOrNil(p.mergedAt)
	out["draft"] = false
	out["requested_reviewers"] = reviewers
	out["requested_teams"] = teams
	out["diff_url"] = s.htmlURL("pull", n+".diff")
	out["patch_url"] = s.htmlURL("pull", n+".patch")
	out["commits_url"] = s.apiURL("pulls", n, "commits")
	out["review_comments_url"] = s.apiURL("pulls", n, "comments")
	out["review_comment_url"] = s.apiURL("pulls", "comments{/number}")
	out["statuses_url"] = s.apiURL("statuses", s.refs["refs/heads/"+p.head])
	links := map[string]any{}
	for _, rel := range []string{"self:url", "html:html_url", "issue:issue_url", "comments:comments_url",
		"review_comments:review_comments_url", "review_comment:review_comment_url", "commits:commits_url", "statuses:statuses_url"} {
		name, field, _ := strings.Cut(rel, ":")
		links[name] = map[string]any{"href": out[field]}
	}
	out["_links"] = links
	out["auto_merge"] = nil
	out["merged_by"] = nil
	out["merge_commit_sha"] = nil
	if p.merged {
		out["merged_by"] = s.userJSON(s.owner)
		if p.mergedBy != "" {
			out["merged_by"] = s.userJSON(p.mergedBy)
		}
		out["merge_commit_sha"] = s.refs["refs/heads/"+p.base]
	}
	// GitHub works out mergeability in the background: a fresh pull request says null and "unknown".
	out["mergeable"] = nil
	out["mergeable_state"] = "unknown"
	out["maintainer_can_modify"] = false
	out["review_comments"] = 0
	out["commits"], out["changed_files"], out["additions"], out["deletions"] = s.diffStat(p)
	return out
}

// diffStat counts the commits on the head that the base lacks and the files whose content differs
// between the two, with their lines: a changed file counts all its lines as added and all its old lines as
// deleted, which is exact for the new files a postmortem adds.
func (s *Server) diffStat(p *pull) (commits, files, additions, deletions int) {
	head, base := s.refs["refs/heads/"+p.head], s.refs["refs/heads/"+p.base]
	if head == "" || base == "" {
		return 0, 0, 0, 0
	}
	inBase := s.ancestors(base)
	for sha := range s.ancestors(head) {
		if !inBase[sha] {
			commits++
		}
	}
	lines := func(blob string) int {
		if s.blobs[blob] == "" {
			return 0
		}
		return strings.Count(strings.TrimSuffix(s.blobs[blob], "\n"), "\n") + 1
	}
	headTree, baseTree := s.trees[s.commits[head].tree], s.trees[s.commits[base].tree]
	for path, blob := range headTree {
		if old := baseTree[path]; old != blob {
			files++
			additions += lines(blob)
			deletions += lines(old)
		}
	}
	for path, old := range baseTree {
		if _, ok := headTree[path]; !ok {
			files++
			deletions += lines(old)
		}
	}
	return commits, files, additions, deletions
}

func (s *Server) listPulls(r *http.Request) reply {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	// GitHub ignores a head filter without the "owner:" prefix.
	headOwner, headBranch, filterHead := strings.Cut(q.Get("head"), ":")
	var items []any
	// Sorted by creation (GitHub's default, newest first) or with sort=updated by the last update, which
	// GitHub lists oldest first unless direction=desc: its default direction is desc only for created.
	numbers := s.numbers()
	at := func(n int) time.Time { return s.issues[n].created }
	desc := q.Get("direction") != "asc"
	if q.Get("sort") == "updated" {
		at = func(n int) time.Time { return s.issues[n].updated }
		desc = q.Get("direction") == "desc"
	}
	slices.SortStableFunc(numbers, func(a, b int) int { return at(a).Compare(at(b)) })
	if desc {
		slices.Reverse(numbers)
	}
	for _, n := range numbers {
		is := s.issues[n]
		switch {
		case is.pull == nil,
			state != "all" && is.state != state,
			filterHead && (!strings.EqualFold(headOwner, s.owner) || is.pull.head != headBranch),
			q.Get("base") != "" && is.pull.base != q.Get("base"):
			continue
		}
		items = append(items, s.pullJSON(is))
	}
	return s.paginate(r, items)
}

func (s *Server) createPull(body []byte) reply {
	var req struct {
		Title string `json:"title"`
		Head  string `json:"head"`
		Base  string `json:"base"`
		Body  string `json:"body"`
	}
	if decode(body, &req) != nil {
		return s.badJSON()
	}
	missing := func(field string) reply {
		return s.validation(docsCreatePull, map[string]string{"resource": "PullRequest", "field": field, "code": "missing_field"})
	}
	invalid := func(field string) reply {
		return s.validation(docsCreatePull, map[string]string{"resource": "PullRequest", "field": field, "code": "invalid"})
	}
	custom := func(message string) reply {
		return s.validation(docsCreatePull, map[string]string{"resource": "PullRequest", "code": "custom", "message": message})
	}
	if rep, bad := s.tooLong(docsCreatePull, &req.Title, &req.Body); bad {
		return rep
	}
	switch {
	case req.Title == "":
		return missing("title")
	case req.Head == "":
		return missing("head")
	case req.Base == "":
		return missing("base")
	}
	head := req.Head
	if owner, branch, ok := strings.Cut(head, ":"); ok {
		if !strings.EqualFold(owner, s.owner) {
			return invalid("head")
		}
		head = branch
	}
	headSHA, ok := s.refs["refs/heads/"+head]
	if !ok {
		return invalid("head")
	}
	baseSHA, ok := s.refs["refs/heads/"+req.Base]
	if !ok {
		return invalid("base")
	}
	for _, n := range s.numbers() {
		if is := s.issues[n]; is.pull != nil && is.state == "open" && is.pull.head == head && is.pull.base == req.Base {
			return custom("A pull request already exists for " + s.owner + ":" + head + ".")
		}
	}
	if s.isAncestor(headSHA, baseSHA) {
		return custom("No commits between " + req.Base + " and " + head)
	}
	is := s.newIssue(req.Title, req.Body)
	is.pull = &pull{head: head, base: req.Base}
	return s.created(s.pullJSON(is))
}

func (s *Server) editPull(is *issue, body []byte) reply {
	var req struct {
		Title *string `json:"title"`
		Body  *string `json:"body"`
		State *string `json:"state"`
	}
	if decode(body, &req) != nil {
		return s.badJSON()
	}
	if rep, bad := s.tooLong("https://docs.github.com/rest/pulls/pulls#update-a-pull-request", req.Title, req.Body); bad {
		return rep
	}
	if req.Title != nil {
		is.title = *req.Title
	}
	if req.Body != nil {
		is.body = *req.Body
	}
	if req.State != nil {
		if rep, ok := s.setState(is, *req.State); !ok {
			return rep
		}
	}
	is.updated = time.Now().UTC()
	return s.jsonReply(http.StatusOK, s.pullJSON(is))
}

func (s *Server) requestReviewers(is *issue, body []byte) reply {
	var req struct {
		Reviewers     []string `json:"reviewers"`
		TeamReviewers []string `json:"team_reviewers"`
	}
	if decode(body, &req) != nil {
		return s.badJSON()
	}
	for _, l := range req.Reviewers {
		if strings.EqualFold(l, is.author) {
			return s.errorReply(http.StatusUnprocessableEntity, "Review cannot be requested from pull request author.", docsRequestReviews)
		}
	}
	for _, l := range req.Reviewers {
		if !s.collaborators[strings.ToLower(l)] {
			return s.notCollaborator()
		}
	}
	for _, t := range req.TeamReviewers {
		if !s.teams[strings.ToLower(t)] {
			return s.notCollaborator()
		}
	}
	for _, l := range req.Reviewers {
		if !slices.ContainsFunc(is.pull.requested, func(x string) bool { return strings.EqualFold(x, l) }) {
			is.pull.requested = append(is.pull.requested, l)
		}
	}
	for _, t := range req.TeamReviewers {
		if !slices.ContainsFunc(is.pull.requestedTeams, func(x string) bool { return strings.EqualFold(x, t) }) {
			is.pull.requestedTeams = append(is.pull.requestedTeams, t)
		}
	}
	is.updated = time.Now().UTC()
	return s.jsonReply(http.StatusCreated, s.pullJSON(is))
}

func (s *Server) notCollaborator() reply {
	return s.errorReply(http.StatusUnprocessableEntity,
		"Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the "+
			s.owner+"/"+s.repo+" repository.", docsRequestReviews)
}
