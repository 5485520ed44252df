package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/hindsight-dev/hindsight/insights"
	"github.com/hindsight-dev/hindsight/integrations/pagerduty"
	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/queue"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// stringList is a flag that may be repeated, each value possibly comma-separated.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// parseDate reads a day (2026-01-01, midnight UTC) or an RFC 3339 time.
func parseDate(flagName, v string) (time.Time, error) {
	if t, err := insights.ParseSince(v); err == nil && !t.IsZero() {
		return t, nil
	}
	return time.Time{}, usageError{fmt.Sprintf("replay: --%s %q: want a date such as 2026-01-01 or a time such as 2026-01-01T08:00:00Z", flagName, v)}
}

// replayRange lists PagerDuty's resolved incidents created in [since, until), applies the policy and
// enqueues those that need a postmortem and have none. It prints a progress bar on a terminal, one line
// per incident otherwise, and a summary.
func replayRange(ctx context.Context, sinceFlag, untilFlag string, services stringList, getenv func(string) string, stdout io.Writer) error {
	since, until, err := replayWindow(sinceFlag, untilFlag, services)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if cfg.PagerDuty.Token == "" {
		return bad("HINDSIGHT_PAGERDUTY_TOKEN", "required by replay --since")
	}
	pd, err := pagerduty.New(pagerduty.Options{BaseURL: cfg.PagerDuty.APIURL, Token: cfg.PagerDuty.Token, From: cfg.PagerDuty.From})
	if err != nil {
		return bad("HINDSIGHT_PAGERDUTY_TOKEN", "%v", err)
	}
	rdb, err := cfg.openRedis()
	if err != nil {
		return err
	}
	defer rdb.Close()
	r := rangeReplay{policy: cfg.Policy, store: redisstore.NewStore(rdb, time.Duration(cfg.Events.Retention))}
	r.q = queue.New(rdb, r.store, cfg.Worker.MaxRetry)
	defer r.q.Close()

	p := newProgress(stdout)
	defer p.done()
	incidents, err := pd.ResolvedIncidents(ctx, pagerduty.IncidentQuery{Since: since, Until: until, ServiceIDs: services},
		func(listed, total int) { p.update("listing", listed, total) })
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	for i, inc := range incidents {
		outcome, err := r.replay(ctx, inc)
		if err != nil {
			return fmt.Errorf("replay %s: %w", inc.ID, err)
		}
		p.line(fmt.Sprintf("%s #%d %s: %s", inc.ID, inc.Number, oneLine(inc.Title), outcome))
		p.update("replaying", i+1, len(incidents))
	}
	p.done()
	summary := fmt.Sprintf("replay: %d resolved incidents from %s to %s: %d queued, %d skipped by policy, %d already published",
		len(incidents), since.Format(time.RFC3339), until.Format(time.RFC3339), r.queued, r.skipped, r.published)
	if r.pending > 0 {
		summary += fmt.Sprintf(", %d already queued", r.pending)
	}
	_, err = fmt.Fprintln(stdout, summary)
	return err
}

// replayWindow parses and checks the flags of replay --since.
func replayWindow(sinceFlag, untilFlag string, services stringList) (since, until time.Time, err error) {
	since, err = parseDate("since", sinceFlag)
	if err != nil {
		return since, until, err
	}
	until = time.Now().UTC().Truncate(time.Second)
	if untilFlag != "" {
		if until, err = parseDate("until", untilFlag); err != nil {
			return since, until, err
		}
	}
	if !until.After(since) {
		return since, until, usageError{fmt.Sprintf("replay: --until %s is not after --since %s", until.Format(time.RFC3339), since.Format(time.RFC3339))}
	}
	for _, s := range services {
		if !postmortem.ValidIncidentID(s) { // service IDs have the same shape
			return since, until, usageError{fmt.Sprintf("replay: --service %q is not a PagerDuty service ID", s)}
		}
	}
	return since, until, nil
}

// rangeReplay replays past incidents one by one and counts what it did with them.
type rangeReplay struct {
	policy                              postmortem.Policy
	store                               *redisstore.Store
	q                                   *queue.Queue
	queued, skipped, published, pending int
}

// replay enqueues the pipeline of inc unless the policy skips it or it is published already, and says
// which.
func (r *rangeReplay) replay(ctx context.Context, inc postmortem.Incident) (string, error) {
	decision := r.policy.Decide(inc)
	if !decision.Required {
		r.skipped++
		return "skipped by policy (" + decision.Reason + ")", nil
	}
	url, ok, err := r.store.Published(ctx, inc.ID)
	if err != nil {
		return "", err
	}
	if ok {
		r.published++
		return "already published: " + url, nil
	}
	added, err := r.q.ReplayIncident(ctx, inc.ID)
	if err != nil {
		return "", err
	}
	if !added {
		r.pending++
		return "already queued", nil
	}
	r.queued++
	return "queued", nil
}

// progress shows a bar on a terminal, rewritten in place, and plain lines anywhere else.
type progress struct {
	w        io.Writer
	terminal bool
	shown    bool
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, terminal: ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))}
}

// update redraws the bar; without a terminal it says nothing (the lines say it).
func (p *progress) update(what string, n, total int) {
	if !p.terminal || total == 0 {
		return
	}
	const width = 30
	filled := width * min(n, total) / total
	fmt.Fprintf(p.w, "\r%-9s [%s%s] %d/%d", what, strings.Repeat("#", filled), strings.Repeat(".", width-filled), n, total)
	p.shown = true
}

// line prints one incident's outcome, only without a terminal: there the bar stands for them.
func (p *progress) line(s string) {
	if !p.terminal {
		fmt.Fprintln(p.w, s)
	}
}

// done ends the bar's line.
func (p *progress) done() {
	if p.shown {
		fmt.Fprintln(p.w)
		p.shown = false
	}
}
