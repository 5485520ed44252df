package githubtest

import (
	"crypto/sha1" //nolint:gosec // Git object names are SHA-1; nothing here is security-sensitive.
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
)

type commit struct {
	tree    string
	parents []string
	message string
	date    time.Time
}

const (
	docsTrees    = "https://docs.github.com/rest/git/trees#create-a-tree"
	docsCommits  = "https://docs.github.com/rest/git/commits#create-a-commit"
	docsRefs     = "https://docs.github.com/rest/git/refs#create-a-reference"
	docsBranch   = "https://docs.github.com/rest/branches/branches#get-a-branch"
	docsUpdRef   = "https://docs.github.com/rest/git/refs#update-a-reference"
	docsDeleteRf = "https://docs.github.com/rest/git/refs#delete-a-reference"
)

// Branches returns every branch with its head commit SHA.
func (s *Server) Branches() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for ref, sha := range s.refs {
		if b, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
			out[b] = sha
		}
	}
	return out
}

// File returns the content of path at branch's head commit.
func (s *Server) File(branch, path string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fileAt("refs/heads/"+branch, path)
}

// PutFile commits content at path on branch, as a push would, creating the branch from the default
// branch when it does not exist, and returns the new commit's SHA.
func (s *Server) PutFile(branch, path, content string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ref := "refs/heads/" + branch
	parent, ok := s.refs[ref]
	if !ok {
		parent = s.refs["refs/heads/"+s.defaultBranch]
	}
	entries := map[string]string{}
	var parents []string
	if c := s.commits[parent]; c != nil {
		for p, b := range s.trees[c.tree] {
			entries[p] = b
		}
		parents = []string{parent}
	}
	entries[path] = s.putBlob(content)
	sha := s.putCommit(s.putTree(entries), parents, "Update "+path)
	s.refs[ref] = sha
	return sha
}

// Commits returns the number of commits reachable from branch (0 when it does not exist).
func (s *Server) Commits(branch string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	var walk func(string)
	walk = func(sha string) {
		if sha == "" || seen[sha] {
			return
		}
		seen[sha] = true
		for _, p := range s.commits[sha].parents {
			walk(p)
		}
	}
	walk(s.refs["refs/heads/"+branch])
	return len(seen)
}

// Push commits files (path → content) on top of the head of from, as a person pushing would, and points
// branch at the commit; it returns the commit's SHA. from must exist; branch is made or moved.
func (s *Server) Push(branch, from string, files map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	parent, ok := s.refs["refs/heads/"+from]
	if !ok {
		panic("githubtest: Push: no branch " + from)
	}
	entries := maps.Clone(s.trees[s.commits[parent].tree])
	for p, content := range files {
		entries[p] = s.putBlob(content)
	}
	sha := s.putCommit(s.putTree(entries), []string{parent}, "Push to "+branch)
	s.refs["refs/heads/"+branch] = sha
	return sha
}

// DeleteBranch removes a branch. Deleting every branch makes the repository empty, as a new one is.
func (s *Server) DeleteBranch(branch string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.refs, "refs/heads/"+branch)
}

func (s *Server) fileAt(ref, path string) (string, bool) {
	sha, ok := s.refs[ref]
	if !ok {
		return "", false
	}
	blob, ok := s.trees[s.commits[sha].tree][path]
	if !ok {
		return "", false
	}
	return s.blobs[blob], true
}

