package pagerduty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// User fetches a PagerDuty user (GET /users/{id}) for their name and email, which the references in
// incidents and log entries lack. It fails before any request when the ID is not a valid ID, and wraps
// ErrNotFound when PagerDuty does not know the user.
func (c *Client) User(ctx context.Context, userID string) (postmortem.Person, error) {
	if !postmortem.ValidIncidentID(userID) {
		return postmortem.Person{}, fmt.Errorf("fetch user %q: invalid user ID: want upper-case letters and digits", userID)
	}
	body, err := c.send(ctx, request{method: http.MethodGet, path: "/users/" + userID, idempotent: true})
	if err != nil {
		return postmortem.Person{}, fmt.Errorf("fetch user %s: %w", userID, err)
	}
	var resp struct {
		User *reference `json:"user"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return postmortem.Person{}, fmt.Errorf("fetch user %s: decode answer: %w", userID, err)
	}
	if resp.User == nil || resp.User.ID == "" {
		return postmortem.Person{}, fmt.Errorf("fetch user %s: %w", userID, errors.New("decode answer: no \"user\" object"))
	}
	p := resp.User.person()
	if resp.User.Name != "" {
		p.Name = resp.User.Name
	}
	return p, nil
}
