package pagerduty

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/hindsight-dev/hindsight/postmortem"
)

const (
	pageLimit = 100 // PagerDuty's largest page
	// maxOffsetPlusLimit is PagerDuty's paging ceiling: a request with offset+limit above it answers 400.
	maxOffsetPlusLimit = 10000
	// windowMargin widens the first since/until window around the incident's life.
	windowMargin = 24 * time.Hour
)

// Incident fetches an incident with all its log entries and notes and maps it to the domain. Errors are
// those of FetchExport and Export.Decode.
//
// Each log entry is decoded as its page arrives and only the decoded entry is kept, never its JSON: an
// incident's log entries are held once, not twice.
func (c *Client) Incident(ctx context.Context, incidentID string) (postmortem.Incident, error) {
	e, err := c.fetch(ctx, incidentID, true)
	if err != nil {
		return postmortem.Incident{}, err
	}
	return e.Decode()
}

// FetchExport fetches an incident (GET /incidents/{id}), every one of its log entries (GET
// /incidents/{id}/log_entries, 100 a page, time_zone=UTC), its notes (GET /incidents/{id}/notes) and its
// first hundred alerts (GET /incidents/{id}/alerts, oldest first). For n ≤ 10,000 log entries it makes
// 3 + max(1, ceil(n/100)) requests; above PagerDuty's 10,000 offset ceiling
// it splits the incident's life into since/until windows until each fits, and drops duplicates by ID.
// Log entries are returned sorted by created_at, then id.
//
// It returns an error wrapping ErrNotFound when PagerDuty does not know the incident, ErrRateLimited when
// rate limiting outlasts the allowed wait, *APIError for other answers, and fails before any request
// when incidentID is not a valid ID.
func (c *Client) FetchExport(ctx context.Context, incidentID string) (*Export, error) {
	return c.fetch(ctx, incidentID, false)
}

// fetch is FetchExport; with decode, the log entries are decoded as they arrive and the Export holds them
// decoded instead of as JSON.
func (c *Client) fetch(ctx context.Context, incidentID string, decode bool) (*Export, error) {
	if err := checkID("fetch incident", incidentID); err != nil {
		return nil, err
	}
	incident, err := c.fetchIncident(ctx, incidentID)
	if err != nil {
		return nil, wrapOp("fetch incident", incidentID, err)
	}
	id, createdAt := incidentHead(incident, incidentID)
	parts, err := c.fetchParts(ctx, id, createdAt, decode)
	if err != nil {
		return nil, err
	}
	return c.export(ctx, id, incident, parts, decode), nil
}

// incidentHead reads the ID and creation time of an incident fetched as incidentID. PagerDuty accepts an
// incident number in the URL; the incident's own ID, when it has a valid one, names it from here on. A
// creation time that is missing or does not parse is zero.
func incidentHead(incident json.RawMessage, incidentID string) (id string, createdAt time.Time) {
	var head struct {
		ID        string `json:"id"`
		CreatedAt string `json:"created_at"`
	}
	_ = json.Unmarshal(incident, &head)
	id = incidentID
	if postmortem.ValidIncidentID(head.ID) {
		id = head.ID
	}
	createdAt, _ = parseTime(head.CreatedAt)
	return id, createdAt
}

// incidentParts is what is fetched of an incident after the incident itself.
type incidentParts struct {
	entries       *logEntrySet
	notes, alerts []json.RawMessage
}