func objectName(kind string, content []byte) string {
	h := sha1.New() //nolint:gosec // see import
	_, _ = fmt.Fprintf(h, "%s %d\x00", kind, len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

func (s *Server) putBlob(content string) string {
	sha := objectName("blob", []byte(content))
	s.blobs[sha] = content
	return sha
}

func (s *Server) putTree(entries map[string]string) string {
	paths := make([]string, 0, len(entries))
	for p := range entries {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var b strings.Builder
	for _, p := range paths {
		fmt.Fprintf(&b, "100644 %s\x00%s\n", p, entries[p])
	}
	sha := objectName("tree", []byte(b.String()))
	s.trees[sha] = entries
	return sha
}

func (s *Server) putCommit(tree string, parents []string, message string) string {
	now := time.Now().UTC()
	s.nextID++
	content := fmt.Sprintf("tree %s\nparents %s\ntime %d %d\n\n%s", tree, strings.Join(parents, " "), now.UnixNano(), s.nextID, message)
	sha := objectName("commit", []byte(content))
	s.commits[sha] = &commit{tree: tree, parents: parents, message: message, date: now}
	return sha
}

// ancestors returns every commit reachable from sha, sha included.
func (s *Server) ancestors(sha string) map[string]bool {
	seen := map[string]bool{}
	stack := []string{sha}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[c] || s.commits[c] == nil {
			continue
		}
		seen[c] = true
		stack = append(stack, s.commits[c].parents...)
	}
	return seen
}

// isAncestor reports whether commit a is reachable from commit b (a == b included).
func (s *Server) isAncestor(a, b string) bool {
	seen := map[string]bool{}
	stack := []string{b}
	for len(stack) > 0 {
		sha := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if sha == a {
			return true
		}
		if seen[sha] {
			continue
		}
		seen[sha] = true
		if c, ok := s.commits[sha]; ok {
			stack = append(stack, c.parents...)
		}
	}
	return false
}

func (s *Server) commitJSON(sha string) map[string]any {
	c := s.commits[sha]
	parents := []map[string]string{}
	for _, p := range c.parents {
		parents = append(parents, map[string]string{"sha": p, "url": s.apiURL("git", "commits", p), "html_url": s.htmlURL("commit", p)})
	}
	who := map[string]string{"name": s.login, "email": s.login + "@users.noreply.github.com", "date": c.date.Format(time.RFC3339)}
	return map[string]any{
		"sha": sha, "node_id": "C_" + sha[:12], "url": s.apiURL("git", "commits", sha), "html_url": s.htmlURL("commit", sha),
		"message": c.message, "tree": map[string]string{"sha": c.tree, "url": s.apiURL("git", "trees", c.tree)},
		"parents": parents, "author": who, "committer": who,
		"verification": map[string]any{"verified": false, "reason": "unsigned", "signature": nil, "payload": nil, "verified_at": nil},
	}
}

func (s *Server) getBranch(name string) reply {
	sha, ok := s.refs["refs/heads/"+name]
	if !ok {
		return s.errorReply(http.StatusNotFound, "Branch not found", docsBranch)
	}
	// The branch's commit is a commit of the Commits API: the Git commit nested under "commit", with the
	// GitHub users (none: the fake's commits have no account behind their e-mail) and the parents outside.
	inner := s.commitJSON(sha)
	inner["comment_count"] = 0
	return s.jsonReply(http.StatusOK, map[string]any{
		"name": name,
		"commit": map[string]any{
			"sha": sha, "node_id": "C_" + sha[:12], "commit": inner,
			"url": s.apiURL("commits", sha), "html_url": s.htmlURL("commit", sha),
			"comments_url": s.apiURL("commits", sha, "comments"), "author": nil, "committer": nil,
			"parents": inner["parents"],
		},
		"protected": false,
		"protection": map[string]any{
			"enabled":                false,
			"required_status_checks": map[string]any{"enforcement_level": "off", "contexts": []string{}, "checks": []any{}},
		},
		"protection_url": s.apiURL("branches", name, "protection"),
		"_links":         map[string]string{"self": s.apiURL("branches", name), "html": s.htmlURL("tree", name)},
	})
}

func (s *Server) getContents(p, ref string) reply {
	if ref == "" {
		ref = s.defaultBranch
	}
	full := ref
	if !strings.HasPrefix(ref, "refs/") {
		full = "refs/heads/" + ref
	}
	var treeSHA string
	if sha, ok := s.refs[full]; ok {
		treeSHA = s.commits[sha].tree
	} else if c, ok := s.commits[ref]; ok {
		treeSHA = c.tree
	} else if len(s.refs) == 0 {
		return s.errorReply(http.StatusNotFound, "This repository is empty.", "https://docs.github.com/rest/repos/contents#get-repository-content")
	} else {
		return s.errorReply(http.StatusNotFound, "No commit found for the ref "+ref, "https://docs.github.com/rest/repos/contents#get-repository-content")
	}
	blob, ok := s.trees[treeSHA][p]
	if !ok {
		return s.listDir(treeSHA, p, ref)
	}
	content := s.blobs[blob]
	enc := base64.StdEncoding.EncodeToString([]byte(content))
	var wrapped strings.Builder
	for len(enc) > 60 {
		wrapped.WriteString(enc[:60] + "\n")
		enc = enc[60:]
	}
	wrapped.WriteString(enc + "\n")
	return s.jsonReply(http.StatusOK, map[string]any{
		"type": "file", "encoding": "base64", "size": len(content), "name": path.Base(p), "path": p,
		"content": wrapped.String(), "sha": blob, "url": s.apiURL("contents", p) + "?ref=" + ref,
		"html_url": s.htmlURL("blob", ref, p), "download_url": s.srv.URL + "/raw/" + ref + "/" + p,
		"git_url": s.apiURL("git", "blobs", blob),
		"_links": map[string]string{
			"self": s.apiURL("contents", p) + "?ref=" + ref, "git": s.apiURL("git", "blobs", blob), "html": s.htmlURL("blob", ref, p),
		},
	})
}

// listDir answers the contents of a directory: an array of its entries, files and directories, as GitHub
// lists them (directories have no size), or 404 when no file lies under it.
func (s *Server) listDir(treeSHA, dir, ref string) reply {
	dir = strings.Trim(dir, "/")
	files, dirs := map[string]string{}, map[string]bool{}
	for p, blob := range s.trees[treeSHA] {
		rest, ok := strings.CutPrefix(p, dir+"/")
		if dir == "" {
			rest, ok = p, true
		}
		if !ok {
			continue
		}
		if name, _, sub := strings.Cut(rest, "/"); sub {
			dirs[name] = true
		} else {
			files[name] = blob
		}
	}
	if len(files) == 0 && len(dirs) == 0 {
		return s.notFound()
	}
	names := make([]string, 0, len(files)+len(dirs))
	for n := range files {
		names = append(names, n)
	}
	for n := range dirs {
		names = append(names, n)
	}
	slices.Sort(names)
	items := make([]any, 0, len(names))
	for _, n := range names {
		p := strings.TrimPrefix(dir+"/"+n, "/")
		item := map[string]any{"name": n, "path": p, "url": s.apiURL("contents", p) + "?ref=" + ref,
			"html_url": s.htmlURL("tree", ref, p), "download_url": nil}
		if blob, ok := files[n]; ok {
			item["type"], item["size"], item["sha"] = "file", len(s.blobs[blob]), blob
			item["git_url"] = s.apiURL("git", "blobs", blob)
			item["html_url"] = s.htmlURL("blob", ref, p)
			item["download_url"] = s.srv.URL + "/raw/" + ref + "/" + p
		} else {
			item["type"], item["size"], item["sha"] = "dir", 0, objectName("tree", []byte(p))
			item["git_url"] = s.apiURL("git", "trees", item["sha"].(string))
		}
		item["_links"] = map[string]any{"self": item["url"], "git": item["git_url"], "html": item["html_url"]}
		items = append(items, item)
	}
	return s.jsonReply(http.StatusOK, items)
}

func (s *Server) routeGit(m string, rest []string, body []byte) reply {
	switch {
	case m == http.MethodPost && len(rest) == 1 && rest[0] == "trees":
		return s.createTree(body)
	case m == http.MethodGet && len(rest) == 2 && rest[0] == "trees":
		return s.getTree(rest[1])
	case m == http.MethodPost && len(rest) == 1 && rest[0] == "commits":
		return s.createCommit(body)
	case m == http.MethodGet && len(rest) == 2 && rest[0] == "commits":
		if _, ok := s.commits[rest[1]]; !ok {
			return s.notFound()
		}
		return s.jsonReply(http.StatusOK, s.commitJSON(rest[1]))
	case m == http.MethodPost && len(rest) == 1 && rest[0] == "refs":
		return s.createRef(body)
	case m == http.MethodGet && len(rest) >= 2 && rest[0] == "ref":
		return s.getRef("refs/" + strings.Join(rest[1:], "/"))
	case m == http.MethodPatch && len(rest) >= 2 && rest[0] == "refs":
		return s.updateRef("refs/"+strings.Join(rest[1:], "/"), body)
	case m == http.MethodDelete && len(rest) >= 2 && rest[0] == "refs":
		ref := "refs/" + strings.Join(rest[1:], "/")
		if _, ok := s.refs[ref]; !ok {
			return s.errorReply(http.StatusUnprocessableEntity, "Reference does not exist", docsDeleteRf)
		}
		delete(s.refs, ref)
		return reply{status: http.StatusNoContent}
	}
	return s.notFound()
}

func (s *Server) emptyRepository() reply {
	return s.errorReply(http.StatusConflict, "Git Repository is empty.", docsURL)
}

func (s *Server) treeJSON(sha string) map[string]any {
	entries := s.trees[sha]
	paths := make([]string, 0, len(entries))
	for p := range entries {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	list := []map[string]any{}
	for _, p := range paths {
		list = append(list, map[string]any{
			"path": p, "mode": "100644", "type": "blob", "sha": entries[p], "size": len(s.blobs[entries[p]]),
			"url": s.apiURL("git", "blobs", entries[p]),
		})
	}
	return map[string]any{"sha": sha, "url": s.apiURL("git", "trees", sha), "tree": list, "truncated": false}
}

func (s *Server) getTree(sha string) reply {
	if _, ok := s.trees[sha]; !ok {
		return s.notFound()
	}
	return s.jsonReply(http.StatusOK, s.treeJSON(sha))
}

func (s *Server) createTree(body []byte) reply {
	var req struct {
		BaseTree string `json:"base_tree"`
		Tree     []struct {
			Path    string  `json:"path"`
			Mode    string  `json:"mode"`
			Type    string  `json:"type"`
			SHA     *string `json:"sha"`
			Content *string `json:"content"`
		} `json:"tree"`
	}
	if decode(body, &req) != nil {
		return s.badJSON()
	}
	if len(s.refs) == 0 {
		return s.emptyRepository()
	}
	entries := map[string]string{}
	if req.BaseTree != "" {
		base, ok := s.trees[req.BaseTree]
		if !ok {
			return s.errorReply(http.StatusUnprocessableEntity, "Invalid tree info", docsTrees)
		}
		for p, b := range base {
			entries[p] = b
		}
	}
	if req.Tree == nil {
		return s.validation(docsTrees, map[string]string{"resource": "Tree", "field": "tree", "code": "missing_field"})
	}
	for _, e := range req.Tree {
		if e.Path == "" || strings.HasPrefix(e.Path, "/") {
			return s.errorReply(http.StatusUnprocessableEntity, "tree.path contains a malformed path component", docsTrees)
		}
		if e.Mode != "100644" && e.Mode != "100755" {
			return s.errorReply(http.StatusUnprocessableEntity, "Invalid tree info (only file blobs are supported by this fake)", docsTrees)
		}
		if e.Type != "blob" {
			return s.errorReply(http.StatusUnprocessableEntity, "Invalid tree info", docsTrees)
		}
		switch {
		case e.Content != nil:
			entries[e.Path] = s.putBlob(*e.Content)
		case e.SHA != nil:
			if _, ok := s.blobs[*e.SHA]; !ok {
				return s.errorReply(http.StatusUnprocessableEntity, "tree.sha "+*e.SHA+" is not a valid blob", docsTrees)
			}
			entries[e.Path] = *e.SHA
		default:
			delete(entries, e.Path)
		}
	}
	return s.created(s.treeJSON(s.putTree(entries)))
}

func (s *Server) createCommit(body []byte) reply {
	var req struct {
		Message *string  `json:"message"`
		Tree    string   `json:"tree"`
		Parents []string `json:"parents"`
	}
	if decode(body, &req) != nil {
		return s.badJSON()
	}
	if req.Message == nil {
		return s.validation(docsCommits, map[string]string{"resource": "Commit", "field": "message", "code": "missing_field"})
	}
	if _, ok := s.trees[req.Tree]; !ok {
		return s.errorReply(http.StatusUnprocessableEntity, "Tree SHA does not exist", docsCommits)
	}
	for _, p := range req.Parents {
		if _, ok := s.commits[p]; !ok {
			return s.errorReply(http.StatusUnprocessableEntity, "Parent SHA does not exist or is not a commit object", docsCommits)
		}
	}
	sha := s.putCommit(req.Tree, req.Parents, *req.Message)
	return s.created(s.commitJSON(sha))
}

func (s *Server) refJSON(ref string) map[string]any {
	sha := s.refs[ref]
	return map[string]any{
		"ref": ref, "node_id": "REF_" + sha[:12], "url": s.apiURL("git", ref),
		"object": map[string]string{"sha": sha, "type": "commit", "url": s.apiURL("git", "commits", sha)},
	}
}

func (s *Server) getRef(ref string) reply {
	if len(s.refs) == 0 {
		return s.emptyRepository()
	}
	if _, ok := s.refs[ref]; !ok {
		return s.notFound()
	}
	return s.jsonReply(http.StatusOK, s.refJSON(ref))
}

func (s *Server) createRef(body []byte) reply {
	var req struct {
		Ref string `json:"ref"`
		SHA string `json:"sha"`
	}
	if decode(body, &req) != nil {
		return s.badJSON()
	}
	if !strings.HasPrefix(req.Ref, "refs/") || strings.Count(req.Ref, "/") < 2 {
		return s.errorReply(http.StatusUnprocessableEntity, "Reference name must start with 'refs/' and have at least two slashes.", docsRefs)
	}
	if _, ok := s.commits[req.SHA]; !ok {
		return s.errorReply(http.StatusUnprocessableEntity, "Object does not exist", docsRefs)
	}
	if _, ok := s.refs[req.Ref]; ok {
		return s.errorReply(http.StatusUnprocessableEntity, "Reference already exists", docsRefs)
	}
	s.refs[req.Ref] = req.SHA
	return s.created(s.refJSON(req.Ref))
}

func (s *Server) updateRef(ref string, body []byte) reply {
	var req struct {
		SHA   string `json:"sha"`
		Force bool   `json:"force"`
	}
	if decode(body, &req) != nil {
		return s.badJSON()
	}
	old, ok := s.refs[ref]
	if !ok {
		return s.errorReply(http.StatusUnprocessableEntity, "Reference does not exist", docsUpdRef)
	}
	if _, ok := s.commits[req.SHA]; !ok {
		return s.errorReply(http.StatusUnprocessableEntity, "Object does not exist", docsUpdRef)
	}
	if !req.Force && !s.isAncestor(old, req.SHA) {
		return s.errorReply(http.StatusUnprocessableEntity, "Update is not a fast forward", docsUpdRef)
	}
	s.refs[ref] = req.SHA
	return s.jsonReply(http.StatusOK, s.refJSON(ref))
}
