package pagerduty

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// Export is an incident as PagerDuty's REST API returns it: the incident object, all its log entries
// (sorted by created_at, then id), its notes and its alerts (oldest first), each kept as PagerDuty's raw
// JSON. It is also the file format of `hindsight preview --from FILE`, where "alerts" is optional.
type Export struct {
	Incident   json.RawMessage   `json:"incident"`
	LogEntries []json.RawMessage `json:"log_entries"`
	Notes      []json.RawMessage `json:"notes"`
	Alerts     []json.RawMessage `json:"alerts,omitempty"`
	// LogEntriesCapped says the incident has more log entries than the cap let Hindsight fetch: these are
	// its earliest ones.
	LogEntriesCapped bool `json:"log_entries_capped,omitempty"`

	// isDecoded says the log entries were decoded as they were fetched (Client.Incident): decoded holds
	// them, sorted, instead of LogEntries, and trigger what the earliest trigger entry says fired.
	isDecoded bool
	decoded   []postmortem.LogEntry
	trigger   *postmortem.Alert
}

// maxExportBytes bounds an export file; an incident with 100,000 log entries stays well below it.
const maxExportBytes = 512 << 20

// ReadExport reads an Export written as JSON ({"incident": {...}, "log_entries": [...], "notes": [...],
// "alerts": [...]}).
// A plain GET /incidents/{id} answer ({"incident": {...}}) is an Export without log entries or notes.
// It fails on empty input, text that is not one JSON object, a missing or non-object "incident", and
// log entries or notes that are not lists of objects.
func ReadExport(r io.Reader) (*Export, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxExportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read export: %w", err)
	}
	if len(data) > maxExportBytes {
		return nil, fmt.Errorf("read export: larger than %d bytes", maxExportBytes)
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, errors.New("read export: empty input, want a JSON object with \"incident\"")
	}
	if data[0] != '{' {
		if !json.Valid(data) {
			return nil, errors.New("read export: not JSON, want a JSON object with \"incident\"")
		}
		return nil, errors.New("read export: not a JSON object, want an object with \"incident\"")
	}
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&fields); err != nil {
		return nil, fmt.Errorf("read export: not JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("read export: more than one JSON value in the input")
	}
	inc, ok := fields["incident"]
	if !ok {
		return nil, errors.New("read export: missing \"incident\"")
	}
	if !isObject(inc) {
		return nil, errors.New("read export: \"incident\" is not a JSON object")
	}
	e := &Export{Incident: inc}
	for _, list := range []struct {
		name string
		dst  *[]json.RawMessage
	}{{"log_entries", &e.LogEntries}, {"notes", &e.Notes}, {"alerts", &e.Alerts}} {
		raw, ok := fields[list.name]
		if !ok || string(raw) == "null" {
			continue
		}
		if err := json.Unmarshal(raw, list.dst); err != nil {
			return nil, fmt.Errorf("read export: %q is not a list: %w", list.name, err)
		}
		for i, item := range *list.dst {
			if !isObject(item) {
				return nil, fmt.Errorf("read export: %s[%d] is not a JSON object", list.name, i)
			}
		}
	}
	return e, nil
}

func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

// Decode maps the export to a postmortem.Incident: times in UTC, log entries and notes sorted by time then
// ID. It fails when the incident has no id or a time is not RFC 3339; unknown log entry types are kept.
func (e *Export) Decode() (postmortem.Incident, error) {
	if e == nil || len(e.Incident) == 0 {
		return postmortem.Incident{}, errors.New("decode export: no incident")
	}
	in, err := decodeIncident(e.Incident)
	if err != nil {
		return postmortem.Incident{}, err
	}
	if e.isDecoded {
		in.LogEntries = e.decoded
	} else {
		in.LogEntries = make([]postmortem.LogEntry, 0, len(e.LogEntries))
		for i, raw := range e.LogEntries {
			le, err := decodeLogEntry(raw)
			if err != nil {
				return postmortem.Incident{}, fmt.Errorf("incident %s: log entry %d: %w", in.ID, i, err)
			}
			in.LogEntries = append(in.LogEntries, le)
		}
		sortLogEntries(in.LogEntries)
	}
	in.LogEntriesCapped = e.LogEntriesCapped
	for i, raw := range e.Notes {
		n, err := decodeNote(raw)
		if err != nil {
			return postmortem.Incident{}, fmt.Errorf("incident %s: note %d: %w", in.ID, i, err)
		}
		in.Notes = append(in.Notes, n)
	}
	sortNotes(in.Notes)
	for i, raw := range e.Alerts {
		a, err := decodeAlert(raw)
		if err != nil {
			return postmortem.Incident{}, fmt.Errorf("incident %s: alert %d: %w", in.ID, i, err)
		}
		in.Alerts = append(in.Alerts, a)
	}
	slices.SortStableFunc(in.Alerts, func(a, b postmortem.Alert) int { return a.At.Compare(b.At) })
	if len(in.Alerts) == 0 {
		// Without its alerts, the trigger log entry still says what fired.
		if e.isDecoded {
			if e.trigger != nil && !e.trigger.At.IsZero() {
				in.Alerts = []postmortem.Alert{*e.trigger}
			}
		} else if a, ok := alertFromTrigger(e.LogEntries); ok {
			in.Alerts = []postmortem.Alert{a}
		}
	}
	return in, nil
}