// fetchParts fetches the log entries, the notes and the alerts of incident id. They depend only on the
// incident's ID, so they are fetched side by side, one round trip after the incident's instead of three
// (PagerDuty limits requests per minute, not requests in flight). The first to fail ends the others, and
// its error, wrapped with what failed and id, is the one returned.
func (c *Client) fetchParts(ctx context.Context, id string, createdAt time.Time, decode bool) (incidentParts, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg                   sync.WaitGroup
		parts                = incidentParts{entries: newLogEntrySet(decode)}
		entriesErr, notesErr error
		alertsErr            error
	)
	wg.Go(func() {
		if entriesErr = c.fetchLogEntries(ctx, id, createdAt, parts.entries); entriesErr != nil {
			cancel()
		}
	})
	wg.Go(func() {
		if parts.notes, notesErr = c.fetchNotes(ctx, id); notesErr != nil {
			cancel()
		}
	})
	wg.Go(func() {
		if parts.alerts, alertsErr = c.fetchAlerts(ctx, id); alertsErr != nil {
			cancel()
		}
	})
	wg.Wait()
	if failed := firstCause([]fetchFailure{{"fetch log entries", entriesErr}, {"fetch notes", notesErr}, {"fetch alerts", alertsErr}}); failed != nil {
		return incidentParts{}, wrapOp(failed.op, id, failed.err)
	}
	return parts, nil
}

// firstCause picks the failure to report among side-by-side fetches, or nil when none failed: the first
// that failed, unless it was only cancelled and a later one failed for a reason of its own. The cause is
// reported, not the cancellation it brought on the others.
func firstCause(failures []fetchFailure) *fetchFailure {
	var failed *fetchFailure
	for _, f := range failures {
		if f.err != nil && (failed == nil || errors.Is(failed.err, context.Canceled) && !errors.Is(f.err, context.Canceled)) {
			failed = &f
		}
	}
	return failed
}

// export assembles the Export of incident id from its parts, keeping at most the client's maximum of log
// entries, the earliest, and logging a warning when some were left out.
func (c *Client) export(ctx context.Context, id string, incident json.RawMessage, parts incidentParts, decode bool) *Export {
	e := &Export{Incident: incident, Notes: parts.notes, Alerts: parts.alerts}
	set := parts.entries
	if decode {
		e.decoded, e.trigger = set.sortedEntries(), set.trigger
		e.isDecoded = true
		e.LogEntriesCapped = len(e.decoded) > c.maxLogEntries
		if e.LogEntriesCapped {
			e.decoded = e.decoded[:c.maxLogEntries]
		}
	} else {
		e.LogEntries = set.sorted()
		e.LogEntriesCapped = len(e.LogEntries) > c.maxLogEntries
		if e.LogEntriesCapped {
			e.LogEntries = e.LogEntries[:c.maxLogEntries]
		}
	}
	if e.LogEntriesCapped {
		c.log.LogAttrs(ctx, slog.LevelWarn, "pagerduty: log entries over the cap; the earliest are kept",
			slog.String("incident_id", id), slog.Int("cap", c.maxLogEntries))
	}
	return e
}

// fetchFailure is one of the side-by-side fetches that failed.
type fetchFailure struct {
	op  string
	err error
}

func (c *Client) fetchIncident(ctx context.Context, id string) (json.RawMessage, error) {
	body, err := c.send(ctx, request{method: http.MethodGet, path: "/incidents/" + id, idempotent: true})
	if err != nil {
		return nil, err
	}
	var resp struct {
		Incident json.RawMessage `json:"incident"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("decode answer: %w", err)
	}
	if !isObject(resp.Incident) {
		return nil, errors.New("decode answer: no \"incident\" object")
	}
	return resp.Incident, nil
}

func (c *Client) fetchNotes(ctx context.Context, id string) ([]json.RawMessage, error) {
	body, err := c.send(ctx, request{method: http.MethodGet, path: "/incidents/" + id + "/notes", idempotent: true})
	if err != nil {
		return nil, err
	}
	var resp struct {
		Notes []json.RawMessage `json:"notes"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("decode answer: %w", err)
	}
	return resp.Notes, nil
}

// logEntrySet gathers log entries once each by ID: as JSON, or decoded as they arrive.
type logEntrySet struct {
	byKey  map[string]sortableEntry // as JSON
	decode bool
	// When decoding, entries are the decoded entries in the order they came, seen their keys,
	// details and users the one copy of each set of details and of people they carry.
	entries []postmortem.LogEntry
	seen    map[string]struct{}
	details map[string]map[string]string
	users   map[string][]postmortem.Person
	// trigger is, when decoding, what the earliest trigger entry says fired: the alert of an incident
	// whose alerts are gone.
	trigger   *postmortem.Alert
	triggerAt sortableEntry

	// When decoding, pages are decoded by a goroutine of their own while the next one is fetched: fed
	// counts the entries handed to it, pending the pages it has yet to finish.
	pages   chan []byte
	done    chan struct{}
	pending sync.WaitGroup
	fed     int
	failed  atomic.Bool
	err     error // the first page that did not decode; read after pending.Wait
}

