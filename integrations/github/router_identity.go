package github

import "context"

// Permission reads login's permission on repo (see Client.Permission).
func (r *Router) Permission(ctx context.Context, repo, login string) (string, error) {
	c, err := r.client(ctx, repo)
	if err != nil {
		return "", err
	}
	return c.Permission(ctx, login)
}

// OwnIssue reads an issue of repo again and says whether Hindsight opened it (see Client.OwnIssue).
func (r *Router) OwnIssue(ctx context.Context, repo string, number int) (body string, open, ours bool, err error) {
	c, err := r.client(ctx, repo)
	if err != nil {
		return "", false, false, err
	}
	return c.OwnIssue(ctx, number)
}
