package insights

import (
	"slices"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) // a Monday

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestStateAt(t *testing.T) {
	pull := "https://github.example/acme/pm/pull/1"
	tests := []struct {
		name string
		p    Postmortem
		want State
	}{
		{"merged, even past due", Postmortem{PullURL: pull, Due: now.Add(-time.Hour), MergedAt: now.Add(-time.Minute)}, Merged},
		{"closed unmerged", Postmortem{PullURL: pull, ClosedAt: now.Add(-time.Minute)}, Closed},
		{"dry run", Postmortem{Due: now.Add(-time.Hour)}, Draft},
		{"open past due", Postmortem{PullURL: pull, Due: now.Add(-time.Second)}, Overdue},
		{"open, due later", Postmortem{PullURL: pull, Due: now.Add(time.Hour)}, Open},
		{"open, due exactly now", Postmortem{PullURL: pull, Due: now}, Open},
		{"open, no due time", Postmortem{PullURL: pull}, Open},
	}
	for _, tt := range tests {
		if got := StateAt(tt.p, now); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestWeeks(t *testing.T) {
	tests := []struct {
		t         string
		start     string
		key       string
		dayBefore string // the key of the day before start
	}{
		{"2026-11-30T12:00:00Z", "2026-11-30", "2026-W49", "2026-W48"}, // a Monday
		{"2026-11-29T23:59:59Z", "2026-11-23", "2026-W48", "2026-W47"}, // a Sunday
		{"2027-01-01T08:00:00Z", "2026-12-28", "2026-W53", "2026-W52"}, // ISO 2026 has 53 weeks
		{"2026-10-01T00:00:00+02:00", "2026-09-28", "2026-W40", "2026-W39"},
	}
	for _, tt := range tests {
		got := at(tt.t)
		if s := WeekStart(got).Format(time.DateOnly); s != tt.start {
			t.Errorf("WeekStart(%s) = %s, want %s", tt.t, s, tt.start)
		}
		if k := WeekKey(WeekStart(got)); k != tt.key {
			t.Errorf("WeekKey(%s) = %s, want %s", tt.t, k, tt.key)
		}
		if k := WeekKey(WeekStart(got).Add(-time.Second)); k != tt.dayBefore {
			t.Errorf("week before %s = %s, want %s", tt.t, k, tt.dayBefore)
		}
	}
}

func TestFigure(t *testing.T) {
	m := time.Minute
	if f := figure(nil); f != (Figure{}) {
		t.Errorf("no durations: %+v", f)
	}
	if f := figure([]time.Duration{9 * m, 1 * m, 5 * m}); f != (Figure{Count: 3, MedianSeconds: 300}) {
		t.Errorf("odd count: %+v, want the middle one", f)
	}
	if f := figure([]time.Duration{4 * m, 1 * m, 2 * m, 100 * m}); f != (Figure{Count: 4, MedianSeconds: 180}) {
		t.Errorf("even count: %+v, want the mean of the middle two", f)
	}
}

// fixture is three weeks of postmortems on two services, with their action items.
func fixture() ([]Postmortem, []ActionItem) {
	pull := func(n string) string { return "https://github.example/acme/pm/pull/" + n }
	pms := []Postmortem{
		{ // week 47, payments: merged a day after resolution
			IncidentID: "PMERGED", Title: "Card payments failing", Priority: "P1", Service: "payments", Owner: "dana",
			PullURL: pull("1"), TriggeredAt: at("2026-11-17T10:00:00Z"), AcknowledgedAt: at("2026-11-17T10:04:00Z"),
			ResolvedAt: at("2026-11-17T11:00:00Z"), Due: at("2026-11-19T11:00:00Z"), MergedAt: at("2026-11-18T11:00:00Z"),
		},
		{ // week 48, payments: open past due
			IncidentID: "POVERDUE", Title: "Refund queue stuck", Priority: "P2", Service: "payments", Owner: "eli",
			Reviewers: []string{"dana", "sre-lead"}, PullURL: pull("2"), TriggeredAt: at("2026-11-24T08:00:00Z"),
			AcknowledgedAt: at("2026-11-24T08:10:00Z"), ResolvedAt: at("2026-11-24T10:00:00Z"), Due: at("2026-11-26T10:00:00Z"),
		},
		{ // week 48, search: open, not due
			IncidentID: "POPEN", Title: "Search latency", Priority: "P2", Service: "search", PullURL: pull("3"),
			TriggeredAt: at("2026-11-29T08:00:00Z"), AcknowledgedAt: at("2026-11-29T08:02:00Z"),
			ResolvedAt: at("2026-11-29T09:00:00Z"), Due: at("2026-12-01T09:00:00Z"),
		},
		{ // no service, no acknowledgement
			IncidentID: "PNOSVC", Title: "Unknown", PullURL: pull("4"), TriggeredAt: at("2026-11-30T01:00:00Z"),
			ResolvedAt: at("2026-11-30T02:00:00Z"), Due: at("2026-12-02T02:00:00Z"),
		},
	}
	items := []ActionItem{
		{IncidentID: "PMERGED", Number: 11, Open: false, Opened: at("2026-11-17T12:00:00Z"), Closed: at("2026-11-25T12:00:00Z")},
		{IncidentID: "PMERGED", Number: 12, Open: true, Opened: at("2026-11-18T12:00:00Z")},
		{IncidentID: "POVERDUE", Number: 21, Open: true, Opened: at("2026-11-24T12:00:00Z")},
		{IncidentID: "PGONE", Number: 31, Open: true, Opened: at("2026-11-24T13:00:00Z")}, // its postmortem is not listed
	}
	return pms, items
}

func TestBuild(t *testing.T) {
	pms, items := fixture()
	r := Build(pms, items, time.Time{}, now)

	var order []string
	for _, p := range r.Postmortems {
		order = append(order, p.IncidentID)
	}
	if got, want := order, []string{"PNOSVC", "POPEN", "POVERDUE", "PMERGED"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want newest resolution first %v", got, want)
	}
	byID := map[string]Postmortem{}
	for _, p := range r.Postmortems {
		byID[p.IncidentID] = p
	}
	if s := byID["POVERDUE"].State; s != Overdue {
		t.Errorf("POVERDUE is %s", s)
	}
	if s := byID["PMERGED"].State; s != Merged {
		t.Errorf("PMERGED is %s", s)
	}
	if got, want := byID["PMERGED"].ActionItems, (ItemSummary{Open: 1, Closed: 1, OldestOpenSeconds: int64(now.Sub(at("2026-11-18T12:00:00Z")).Seconds())}); got != want {
		t.Errorf("PMERGED items %+v, want %+v", got, want)
	}
	if byID["POPEN"].Reviewers == nil {
		t.Error("reviewers nil: the JSON would say null instead of []")
	}
	tot := r.Totals
	if tot.Postmortems != 4 || tot.States[Overdue] != 1 || tot.States[Open] != 2 || tot.States[Merged] != 1 ||
		tot.ActionItemsOpen != 2 || tot.ActionItemsClosed != 1 {
		t.Errorf("totals %+v", tot)
	}
	if want := int64(now.Sub(at("2026-11-18T12:00:00Z")).Seconds()); tot.OldestOpenSeconds != want {
		t.Errorf("oldest open %d, want %d", tot.OldestOpenSeconds, want)
	}

	// Weeks: from the first postmortem's week (47) to now's (49), each once.
	var keys []string
	for _, w := range r.Weeks {
		keys = append(keys, w.Key)
	}
	if want := []string{"2026-W47", "2026-W48", "2026-W49"}; !slices.Equal(keys, want) {
		t.Fatalf("weeks %v, want %v", keys, want)
	}
	w47, w48, w49 := r.Weeks[0], r.Weeks[1], r.Weeks[2]
	if w47.Postmortems != 1 || w47.TimeToAcknowledge != (Figure{1, 240}) || w47.TimeToResolve != (Figure{1, 3600}) ||
		w47.ResolveToMerged != (Figure{1, 86400}) || w47.ActionItemsOpened != 2 || w47.ActionItemsClosed != 0 {
		t.Errorf("week 47: %+v", w47)
	}
	// Week 48: acks of 10 and 2 minutes, resolutions of 2 and 1 hours, nothing merged; items 21 and 31
	// opened, 11 closed.
	if w48.Postmortems != 2 || w48.TimeToAcknowledge != (Figure{2, 360}) || w48.TimeToResolve != (Figure{2, 5400}) ||
		w48.ResolveToMerged != (Figure{}) || w48.ActionItemsOpened != 2 || w48.ActionItemsClosed != 1 {
		t.Errorf("week 48: %+v", w48)
	}
	if w49.Postmortems != 1 || w49.TimeToAcknowledge.Count != 0 || w49.TimeToResolve != (Figure{1, 3600}) {
		t.Errorf("week 49: %+v", w49)
	}
	if !w47.Start.Equal(at("2026-11-16T00:00:00Z")) {
		t.Errorf("week 47 starts %s", w47.Start)
	}

	// Services: payments has two postmortems and comes first; the unlisted postmortem's item and the one
	// without a service fall under UnknownService.
	var svc []string
	for _, g := range r.Services {
		svc = append(svc, g.Key)
	}
	if want := []string{"payments", UnknownService, "search"}; !slices.Equal(svc, want) {
		t.Fatalf("services %v, want %v", svc, want)
	}
	pay, unknown := r.Services[0], r.Services[1]
	if pay.Postmortems != 2 || pay.TimeToAcknowledge != (Figure{2, 420}) || pay.ResolveToMerged != (Figure{1, 86400}) ||
		pay.ActionItemsOpened != 3 || pay.ActionItemsClosed != 1 {
		t.Errorf("payments: %+v", pay)
	}
	if unknown.Postmortems != 1 || unknown.ActionItemsOpened != 1 {
		t.Errorf("unknown: %+v", unknown)
	}
}

func TestBuildSince(t *testing.T) {
	pms, items := fixture()
	since := at("2026-11-23T00:00:00Z")
	r := Build(pms[1:], items, since, now) // the caller lists only the postmortems resolved since
	if len(r.Weeks) != 2 || r.Weeks[0].Key != "2026-W48" {
		t.Fatalf("weeks %+v, want 48 and 49", r.Weeks)
	}
	// Items 11 and 12 were opened before since; 11 closed after it.
	if w := r.Weeks[0]; w.ActionItemsOpened != 2 || w.ActionItemsClosed != 1 {
		t.Errorf("week 48 items: %+v", w)
	}
	for _, g := range r.Services {
		if g.Key == "payments" && (g.ActionItemsOpened != 1 || g.ActionItemsClosed != 0) {
			t.Errorf("payments items since: %+v (item 11's postmortem is not listed, so it is unknown)", g)
		}
	}
}

func TestBuildBounds(t *testing.T) {
	// Nothing at all: one empty week, now's.
	r := Build(nil, nil, time.Time{}, now)
	if len(r.Weeks) != 1 || r.Weeks[0].Key != "2026-W49" || len(r.Services) != 0 || len(r.Postmortems) != 0 {
		t.Errorf("empty report: %+v", r)
	}
	// A start years back keeps the latest MaxWeeks weeks.
	r = Build(nil, nil, at("2020-01-01T00:00:00Z"), now)
	if len(r.Weeks) != MaxWeeks || r.Weeks[MaxWeeks-1].Key != "2026-W49" {
		t.Errorf("%d weeks ending %s, want %d ending 2026-W49", len(r.Weeks), r.Weeks[len(r.Weeks)-1].Key, MaxWeeks)
	}
	// An item with times outside the weeks counts in none.
	items := []ActionItem{{IncidentID: "X", Open: false, Opened: at("2019-01-01T00:00:00Z"), Closed: at("2019-02-01T00:00:00Z")}}
	r = Build(nil, items, time.Time{}, now)
	if w := r.Weeks[0]; w.ActionItemsOpened != 0 || w.ActionItemsClosed != 0 {
		t.Errorf("old item counted: %+v", w)
	}
	// A clock set wrong (acknowledged before triggered) measures nothing rather than a negative time.
	p := Postmortem{IncidentID: "P", TriggeredAt: at("2026-11-30T10:00:00Z"), AcknowledgedAt: at("2026-11-30T09:00:00Z"), ResolvedAt: at("2026-11-30T11:00:00Z")}
	r = Build([]Postmortem{p}, nil, time.Time{}, now)
	if f := r.Weeks[0].TimeToAcknowledge; f.Count != 0 {
		t.Errorf("negative acknowledgement measured: %+v", f)
	}
}

func TestParseSince(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"", time.Time{}, true},
		{"2026-10-01", at("2026-10-01T00:00:00Z"), true},
		{" 2026-10-01 ", at("2026-10-01T00:00:00Z"), true},
		{"2026-10-01T08:00:00+02:00", at("2026-10-01T06:00:00Z"), true},
		{"2026-13-01", time.Time{}, false},
		{"yesterday", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := ParseSince(tt.in)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseSince(%q) = %s, %v; want %s, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if _, err := ParseSince("yesterday"); err == nil || err.Error() != `since "yesterday": want a date such as 2026-10-01 or an RFC 3339 time` {
		t.Errorf("error %v", err)
	}
}