// startDecoding starts the goroutine that decodes the pages fed to the set.
func (s *logEntrySet) startDecoding() {
	s.pages, s.done = make(chan []byte, 2), make(chan struct{})
	go func() {
		defer close(s.done)
		for body := range s.pages {
			if s.err == nil {
				if _, err := readLogEntryPage(body, s); err != nil {
					s.err = fmt.Errorf("decode answer: %w", err)
					s.failed.Store(true)
				}
			}
			s.pending.Done()
		}
	}()
}

// feed hands a page of n entries to the decoding goroutine.
func (s *logEntrySet) feed(body []byte, n int) {
	s.pending.Add(1)
	s.fed += n
	s.pages <- body
}

// settle waits until every page fed is decoded; the set may then be read.
func (s *logEntrySet) settle() {
	if s.pages != nil {
		s.pending.Wait()
	}
}

// finish stops the decoding goroutine and returns the first decoding error.
func (s *logEntrySet) finish() error {
	close(s.pages)
	<-s.done
	return s.err
}

// over reports whether the set holds more than n entries.
func (s *logEntrySet) over(n int) bool {
	if s.pages != nil {
		if s.fed <= n {
			return false // not even counting the repeats
		}
		s.settle()
	}
	return s.len() > n
}

// len is the number of entries held.
func (s *logEntrySet) len() int {
	if s.decode {
		return len(s.entries)
	}
	return len(s.byKey)
}

// reserve makes room for n entries, as the first page's total announces them, so that a giant incident's
// entries are not copied each time their slice outgrows itself. Only before anything is added.
func (s *logEntrySet) reserve(n int) {
	if s.decode && len(s.entries) == 0 && n > cap(s.entries) {
		s.entries = make([]postmortem.LogEntry, 0, n)
	}
}

type sortableEntry struct {
	raw json.RawMessage // nil when decoding
	id  string
	at  time.Time
}

func newLogEntrySet(decode bool) *logEntrySet {
	if decode {
		return &logEntrySet{decode: true, seen: map[string]struct{}{}, details: map[string]map[string]string{},
			users: map[string][]postmortem.Person{}}
	}
	return &logEntrySet{byKey: map[string]sortableEntry{}}
}

// add takes one log entry; raw is only read, never kept. When decoding, an entry that does not decode is
// an error.
func (s *logEntrySet) add(raw []byte) error {
	if !s.decode {
		var head struct {
			ID        string `json:"id"`
			CreatedAt string `json:"created_at"`
		}
		_ = json.Unmarshal(raw, &head)
		key := head.ID
		if key == "" {
			key = "raw:" + string(raw)
		}
		if _, ok := s.byKey[key]; ok {
			return nil
		}
		at, _ := parseTime(head.CreatedAt)
		s.byKey[key] = sortableEntry{raw: append(json.RawMessage(nil), raw...), id: head.ID, at: at}
		return nil
	}
	e, err := decodeLogEntry(raw)
	if err != nil {
		return err
	}
	key := e.ID
	if key == "" {
		key = "raw:" + string(raw)
	}
	if _, ok := s.seen[key]; ok {
		return nil
	}
	e.Details, e.Users = s.sharedDetails(e.Details), s.sharedUsers(e.Users)
	s.seen[key] = struct{}{}
	s.entries = append(s.entries, e)
	se := sortableEntry{id: e.ID, at: e.At}
	if e.Type == "trigger" && (s.trigger == nil || se.before(s.triggerAt)) {
		a, ok := alertFromTrigger([]json.RawMessage{raw})
		s.trigger, s.triggerAt = &a, se
		if !ok {
			s.trigger = &postmortem.Alert{}
		}
	}
	return nil
}

