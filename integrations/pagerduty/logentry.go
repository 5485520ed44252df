package pagerduty

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unique"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// wireLogEntry holds the fields of a log entry that map to postmortem.LogEntry; the rest of the entry is
// read as a map for Details.
type wireLogEntry struct {
	ID           string          `json:"id"`
	Type         string          `json:"type"`
	Summary      string          `json:"summary"`
	HTMLURL      string          `json:"html_url"`
	CreatedAt    string          `json:"created_at"`
	Agent        *reference      `json:"agent"`
	Channel      json.RawMessage `json:"channel"`
	Note         text            `json:"note"`
	User         *reference      `json:"user"`
	AssignedUser *reference      `json:"assigned_user"`
	Assignees    []reference     `json:"assignees"`
	Notification json.RawMessage `json:"notification"`
	EventDetails json.RawMessage `json:"event_details"`
	// Acknowledgers are kept raw: seen both as references and as {at, acknowledger}.
	Acknowledgers json.RawMessage `json:"acknowledgers"`
}

// wireLogEntryFrom decodes the mapped fields of a log entry from its fields' raw values.
func wireLogEntryFrom(all map[string]json.RawMessage) (wireLogEntry, error) {
	var w wireLogEntry
	fields := []struct {
		name string
		dst  any
	}{
		{"id", &w.ID}, {"type", &w.Type}, {"summary", &w.Summary}, {"html_url", &w.HTMLURL}, {"created_at", &w.CreatedAt},
		{"agent", &w.Agent}, {"note", &w.Note}, {"user", &w.User}, {"assigned_user", &w.AssignedUser},
		{"assignees", &w.Assignees},
	}
	for _, f := range fields {
		v, ok := all[f.name]
		if !ok {
			continue
		}
		switch dst := f.dst.(type) {
		case *string:
			if s, ok := plainString(v); ok {
				*dst = s
				continue
			}
		case **reference:
			if r, ok := plainReference(v); ok {
				*dst = &r
				continue
			}
		case *[]reference:
			if rs, ok := plainReferences(v); ok {
				*dst = rs
				continue
			}
		}
		if err := json.Unmarshal(v, f.dst); err != nil {
			return wireLogEntry{}, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	// Raw fields are kept as they are; JSON null reads as absent, as it does for a struct field.
	for name, dst := range map[string]*json.RawMessage{
		"channel": &w.Channel, "notification": &w.Notification, "event_details": &w.EventDetails,
		"acknowledgers": &w.Acknowledgers,
	} {
		if v, ok := all[name]; ok && string(v) != "null" {
			*dst = v
		}
	}
	return w, nil
}

// unmarshalReference is json.Unmarshal of a reference, faster for the usual object of plain strings.
func unmarshalReference(raw []byte, r *reference) error {
	if plain, ok := plainReference(raw); ok {
		*r = plain
		return nil
	}
	return json.Unmarshal(raw, r)
}

// plainReference reads a reference the way json.Unmarshal would when it is an object whose members are
// its fields' exact names, each once, with strings without escapes, and others no field's name in any
// case: it reports false for anything else, which json.Unmarshal must read.
func plainReference(raw []byte) (reference, bool) {
	dec := decoderFor(bytes.NewBuffer(raw))
	defer putDecoder(dec)
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return reference{}, false
	}
	var r reference
	var seen [6]bool
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return reference{}, false
		}
		name := tok.String()
		v, err := dec.ReadValue()
		if err != nil {
			return reference{}, false
		}
		i := slices.Index(referenceFields, name)
		if i < 0 {
			if slices.ContainsFunc(referenceFields, func(f string) bool { return strings.EqualFold(name, f) }) {
				return reference{}, false // json.Unmarshal matches names without regard to case
			}
			continue
		}
		s, ok := plainString(v)
		if !ok || seen[i] {
			return reference{}, false
		}
		seen[i] = true
		*[]*string{&r.ID, &r.Type, &r.Summary, &r.Name, &r.Email, &r.HTMLURL}[i] = s
	}
	if _, err := dec.ReadToken(); err != nil {
		return reference{}, false
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		return reference{}, false
	}
	return r, true
}

