package lifecycle_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/lifecycle"
	"github.com/hindsight-dev/hindsight/postmortem"
)

type stubReader postmortem.Changes

func (s stubReader) ReadChanges(_ context.Context, q postmortem.ChangeQuery) postmortem.Changes {
	c := postmortem.Changes(s)
	c.Query = q
	return c
}

func TestReadChangesMergesOldestFirst(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	gh := stubReader{
		Items:   []postmortem.Change{{At: t0.Add(-time.Minute), Kind: postmortem.ChangeDeployment, Source: "acme/a", What: "b"}, {At: t0.Add(-time.Hour), Kind: postmortem.ChangeRelease, Source: "acme/a", What: "a"}},
		Sources: []postmortem.ChangeSource{{Name: "acme/a releases"}, {Name: "acme/a deployments", Problem: "GitHub answered 502"}},
	}
	pd := stubReader{Items: []postmortem.Change{{At: t0.Add(-30 * time.Minute), Kind: postmortem.ChangeEvent, Source: "PagerDuty", What: "c"}},
		Sources: []postmortem.ChangeSource{{Name: postmortem.ChangeSourcePagerDuty}}}
	q := postmortem.ChangeQuery{IncidentID: "P1", Trigger: t0}
	got := lifecycle.ReadChanges(context.Background(), q, gh, pd)
	var whats []string
	for _, c := range got.Items {
		whats = append(whats, c.What)
	}
	if strings.Join(whats, "") != "acb" {
		t.Errorf("order = %v, want oldest first", whats)
	}
	if len(got.Sources) != 3 || got.Query.IncidentID != "P1" {
		t.Errorf("sources %v, query %+v", got.Sources, got.Query)
	}
	if u := got.Unread(); len(u) != 1 || u[0] != "acme/a deployments: GitHub answered 502" {
		t.Errorf("unread = %q", u)
	}
	if none := lifecycle.ReadChanges(context.Background(), q); len(none.Items) != 0 || len(none.Sources) != 0 {
		t.Errorf("no reader found %+v", none)
	}
}

// slowReader answers only when its context ends, as a source stuck in a rate-limit wait would.
type slowReader struct{}

func (slowReader) ReadChanges(ctx context.Context, q postmortem.ChangeQuery) postmortem.Changes {
	<-ctx.Done()
	return postmortem.Changes{Query: q, Sources: []postmortem.ChangeSource{{Name: "slow", Problem: context.Cause(ctx).Error()}}}
}

// TestReadChangesEndsWithItsContext shows that the reading stops when the run's context ends, however long
// a source would take.
func TestReadChangesEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := lifecycle.ReadChanges(ctx, postmortem.ChangeQuery{IncidentID: "P1"}, slowReader{}, stubReader{Items: []postmortem.Change{{What: "fast"}}})
	if len(got.Items) != 1 || len(got.Unread()) != 1 || !strings.Contains(got.Unread()[0], "canceled") {
		t.Errorf("changes = %+v", got)
	}
}
