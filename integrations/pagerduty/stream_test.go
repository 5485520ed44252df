package pagerduty

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/internal/payloads"
)

// TestIncidentDecodesAsItFetches: the incident Client.Incident builds while decoding each page as it
// arrives is the one FetchExport and Export.Decode build from the JSON: over the cap too, and with what
// fired read from the trigger entry when the incident has no alerts. (Windows past the offset ceiling are
// the same code for both; TestFetchExportBeyondTheOffsetCeiling covers them, and
// TestDecodedLogEntriesOnceEach the overlap of windows.)
func TestIncidentDecodesAsItFetches(t *testing.T) {
	for _, tc := range []struct {
		name     string
		entries  int
		cap      int
		realLogs bool
	}{
		{name: "250", entries: 250},
		{name: "over the cap", entries: 1_000, cap: 300},
		{name: "PagerDuty's example entries", realLogs: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := pagerdutytest.NewServer(t, testToken)
			if tc.realLogs {
				var inc struct{ Incident json.RawMessage }
				var logs struct {
					LogEntries []json.RawMessage `json:"log_entries"`
				}
				if err := json.Unmarshal(payloads.PagerDuty(t, "rest-get-incident.example.json"), &inc); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(payloads.PagerDuty(t, "rest-incident-log-entries.example.json"), &logs); err != nil {
					t.Fatal(err)
				}
				srv.AddIncident(inc.Incident)
				var head struct{ ID string }
				_ = json.Unmarshal(inc.Incident, &head)
				srv.AddLogEntries(head.ID, logs.LogEntries...)
			} else {
				synthetic(srv, "PSTRM01", tc.entries)
			}
			id := "PSTRM01"
			if tc.realLogs {
				var head struct{ ID string }
				var inc struct{ Incident json.RawMessage }
				_ = json.Unmarshal(payloads.PagerDuty(t, "rest-get-incident.example.json"), &inc)
				_ = json.Unmarshal(inc.Incident, &head)
				id = head.ID
			}
			c, _ := newTestClient(t, srv.URL(), Options{MaxLogEntries: tc.cap})
			e, err := c.FetchExport(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			want, err := e.Decode()
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Incident(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.LogEntries) == 0 {
				t.Fatal("no log entries")
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decoded as fetched differs from decoded after: %d and %d entries, capped %v and %v, alerts %+v and %+v",
					len(got.LogEntries), len(want.LogEntries), got.LogEntriesCapped, want.LogEntriesCapped, got.Alerts, want.Alerts)
			}
			if tc.cap > 0 && (!got.LogEntriesCapped || len(got.LogEntries) != tc.cap) {
				t.Errorf("%d entries, capped %v; want the cap's %d", len(got.LogEntries), got.LogEntriesCapped, tc.cap)
			}
			if !tc.realLogs && tc.cap == 0 && (len(got.Alerts) != 1 || !strings.Contains(got.Alerts[0].Summary, "Checkout latency")) {
				t.Errorf("alerts %+v, want the trigger entry's", got.Alerts)
			}
		})
	}
}

// TestLogEntryPageThatIsNotJSON fails with the page named, as before.
func TestLogEntryPageThatIsNotJSON(t *testing.T) {
	for _, body := range []string{`{"log_entries":[{"id":"A"}`, `{"log_entries":{}}`, `{"more":"yes"}`, `{"log_entries":[]} x`} {
		if _, err := readLogEntryPage([]byte(body), newLogEntrySet(false)); err == nil {
			t.Errorf("%s: no error", body)
		}
	}
	page, err := readLogEntryPage([]byte(`{"LOG_ENTRIES":[{"id":"A","created_at":"2024-01-01T00:00:00Z"}],"more":true,"total":7}`), newLogEntrySet(false))
	if err != nil || page.entries != 1 || !page.more || page.total == nil || *page.total != 7 {
		t.Errorf("page %+v, %v", page, err)
	}
}

// TestDecodedLogEntriesOnceEach: an entry seen again (windows overlap by a second) is kept once, and the
// earliest trigger entry says what fired whichever order the pages came in.
func TestDecodedLogEntriesOnceEach(t *testing.T) {
	_, entries, _ := pagerdutytest.Synthetic("PONCE01", 1, 30, time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC))
	set := newLogEntrySet(true)
	for _, raws := range [][]json.RawMessage{entries[20:], entries[10:25], entries[:12], entries} {
		for i := len(raws) - 1; i >= 0; i-- {
			if err := set.add(raws[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := set.sortedEntries()
	if len(got) != 30 {
		t.Fatalf("%d entries, want 30", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].At.Before(got[i-1].At) || got[i].ID == got[i-1].ID {
			t.Fatalf("entries %d and %d out of order or repeated: %s %v, %s %v", i-1, i, got[i-1].ID, got[i-1].At, got[i].ID, got[i].At)
		}
	}
	if set.trigger == nil || set.trigger.At.IsZero() || got[0].Type != "trigger" || !set.trigger.At.Equal(got[0].At) {
		t.Errorf("trigger %+v, want the first entry's (%s at %v)", set.trigger, got[0].Type, got[0].At)
	}
	if err := newLogEntrySet(true).add([]byte(`{"id":"X","created_at":"yesterday"}`)); err == nil {
		t.Error("an entry whose time does not parse decodes")
	}
}

// FuzzMembersAgreesWithEncodingJSON: members splits exactly the objects json.Unmarshal splits into a
// map[string]json.RawMessage, into the same values (compared once compacted).
func FuzzMembersAgreesWithEncodingJSON(f *testing.F) {
	_, entries, _ := pagerdutytest.Synthetic("PFUZZ01", 1, 12, time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC))
	for _, e := range entries {
		f.Add([]byte(e))
	}
	for _, s := range []string{`null`, ` { "a" : [1, 2] , "a": {"b":null} } `, `{"\u0061":1}`, `[]`, `{"a":1} {}`, `{"a":}`, "{\"a\":\"\xff\"}", `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var want map[string]json.RawMessage
		wantErr := json.Unmarshal(raw, &want)
		got, err := members(raw)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("members(%q) error %v, json.Unmarshal error %v", raw, err, wantErr)
		}
		if err != nil {
			return
		}
		if len(got) != len(want) || (got == nil) != (want == nil) {
			t.Fatalf("members(%q) = %v, json.Unmarshal %v", raw, got, want)
		}
		for k, v := range want {
			var a, b bytes.Buffer
			_ = json.Compact(&a, v)
			_ = json.Compact(&b, got[k])
			if a.String() != b.String() {
				t.Fatalf("members(%q)[%q] = %s, json.Unmarshal %s", raw, k, got[k], v)
			}
		}
	})
}

// TestIncidentWithAnEntryThatDoesNotDecode fails, naming the entry's field, whether the entry comes first or
// among a hundred pages.
func TestIncidentWithAnEntryThatDoesNotDecode(t *testing.T) {
	srv := pagerdutytest.NewServer(t, testToken)
	synthetic(srv, "PBAD001", 250)
	srv.AddLogEntries("PBAD001", json.RawMessage(`{"id":"RBAD","type":"annotate_log_entry","created_at":"2024-05-01T09:31:00Z","agent":5}`))
	c, _ := newTestClient(t, srv.URL(), Options{})
	_, err := c.Incident(context.Background(), "PBAD001")
	if err == nil || !strings.Contains(err.Error(), "fetch log entries for PBAD001") || !strings.Contains(err.Error(), "agent") {
		t.Fatalf("err = %v, want the log entries' fetch failing on agent", err)
	}
}