func (e sortableEntry) before(o sortableEntry) bool {
	if !e.at.Equal(o.at) {
		return e.at.Before(o.at)
	}
	return e.id < o.id
}

// sharedDetails returns the one copy of details the set holds: the entries of a giant incident repeat the
// same few (a notification's address, an acknowledgement's timeout), and an entry's details are only read.
func (s *logEntrySet) sharedDetails(details map[string]string) map[string]string {
	if len(details) == 0 {
		return details
	}
	keys := make([]string, 0, len(details))
	for k := range details {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		// Lengths first: no key or value can pass for another.
		b.WriteString(strconv.Itoa(len(k)) + ":" + k + strconv.Itoa(len(details[k])) + ":" + details[k])
	}
	if d, ok := s.details[b.String()]; ok {
		return d
	}
	s.details[b.String()] = details
	return details
}

// sharedUsers returns the one copy of people the set holds: a giant incident notifies the same people
// again and again. The people of an entry are changed in place only as Incident.SetEmails does, the same
// for every entry naming them.
func (s *logEntrySet) sharedUsers(people []postmortem.Person) []postmortem.Person {
	if len(people) == 0 {
		return people
	}
	var b strings.Builder
	for _, p := range people {
		for _, f := range []string{p.ID, p.Kind, p.Name, p.Email, p.URL} {
			b.WriteString(strconv.Itoa(len(f)) + ":" + f)
		}
	}
	if u, ok := s.users[b.String()]; ok {
		return u
	}
	people = slices.Clip(people)
	s.users[b.String()] = people
	return people
}

func (s *logEntrySet) span() (first, last time.Time) {
	if s.decode {
		for _, e := range s.entries {
			first, last = widen(first, last, e.At)
		}
		return first, last
	}
	for _, e := range s.byKey {
		first, last = widen(first, last, e.at)
	}
	return first, last
}

// widen returns the span from first to last widened to take in at; zero times are unknown.
func widen(first, last, at time.Time) (time.Time, time.Time) {
	if at.IsZero() {
		return first, last
	}
	if first.IsZero() || at.Before(first) {
		first = at
	}
	if at.After(last) {
		last = at
	}
	return first, last
}

func (s *logEntrySet) sorted() []json.RawMessage {
	es := make([]sortableEntry, 0, len(s.byKey))
	for _, e := range s.byKey {
		es = append(es, e)
	}
	sort.Slice(es, func(i, j int) bool {
		if !es[i].at.Equal(es[j].at) {
			return es[i].at.Before(es[j].at)
		}
		if es[i].id != es[j].id {
			return es[i].id < es[j].id
		}
		return bytes.Compare(es[i].raw, es[j].raw) < 0
	})
	out := make([]json.RawMessage, len(es))
	for i, e := range es {
		out[i] = e.raw
	}
	return out
}

// sortedEntries returns the decoded entries by time, then ID, sorted where they are: the set lets go of
// them.
func (s *logEntrySet) sortedEntries() []postmortem.LogEntry {
	out := s.entries
	s.entries, s.seen, s.details, s.users = nil, nil, nil, nil
	sortLogEntries(out)
	return out
}

// window is a since/until range; the zero window asks for everything.
type window struct{ since, until time.Time }

func (w window) bounded() bool { return !w.since.IsZero() }

func (w window) String() string {
	if !w.bounded() {
		return "all"
	}
	return w.since.Format(time.RFC3339) + ".." + w.until.Format(time.RFC3339)
}

