package lifecycle_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// user is a GET /users/{id} user object in the API's shape.
func user(id, name, email string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{
		"id": id, "type": "user", "summary": name, "name": name, "email": email,
		"self": "https://api.pagerduty.com/users/" + id, "html_url": "https://acme.pagerduty.com/users/" + id,
		"time_zone": "Europe/Berlin", "role": "user",
	})
	return b
}

func userRequests(p *pipeline) int {
	n := 0
	for _, r := range p.pd.Requests() {
		if strings.HasPrefix(r.Path, "/users/") {
			n++
		}
	}
	return n
}

func withUserDirectory(t *testing.T, p *pipeline, maxLookups int) {
	t.Helper()
	rdb, err := redisstore.OpenRedis(p.redis.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	pdc, err := pagerduty.New(pagerduty.Options{BaseURL: p.pd.URL(), Token: "pd-token", MaxWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p.h.Users = &redisstore.UserDirectory{Redis: rdb, Source: pdc, TTL: time.Hour, MaxLookups: maxLookups,
		NotFound: func(err error) bool { return errors.Is(err, pagerduty.ErrNotFound) }, Logger: slog.New(slog.DiscardHandler)}
}

// TestPeopleByEmail maps responders configured by email: their users are looked up once, the answers are
// kept in Redis for the next postmortem, and the owner and reviewers come out as with IDs.
func TestPeopleByEmail(t *testing.T) {
	p := newPipeline(t)
	p.pd.AddUser(user("PUSERA1", "Ana Primary", "ana.primary@example.com"))
	p.pd.AddUser(user("PUSERB2", "Ben Secondary", "Ben.Secondary@example.com"))
	p.h.Composer.(*postmortem.Composer).People = map[string]string{"ana.primary@example.com": "ana", "ben.secondary@example.com": "ben"}
	withUserDirectory(t, p, 10)
	if err := p.process(t); err != nil {
		t.Fatal(err)
	}
	p.assertExactlyOnce(t)
	if got := p.gh.PullRequests()[0].Assignees; len(got) != 1 || got[0] != "ana" {
		t.Errorf("assignees = %v, want ana (she resolved)", got)
	}
	if n := userRequests(p); n != 2 {
		t.Errorf("%d user lookups, want 2 (one per responder)", n)
	}
	// The next incident naming the same users finds them in Redis.
	inc := postmortem.Incident{ID: "PNEXT1", Notes: []postmortem.Note{{User: postmortem.Person{ID: "PUSERB2", Kind: "user"}}}}
	if err := p.h.Users.FillEmails(context.Background(), &inc); err != nil {
		t.Fatal(err)
	}
	if inc.Notes[0].User.Email != "Ben.Secondary@example.com" {
		t.Errorf("email = %q from the cache", inc.Notes[0].User.Email)
	}
	if n := userRequests(p); n != 2 {
		t.Errorf("%d user lookups after a cached answer, want still 2", n)
	}
}

// TestUserLookupsAreBounded asks for at most the configured number of users per incident, and remembers a
// user PagerDuty does not know instead of failing.
func TestUserLookupsAreBounded(t *testing.T) {
	p := newPipeline(t)
	withUserDirectory(t, p, 1)
	people := make([]postmortem.Person, 5)
	for i := range people {
		people[i] = postmortem.Person{ID: "PGHOST" + string(rune('A'+i)), Kind: "user"}
	}
	inc := postmortem.Incident{ID: "PBOUND1", Assignees: people}
	if err := p.h.Users.FillEmails(context.Background(), &inc); err != nil {
		t.Fatalf("an unknown user fails the incident: %v", err)
	}
	if n := userRequests(p); n != 1 {
		t.Errorf("%d user lookups, want 1", n)
	}
	// The unknown user is remembered: asking again costs one lookup, for the next user.
	if err := p.h.Users.FillEmails(context.Background(), &inc); err != nil {
		t.Fatal(err)
	}
	if n := userRequests(p); n != 2 {
		t.Errorf("%d user lookups after the second pass, want 2", n)
	}
}

// TestUserLookupFailureIsRetried returns PagerDuty's failure, so the task is retried, not drafted without
// the owner.
func TestUserLookupFailureIsRetried(t *testing.T) {
	p := newPipeline(t)
	withUserDirectory(t, p, 10)
	p.pd.AddUser(user("PUSERA1", "Ana Primary", "ana.primary@example.com"))
	p.pd.FailNext(10, 500)
	inc := postmortem.Incident{ID: "PFAIL1", Assignees: []postmortem.Person{{ID: "PUSERA1", Kind: "user"}}}
	err := p.h.Users.FillEmails(context.Background(), &inc)
	if err == nil || !strings.Contains(err.Error(), "look up PagerDuty user PUSERA1") {
		t.Fatalf("err = %v", err)
	}
}