// referenceFields are the names of reference's fields, in their order.
var referenceFields = []string{"id", "type", "summary", "name", "email", "html_url"}

// plainReferences reads a JSON array of references as plainReference does each, or reports false.
func plainReferences(raw []byte) ([]reference, bool) {
	dec := jsontext.NewDecoder(bytes.NewBuffer(raw), decodeOptions...)
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '[' {
		return nil, false
	}
	out := []reference{}
	for dec.PeekKind() != ']' {
		v, err := dec.ReadValue()
		if err != nil {
			return nil, false
		}
		r, ok := plainReference(v)
		if !ok {
			return nil, false
		}
		out = append(out, r)
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, false
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return out, true
}

// mappedLogEntryFields are the top-level fields mapped to their own LogEntry field (or deliberately left
// out: links, the incident itself, the service, teams, contexts); every other scalar goes to Details.
var mappedLogEntryFields = map[string]bool{
	"id": true, "type": true, "summary": true, "self": true, "html_url": true, "created_at": true,
	"agent": true, "channel": true, "note": true, "user": true, "assigned_user": true, "assignees": true,
	"notification": true, "event_details": true, "acknowledgers": true, "incident": true, "service": true,
	"teams": true, "contexts": true,
}

var escalationLevelInSummary = regexp.MustCompile(`(?i)\blevel (\d+)\b`)

func decodeLogEntry(raw []byte) (postmortem.LogEntry, error) {
	// One pass splits the entry into its fields; each mapped field is then decoded from its own bytes, so
	// an entry is parsed once, not once for the struct and again for Details.
	all, err := members(raw)
	if err != nil {
		return postmortem.LogEntry{}, fmt.Errorf("decode log entry: %w", err)
	}
	w, err := wireLogEntryFrom(all)
	if err != nil {
		return postmortem.LogEntry{}, fmt.Errorf("decode log entry: %w", err)
	}
	at, err := parseTime(w.CreatedAt)
	if err != nil {
		return postmortem.LogEntry{}, fmt.Errorf("decode log entry %s: created_at: %w", w.ID, err)
	}
	e := postmortem.LogEntry{
		ID:      w.ID,
		Type:    strings.TrimSuffix(w.Type, "_log_entry"),
		At:      at,
		Summary: w.Summary,
		URL:     w.HTMLURL,
		Agent:   w.Agent.person(),
	}
	// Details' keys and values are interned as they go in (see internLogEntry).
	details := map[string]string{}
	put := func(k, v string) { details[intern(k)] = intern(v) }

	channel := objectFields(w.Channel)
	e.Channel = scalarText(channel["type"])
	e.Note = scalarText(channel["summary"])
	if e.Note == "" {
		e.Note = string(w.Note)
	}
	for k, v := range channel {
		if k == "type" || k == "summary" || k == "notification" || k == "user" {
			continue
		}
		if k == "new_priority" || k == "old_priority" {
			var r reference
			if unmarshalReference(v, &r) == nil {
				if k == "new_priority" {
					e.Priority = r.name()
				} else {
					e.OldPriority = r.name()
				}
			}
			continue
		}
		if isScalar(v) {
			put("channel."+k, scalarText(v))
		}
	}

	users := peopleSet{}
	users.add(w.AssignedUser)
	users.add(w.User)
	for i := range w.Assignees {
		users.add(&w.Assignees[i])
	}
	users.addRaw(w.Acknowledgers)
	if u, ok := channel["user"]; ok {
		var r reference
		if unmarshalReference(u, &r) == nil && r.ID != "" {
			users.add(&r)
		}
	}

	notification := w.Notification
	if len(notification) == 0 || string(notification) == "null" {
		notification = channel["notification"]
	}
	n := objectFields(notification)
	if len(n) > 0 {
		e.Notification = notificationKind(scalarText(n["type"]))
		e.NotificationStatus = scalarText(n["status"])
		for k, v := range n {
			if k != "type" && k != "user" && k != "status" && isScalar(v) && scalarText(v) != "" {
				put("notification."+k, scalarText(v))
			}
		}
		if u, ok := n["user"]; ok {
			var r reference
			if unmarshalReference(u, &r) == nil && r.ID != "" {
				users.add(&r)
			}
		}
	}
	e.Users = users.list

	for k, v := range objectFields(w.EventDetails) {
		put(k, scalarText(v))
	}
	for k, v := range all {
		if !mappedLogEntryFields[k] && isScalar(v) && string(v) != "null" {
			put(k, scalarText(v))
		}
	}

	if e.Type == "escalate" || e.Type == "assign" {
		e.EscalationLevel = escalationLevel(all, channel, details, w.Summary)
	}
	if len(details) > 0 {
		e.Details = details
	}
	internLogEntry(&e)
	return e, nil
}

// internLogEntry makes the text an incident's log entries repeat (who acted, who was notified, the kinds,
// the summaries of a thousand identical notifications) share one copy each: a giant incident is mostly
// repetition. IDs and URLs, unique to each entry, are left alone. Details is interned as decodeLogEntry
// fills it.
func internLogEntry(e *postmortem.LogEntry) {
	e.Type, e.Summary, e.Channel, e.Note = intern(e.Type), intern(e.Summary), intern(e.Channel), intern(e.Note)
	e.Notification, e.NotificationStatus = intern(e.Notification), intern(e.NotificationStatus)
	e.Priority, e.OldPriority = intern(e.Priority), intern(e.OldPriority)
	internPerson(&e.Agent)
	for i := range e.Users {
		internPerson(&e.Users[i])
	}
}

func internPerson(p *postmortem.Person) {
	p.ID, p.Kind, p.Name, p.Email, p.URL = intern(p.ID), intern(p.Kind), intern(p.Name), intern(p.Email), intern(p.URL)
}

// intern returns the one copy of s the process keeps while anything uses it.
func intern(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}

// escalationLevel finds the escalation policy level an entry moved to. PagerDuty's schema names no field
// for it, so the known spellings are tried, then the summary ("Escalated to level 2 ...").
func escalationLevel(all, channel map[string]json.RawMessage, details map[string]string, summary string) int {
	for _, src := range []map[string]json.RawMessage{all, channel} {
		for _, k := range []string{"escalation_level", "level"} {
			if v, ok := src[k]; ok {
				if n, err := strconv.Atoi(scalarText(v)); err == nil && n > 0 {
					return n
				}
			}
		}
	}
	for _, k := range []string{"escalation_level", "level"} {
		if n, err := strconv.Atoi(details[k]); err == nil && n > 0 {
			return n
		}
	}
	if m := escalationLevelInSummary.FindStringSubmatch(summary); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			return n
		}
	}
	return 0
}