// fetchLogEntries pages through all log entries. Paging alone reaches at most 10,000 entries; when an
// incident has more, its life is cut into since/until windows, halving each window that still holds more
// than 10,000, so no request goes past the ceiling. Nothing here assumes an order of the answers: windows
// overlap by a second (whichever of since/until PagerDuty treats as inclusive) and entries are kept by ID.
func (c *Client) fetchLogEntries(ctx context.Context, id string, createdAt time.Time, set *logEntrySet) (err error) {
	if set.decode {
		set.startDecoding()
		defer func() {
			if derr := set.finish(); err == nil {
				err = derr
			}
		}()
	}
	complete, err := c.fetchWindow(ctx, id, window{}, set)
	if err != nil || complete {
		return err
	}
	set.settle()
	first, last := set.span()
	since := createdAt
	if since.IsZero() || (!first.IsZero() && first.Before(since)) {
		since = first
	}
	until := time.Now().UTC()
	if last.After(until) {
		until = last
	}
	root := window{
		since: since.Add(-windowMargin).Truncate(time.Second),
		until: until.Add(time.Minute).Truncate(time.Second),
	}
	c.log.LogAttrs(ctx, slog.LevelInfo, "pagerduty: more than 10,000 log entries, fetching by time window",
		slog.String("incident_id", id), slog.String("window", root.String()))
	return c.fetchSplit(ctx, id, root, set)
}

// fetchSplit fetches window w, halving it while it holds more entries than paging can reach.
func (c *Client) fetchSplit(ctx context.Context, id string, w window, set *logEntrySet) error {
	if set.over(c.maxLogEntries) {
		return nil // over the cap: the caller keeps the earliest and says more were left out
	}
	complete, err := c.fetchWindow(ctx, id, w, set)
	if err != nil || complete {
		return err
	}
	span := w.until.Sub(w.since)
	if span <= 2*time.Second {
		return fmt.Errorf("more than %d log entries between %s: PagerDuty's paging cannot reach them all", maxOffsetPlusLimit, w)
	}
	mid := w.since.Add(span / 2).Truncate(time.Second)
	if err := c.fetchSplit(ctx, id, window{since: w.since, until: mid.Add(time.Second)}, set); err != nil {
		return err
	}
	return c.fetchSplit(ctx, id, window{since: mid, until: w.until}, set)
}

// fetchWindow pages through one window. It reports false, having fetched what it could, when the window
// holds more entries than offset+limit ≤ 10,000 lets it reach. Its first page asks for total=true, so an
// over-full window, the incident's whole life included, is split after one request instead of a hundred.
func (c *Client) fetchWindow(ctx context.Context, id string, w window, set *logEntrySet) (complete bool, err error) {
	for offset := 0; ; {
		q := url.Values{}
		q.Set("limit", strconv.Itoa(pageLimit))
		q.Set("offset", strconv.Itoa(offset))
		q.Set("time_zone", "UTC")
		if w.bounded() {
			q.Set("since", w.since.Format(time.RFC3339))
			q.Set("until", w.until.Format(time.RFC3339))
		}
		if offset == 0 {
			q.Set("total", "true")
		}
		body, err := c.send(ctx, request{method: http.MethodGet, path: "/incidents/" + id + "/log_entries", query: q, idempotent: true})
		if err != nil {
			return false, fmt.Errorf("page at offset %d (window %s): %w", offset, w, err)
		}
		var page logEntryPage
		if set.decode {
			// Read for its paging alone; the entries are decoded while the next page is on its way.
			page, err = readLogEntryPage(body, nil)
			if err == nil && offset == 0 && !w.bounded() && page.total != nil {
				set.reserve(min(*page.total, c.maxLogEntries))
			}
			if err == nil {
				set.feed(body, page.entries)
			}
		} else {
			page, err = readLogEntryPage(body, set)
		}
		if err != nil {
			return false, fmt.Errorf("page at offset %d (window %s): decode answer: %w", offset, w, err)
		}
		if set.failed.Load() {
			return true, nil // the caller reports the entry that did not decode
		}
		if offset == 0 && page.total != nil && *page.total > maxOffsetPlusLimit {
			return false, nil
		}
		if !page.more {
			return true, nil
		}
		if set.over(c.maxLogEntries) {
			return true, nil // over the cap: nothing more is needed
		}
		if page.entries == 0 {
			return false, fmt.Errorf("page at offset %d (window %s): PagerDuty says more but sent no entries", offset, w)
		}
		offset += page.entries
		if offset+pageLimit > maxOffsetPlusLimit {
			return false, nil
		}
	}
}

