package github

import (
	"context"
	"crypto/sha1" //nolint:gosec // git names blobs by SHA-1; this is an identity, not a security check
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// ErrFileChanged is returned by UpdateFile when the file on the branch is not the one the caller expects:
// people edited it, and their work must not be overwritten.
var ErrFileChanged = postmortem.ErrFileEdited

// BlobSHA is git's name for a file with this content, the "sha" GitHub reports for it.
func BlobSHA(content string) string {
	h := sha1.New() //nolint:gosec // see the import
	h.Write([]byte("blob " + strconv.Itoa(len(content)) + "\x00"))
	h.Write([]byte(content))
	return hex.EncodeToString(h.Sum(nil))
}

// UpdateFile commits content at path on branch, as one new commit on the branch's head, provided the file
// there is still the blob expected (the one this service wrote). It returns nil without a commit when the
// file already holds content (an earlier attempt got there), and ErrFileChanged when it holds anything
// else, or when the branch moved while the commit was made: the branch only ever moves forward.
func (c *Client) UpdateFile(ctx context.Context, branch, path, content, message, expected string) error {
	head, tree, err := c.branchHead(ctx, branch)
	if err != nil {
		return fmt.Errorf("update %s on %s: %w", path, branch, err)
	}
	current, err := c.fileSHA(ctx, head, path)
	if err != nil {
		return fmt.Errorf("update %s on %s: %w", path, branch, err)
	}
	switch current {
	case BlobSHA(content):
		return nil
	case expected:
	default:
		return fmt.Errorf("update %s on %s: %w", path, branch, ErrFileChanged)
	}
	newTree, _, err := call(ctx, c, func() (*gh.Tree, *gh.Response, error) {
		return c.gh.Git.CreateTree(ctx, c.owner, c.repo, tree, []*gh.TreeEntry{{
			Path: gh.String(path), Mode: gh.String("100644"), Type: gh.String("blob"), Content: gh.String(content),
		}})
	})
	if err != nil {
		return fmt.Errorf("create tree for %s: %w", branch, describe(err))
	}
	commit, _, err := call(ctx, c, func() (*gh.Commit, *gh.Response, error) {
		return c.gh.Git.CreateCommit(ctx, c.owner, c.repo, &gh.Commit{
			Message: gh.String(message), Tree: &gh.Tree{SHA: newTree.SHA}, Parents: []*gh.Commit{{SHA: gh.String(head)}},
		}, nil)
	})
	if err != nil {
		return fmt.Errorf("create commit for %s: %w", branch, describe(err))
	}
	_, _, err = call(ctx, c, func() (*gh.Reference, *gh.Response, error) {
		return c.gh.Git.UpdateRef(ctx, c.owner, c.repo, &gh.Reference{
			Ref: gh.String("refs/heads/" + branch), Object: &gh.GitObject{SHA: commit.SHA},
		}, false)
	})
	if isValidation(err, "not a fast forward") {
		return fmt.Errorf("update %s on %s: someone pushed meanwhile: %w", path, branch, ErrFileChanged)
	}
	if err != nil {
		return fmt.Errorf("move %s to the new commit: %w", branch, describe(err))
	}
	return nil
}

// fileSHA returns the blob SHA of path at commit ref; "" when there is no such file.
func (c *Client) fileSHA(ctx context.Context, ref, path string) (string, error) {
	file, _, err := call(ctx, c, func() (*gh.RepositoryContent, *gh.Response, error) {
		f, _, resp, err := c.gh.Repositories.GetContents(ctx, c.owner, c.repo, path, &gh.RepositoryContentGetOptions{Ref: ref})
		return f, resp, err
	})
	if statusOf(err) == http.StatusNotFound {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, describe(err))
	}
	return file.GetSHA(), nil
}

// CommentOnce adds a comment to pull request (or issue) number unless one holding marker is there already,
// so a retried step does not say the same thing twice. The marker should be an HTML comment.
func (c *Client) CommentOnce(ctx context.Context, number int, marker, body string) error {
	cm, err := c.ownComment(ctx, number, func(body string) bool { return strings.Contains(body, marker) })
	if err != nil || cm != nil {
		return err
	}
	return c.Comment(ctx, number, marker+"\n"+body)
}