// notificationKind maps PagerDuty's notification types to the domain's words: "sms_notification" → "sms",
// "phone_notification" → "phone", "email_notification" → "email"; "push_notification" and unknown types
// stay as they come.
func notificationKind(t string) string {
	switch t {
	case "sms_notification", "phone_notification", "email_notification":
		return strings.TrimSuffix(t, "_notification")
	}
	return t
}

// objectFields reads a JSON object's fields; anything else (absent, null, a string) reads as none.
func objectFields(raw json.RawMessage) map[string]json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	m, err := members(raw)
	if err != nil {
		return nil
	}
	return m
}

// members splits a JSON object into its members' raw values, as json.Unmarshal into a
// map[string]json.RawMessage does (null is a nil map, the last of a repeated name wins), in one pass:
// Unmarshal checks the whole text and then reads it again. The values are slices of raw, not copies.
func members(raw []byte) (map[string]json.RawMessage, error) {
	// Read from a bytes.Buffer, the decoder parses raw in place: each value it returns is a slice of raw.
	dec := decoderFor(bytes.NewBuffer(raw))
	defer putDecoder(dec)
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case 'n':
		if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
			return nil, errors.New("more than one JSON value")
		}
		return nil, nil
	case '{':
	default:
		return nil, fmt.Errorf("a JSON %s, want an object", tok.Kind())
	}
	m := map[string]json.RawMessage{}
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, err
		}
		name := tok.String() // before the next read voids the token
		v, err := dec.ReadValue()
		if err != nil {
			return nil, err
		}
		m[name] = json.RawMessage(v[:len(v):len(v)])
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one JSON value")
	}
	return m, nil
}

