package lifecycle

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// ChangeReadTimeout bounds the reading of an incident's changes, rate-limit waits included, so that a slow
// source costs the postmortem a line saying so rather than its time.
const ChangeReadTimeout = 30 * time.Second

// ReadChanges asks every reader at once, within ChangeReadTimeout, and merges what they found, oldest
// first. Readers that return nothing (no repository configured, no PagerDuty token) leave no trace.
func ReadChanges(ctx context.Context, q postmortem.ChangeQuery, readers ...postmortem.ChangeReader) postmortem.Changes {
	ctx, cancel := context.WithTimeout(ctx, ChangeReadTimeout)
	defer cancel()
	parts := make([]postmortem.Changes, len(readers))
	var wg sync.WaitGroup
	for i, r := range readers {
		wg.Go(func() { parts[i] = r.ReadChanges(ctx, q) })
	}
	wg.Wait()
	out := postmortem.Changes{Query: q}
	for _, p := range parts {
		out.Items = append(out.Items, p.Items...)
		out.Sources = append(out.Sources, p.Sources...)
	}
	slices.SortStableFunc(out.Items, func(a, b postmortem.Change) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.Source+a.What, b.Source+b.What)
	})
	return out
}