// AddNote adds a note to an incident (POST /incidents/{id}/notes) as the user named by Options.From and
// returns it as PagerDuty stored it. It fails before any request when the ID is invalid, content is
// blank or Options.From is empty. A 5xx is not retried (the note may have been written); a 429 is.
func (c *Client) AddNote(ctx context.Context, incidentID, content string) (postmortem.Note, error) {
	if err := checkID("add note", incidentID); err != nil {
		return postmortem.Note{}, err
	}
	if strings.TrimSpace(content) == "" {
		return postmortem.Note{}, wrapOp("add note", incidentID, errors.New("note content is empty"))
	}
	if c.from == "" {
		return postmortem.Note{}, wrapOp("add note", incidentID, errors.New("Options.From is empty: PagerDuty needs a user's email in the From header to write"))
	}
	payload, err := json.Marshal(map[string]map[string]string{"note": {"content": content}})
	if err != nil {
		return postmortem.Note{}, wrapOp("add note", incidentID, err)
	}
	body, err := c.send(ctx, request{method: http.MethodPost, path: "/incidents/" + incidentID + "/notes", body: payload, from: true})
	if err != nil {
		return postmortem.Note{}, wrapOp("add note", incidentID, err)
	}
	var resp struct {
		Note json.RawMessage `json:"note"`
	}
	if err := json.Unmarshal(body, &resp); err != nil || !isObject(resp.Note) {
		return postmortem.Note{}, wrapOp("add note", incidentID, fmt.Errorf("decode answer: no \"note\" object"))
	}
	n, err := decodeNote(resp.Note)
	if err != nil {
		return postmortem.Note{}, wrapOp("add note", incidentID, err)
	}
	return n, nil
}

// logEntryPage is what a page of GET /incidents/{id}/log_entries says besides its entries.
type logEntryPage struct {
	entries int
	more    bool
	total   *int
}

// readLogEntryPage walks a page's JSON once, handing each log entry to set as it is read (or, with a nil
// set, only counting them): the page's entries are never all decoded into a slice first. Like
// encoding/json, it ignores the case of names and lets the last of a repeated one win.
func readLogEntryPage(body []byte, set *logEntrySet) (logEntryPage, error) {
	var page logEntryPage
	// Read from a bytes.Buffer, the decoder parses the page in place instead of copying it.
	dec := jsontext.NewDecoder(bytes.NewBuffer(body), decodeOptions...)
	err := walkObject(dec, "", nil, func(name []byte) error {
		switch {
		case nameIs(name, "log_entries"):
			return walkArray(dec, "log_entries", func() error {
				page.entries++
				if set == nil {
					return dec.SkipValue()
				}
				raw, err := dec.ReadValue()
				if err != nil {
					return err
				}
				return set.add(raw)
			})
		case nameIs(name, "more"):
			tok, err := dec.ReadToken()
			if err != nil {
				return err
			}
			switch tok.Kind() {
			case 't', 'f':
				page.more = tok.Bool()
			case 'n':
			default:
				return errors.New("more is not a boolean")
			}
			return nil
		case nameIs(name, "total"):
			tok, err := dec.ReadToken()
			if err != nil {
				return err
			}
			switch tok.Kind() {
			case '0':
				n, err := strconv.Atoi(tok.String())
				if err != nil {
					return fmt.Errorf("total: %w", err)
				}
				page.total = &n
			case 'n':
				page.total = nil
			default:
				return errors.New("total is not a number")
			}
			return nil
		}
		return dec.SkipValue()
	})
	if err != nil {
		return logEntryPage{}, err
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		return logEntryPage{}, errors.New("more than one JSON value")
	}
	return page, nil
}

// walkArray reads the array or null that comes next, calling item for each element, which item must
// consume.
func walkArray(dec *jsontext.Decoder, path string, item func() error) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		return nil
	case '[':
	default:
		return fmt.Errorf("%s is not a list", path)
	}
	for dec.PeekKind() != ']' {
		if err := item(); err != nil {
			return err
		}
	}
	_, err = dec.ReadToken()
	return err
}