var (
	// decodeOptions read JSON as encoding/json does: a repeated name is allowed (the last wins) and
	// invalid UTF-8 is kept rather than refused.
	decodeOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}
	// decoders keep their buffers from one use to the next.
	decoders = sync.Pool{New: func() any { return jsontext.NewDecoder(emptyJSON, decodeOptions...) }}
	// emptyJSON is what a pooled decoder reads between uses: nothing.
	emptyJSON = bytes.NewReader(nil)
)

// decoderFor returns a pooled decoder reading r with decodeOptions; putDecoder gives it back.
func decoderFor(r io.Reader) *jsontext.Decoder {
	dec := decoders.Get().(*jsontext.Decoder)
	dec.Reset(r, decodeOptions...)
	return dec
}

// putDecoder returns dec to the pool, letting go of what it was reading.
func putDecoder(dec *jsontext.Decoder) {
	dec.Reset(emptyJSON, decodeOptions...)
	decoders.Put(dec)
}

func isScalar(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s != "" && s[0] != '{' && s[0] != '['
}

// peopleSet collects people once each, in order of first appearance.
type peopleSet struct {
	seen map[string]bool
	list []postmortem.Person
}

func (s *peopleSet) add(r *reference) {
	if r == nil || (r.ID == "" && r.name() == "") {
		return
	}
	key := r.ID
	if key == "" {
		key = "name:" + r.name()
	}
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	if s.seen[key] {
		return
	}
	s.seen[key] = true
	s.list = append(s.list, r.person())
}

// addRaw adds a list of references or of {acknowledger|assignee|user: reference}.
func (s *peopleSet) addRaw(raw json.RawMessage) {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return
	}
	for _, item := range items {
		var wrapped struct {
			Acknowledger *reference `json:"acknowledger"`
			Assignee     *reference `json:"assignee"`
			User         *reference `json:"user"`
		}
		if json.Unmarshal(item, &wrapped) == nil && (wrapped.Acknowledger != nil || wrapped.Assignee != nil || wrapped.User != nil) {
			s.add(wrapped.Acknowledger)
			s.add(wrapped.Assignee)
			s.add(wrapped.User)
			continue
		}
		var r reference
		if json.Unmarshal(item, &r) == nil {
			s.add(&r)
		}
	}
}

type wireNote struct {
	ID        string     `json:"id"`
	User      *reference `json:"user"`
	Content   text       `json:"content"`
	CreatedAt string     `json:"created_at"`
}

func decodeNote(raw []byte) (postmortem.Note, error) {
	var w wireNote
	if err := json.Unmarshal(raw, &w); err != nil {
		return postmortem.Note{}, fmt.Errorf("decode note: %w", err)
	}
	at, err := parseTime(w.CreatedAt)
	if err != nil {
		return postmortem.Note{}, fmt.Errorf("decode note %s: created_at: %w", w.ID, err)
	}
	return postmortem.Note{ID: w.ID, At: at, User: w.User.person(), Content: string(w.Content)}, nil
}

func sortLogEntries(es []postmortem.LogEntry) {
	sort.SliceStable(es, func(i, j int) bool {
		if !es[i].At.Equal(es[j].At) {
			return es[i].At.Before(es[j].At)
		}
		return es[i].ID < es[j].ID
	})
}

func sortNotes(ns []postmortem.Note) {
	sort.SliceStable(ns, func(i, j int) bool {
		if !ns[i].At.Equal(ns[j].At) {
			return ns[i].At.Before(ns[j].At)
		}
		return ns[i].ID < ns[j].ID
	})
}
