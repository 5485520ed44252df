package pagerduty

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/payloads"
	"github.com/hindsight-dev/hindsight/postmortem"
)

func readReference(t *testing.T, name string) []byte {
	t.Helper()
	return payloads.PagerDuty(t, name)
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestDecodeRESTReferenceSamples(t *testing.T) {
	var incident struct {
		Incident json.RawMessage `json:"incident"`
	}
	if err := json.Unmarshal(readReference(t, "rest-get-incident.example.json"), &incident); err != nil {
		t.Fatal(err)
	}
	var logs struct {
		LogEntries []json.RawMessage `json:"log_entries"`
	}
	if err := json.Unmarshal(readReference(t, "rest-incident-log-entries.example.json"), &logs); err != nil {
		t.Fatal(err)
	}
	var notes struct {
		Notes []json.RawMessage `json:"notes"`
	}
	if err := json.Unmarshal(readReference(t, "rest-incident-notes.example.json"), &notes); err != nil {
		t.Fatal(err)
	}
	got, err := (&Export{Incident: incident.Incident, LogEntries: logs.LogEntries, Notes: notes.Notes}).Decode()
	if err != nil {
		t.Fatal(err)
	}
	earline := postmortem.Person{ID: "PXPGF42", Kind: "user", Name: "Earline Greenholt", URL: "https://subdomain.pagerduty.com/users/PXPGF42"}
	want := postmortem.Incident{
		ID:               "PT4KHLK",
		Number:           1234,
		Title:            "The server is on fire.",
		URL:              "https://subdomain.pagerduty.com/incidents/PT4KHLK",
		Status:           "acknowledged",
		Urgency:          "high",
		Priority:         "P2",
		Service:          postmortem.Service{ID: "PIJ90N7", Name: "My Mail Service", URL: "https://subdomain.pagerduty.com/service-directory/PIJ90N7"},
		Teams:            []postmortem.Team{{ID: "PQ9K7I8", Name: "Engineering"}},
		EscalationPolicy: "Another Escalation Policy",
		CreatedAt:        utc("2015-10-06T21:30:42Z"),
		Assignees:        []postmortem.Person{earline},
		// The incident's own record of who acknowledged, who was assigned and who changed its status.
		Acknowledgements:   []postmortem.Assignment{{At: utc("2015-11-10T00:32:52Z"), Person: earline}},
		Assignments:        []postmortem.Assignment{{At: utc("2015-11-10T00:31:52Z"), Person: earline}},
		LastStatusChangeBy: earline,
		CustomFields:       map[string]string{"environment": "production"},
		ResponderRequests: []postmortem.ResponderRequest{{At: utc("2018-08-09T21:40:49Z"), State: "pending",
			Person:    postmortem.Person{ID: "PL7A2O4", Kind: "user", Name: "Lee Turner", URL: "https://subdomain.pagerduty.com/users/PL7A2O4"},
			Requester: postmortem.Person{ID: "P09TT3C", Kind: "user", Name: "Jane Doe", URL: "https://subdomain.pagerduty.com/users/P09TT3C"}}},
		LogEntries: []postmortem.LogEntry{{
			ID:      "Q02JTSNZWHSEKV",
			Type:    "trigger",
			At:      utc("2015-11-07T00:14:20Z"),
			Summary: "Triggered through the API",
			URL:     "https://subdomain.pagerduty.com/incidents/PT4KHLK/log_entries/Q02JTSNZWHSEKV",
			Agent:   postmortem.Person{ID: "PIJ90N7", Kind: "service", Name: "My Mail Service", URL: "https://subdomain.pagerduty.com/service-directory/PIJ90N7"},
			Channel: "api",
			Details: map[string]string{"description": "Tasks::SFDCValidator - PD_Data__c - duplicates"},
		}},
		Notes: []postmortem.Note{
			{ID: "PCQC25", At: utc("2013-03-06T20:28:42Z"), Content: "Initial alert information indicates a 1-alarm fire", User: postmortem.Person{
				ID: "PXPGF42", Kind: "bot_user", Name: "A Global Event Rule",
				URL: "https://subdomain.pagerduty.com/event-rules/global/0e84de00-9511-4380-9f4f-a7b568bb49a0/rules/14e56445-ebab-4dd0-ba9d-fc28a41b7e7b",
			}},
			{ID: "PWL7QXS", At: utc("2013-03-06T20:28:51Z"), Content: "Firefighters are on the scene.", User: earline},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Decode:\n got %+v\nwant %+v", got, want)
	}
	for _, n := range got.Notes {
		if n.At.Location() != time.UTC {
			t.Errorf("note %s time %v not in UTC", n.ID, n.At)
		}
	}
}

func TestDecodeEventReferenceSamples(t *testing.T) {
	pig := postmortem.Person{ID: "PJ0LVEB", Kind: "user", Name: "PIG 208", URL: "https://pig208.pagerduty.com/users/PJ0LVEB"}
	tenex := postmortem.Person{ID: "PLH1HKV", Kind: "user", Name: "Tenex Engineer", URL: "https://acme.pagerduty.com/users/PLH1HKV"}
	harsh := postmortem.Person{ID: "PXRUEF2", Kind: "user", Name: "Harsh Santwani", URL: "https://harsh0303.pagerduty.com/users/PXRUEF2"}
	user123 := postmortem.Person{ID: "PTUXL6G", Kind: "user", Name: "User 123", URL: "https://acme.pagerduty.com/users/PTUXL6G"}
	priorityIncident := func(createdAt time.Time) postmortem.Incident {
		return postmortem.Incident{
			ID: "PGR0VU2", Number: 2, Title: "A little bump in the road", URL: "https://acme.pagerduty.com/incidents/PGR0VU2",
			Status: "triggered", Urgency: "high", Priority: "P1",
			Service:          postmortem.Service{ID: "PF9KMXH", Name: "API Service", URL: "https://acme.pagerduty.com/services/PF9KMXH"},
			Teams:            []postmortem.Team{{ID: "PFCVPS0", Name: "Engineering"}},
			EscalationPolicy: "Default",
			CreatedAt:        createdAt,
			Assignees:        []postmortem.Person{user123},
		}
	}
	pig208Incident := func(id string, number int, title, status string) postmortem.Incident {
		return postmortem.Incident{
			ID: id, Number: number, Title: title, URL: "https://pig208.pagerduty.com/incidents/" + id,
			Status: status, Urgency: "high",
			Service:          postmortem.Service{ID: "PA2P440", Name: "pig208", URL: "https://pig208.pagerduty.com/services/PA2P440"},
			EscalationPolicy: "Default",
		}
	}
	triggered := pig208Incident("PFQZPSY", 9, "Test Incident 3", "triggered")
	triggered.Assignees = []postmortem.Person{pig}
	resolved := pig208Incident("PCPZE64", 6, "Test Incident", "resolved")
	resolved.ResolvedAt = utc("2021-06-04T13:16:53.816Z")

	tests := []struct {
		file string
		want postmortem.Event
	}{
		{"webhook-v3_incident.priority_updated_pd-developer-docs.json", postmortem.Event{
			ID: "5ac64822-4adc-4fda-ade0-410becf0de4f", Type: "incident.priority_updated", At: utc("2020-10-02T18:45:22.169Z"),
			Agent: tenex, Text: "P1", Incident: priorityIncident(utc("2020-04-09T15:16:27Z")),
		}},
		{"webhook-v3_incident.priority_updated_go-pagerduty-test-signed.json", postmortem.Event{
			ID: "01BWDWL3NYY7LUFPZCC28QUCMK", Type: "incident.priority_updated", At: utc("2021-04-26T17:36:27.458Z"),
			Agent: tenex, Text: "P1", Incident: priorityIncident(time.Time{}),
		}},
		{"webhook-v3_incident.triggered_zulip-fixture.json", postmortem.Event{
			ID: "01BZYIL05THJDFF2Y08X9SVMTU", Type: "incident.triggered", At: utc("2021-06-04T13:35:29.781Z"),
			Agent: pig, People: []postmortem.Person{pig}, Incident: triggered,
		}},
		{"webhook-v3_incident.resolved_zulip-fixture.json", postmortem.Event{
			ID: "01BZYH1JJY09P9LEIST8HG2PMN", Type: "incident.resolved", At: utc("2021-06-04T13:16:53.816Z"),
			Agent: pig, Incident: resolved,
		}},
		{"webhook-v3_incident.annotated_zulip-fixture.json", postmortem.Event{
			ID: "01GI0KTE33V5QXBVIJDEVJFUNE", Type: "incident.annotated", At: utc("2026-04-01T02:18:59.674Z"),
			Agent: harsh, Text: "Running KILL on long-running queries from the reporting-service.",
			Incident: postmortem.Incident{ID: "Q3B15VLMF3ASBD"},
		}},
		{"webhook-v3_incident.status_update_published_zulip-fixture.json", postmortem.Event{
			ID: "01GI0KPHX6I892N2PFKDLH25XK", Type: "incident.status_update_published", At: utc("2026-04-01T02:17:41.211Z"),
			Agent:    harsh,
			Text:     "Investigating a P1 incident with the Checkout API in us-east-1. Customers may see 504 errors or delays during purchase. We've identified a database lock and are working on a fix. Expected remediation within 30 minutes; next update at 08:15 UTC.",
			Incident: postmortem.Incident{ID: "Q3B15VLMF3ASBD"},
		}},
		{"webhook-v3_pagey.ping_n8n-readme.json", postmortem.Event{
			ID: "01D8FYLHB5WAOASD!BWY4P3M", Type: "pagey.ping", At: utc("2022-10-01T02:30:53.852Z"),
			Text: "Hello from your friend Pagey!",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := DecodeEvent(readReference(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DecodeEvent:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// The signed sample must stay byte for byte what PagerDuty signed; decoding it must not need it changed.
func TestSignedSampleIsUntouched(t *testing.T) {
	body := readReference(t, "webhook-v3_incident.priority_updated_go-pagerduty-test-signed.json")
	secret := strings.TrimSpace(string(readReference(t, "webhook-v3_incident.priority_updated_go-pagerduty-test-signed.secret.txt")))
	header := strings.TrimSpace(string(readReference(t, "webhook-v3_incident.priority_updated_go-pagerduty-test-signed.signature.txt")))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	want := "v1=" + hex.EncodeToString(mac.Sum(nil))
	if !strings.Contains(header, want) {
		t.Fatalf("signature of the sample body does not match %s", header)
	}
	ev, err := DecodeEvent(body)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Incident.ID != "PGR0VU2" || ev.Incident.Priority != "P1" {
		t.Errorf("decoded %+v", ev.Incident)
	}
}

func TestDecodeConferenceNumberShapes(t *testing.T) {
	tests := []struct {
		name   string
		bridge string
		want   string
	}{
		{"number", `{"conference_number": 1000, "conference_url": "https://example.com/b"}`, "https://example.com/b"},
		{"string", `{"conference_number": "+1 1234123412,,987654321#", "conference_url": "https://example.com/b"}`, "https://example.com/b"},
		{"number only", `{"conference_number": 1000}`, "1000"},
		{"null", `null`, ""},
		{"absent fields", `{}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rest := `{"id":"PABC123","incident_number":7,"status":"triggered","conference_bridge":` + tt.bridge + `}`
			in, err := (&Export{Incident: json.RawMessage(rest)}).Decode()
			if err != nil || in.Number != 7 {
				t.Fatalf("REST shape: %+v, %v", in, err)
			}
			hook := `{"event":{"id":"E1","event_type":"incident.conference_bridge.updated","occurred_at":"2024-01-02T03:04:05Z",` +
				`"agent":null,"client":null,"data":{"id":"PABC123","type":"incident","number":7,"status":"triggered","priority":null,` +
				`"conference_bridge":` + tt.bridge + `}}}`
			ev, err := DecodeEvent([]byte(hook))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Text != tt.want || ev.Incident.Number != 7 || ev.Agent != (postmortem.Person{}) {
				t.Errorf("event: text %q number %d agent %+v, want text %q", ev.Text, ev.Incident.Number, ev.Agent, tt.want)
			}
		})
	}
}

func TestDecodeLogEntryShapes(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want postmortem.LogEntry
	}{
		{
			name: "non-string event_details",
			raw: `{"id":"Q1","type":"trigger_log_entry","created_at":"2024-05-01T10:00:00-04:00","agent":null,"channel":{"type":"api"},
				"event_details":{"description":"disk full","count":3,"ratio":0.5,"firing":true,"gone":null,"tags":["a","b"],"nested":{"k":1}}}`,
			want: postmortem.LogEntry{ID: "Q1", Type: "trigger", At: utc("2024-05-01T14:00:00Z"), Channel: "api", Details: map[string]string{
				"description": "disk full", "count": "3", "ratio": "0.5", "firing": "true", "gone": "", "tags": `["a","b"]`, "nested": `{"k":1}`,
			}},
		},
		{
			name: "event_details not an object",
			raw:  `{"id":"Q2","type":"trigger_log_entry","created_at":"2024-05-01T14:00:00Z","event_details":"text"}`,
			want: postmortem.LogEntry{ID: "Q2", Type: "trigger", At: utc("2024-05-01T14:00:00Z")},
		},
		{
			name: "notify by phone",
			raw: `{"id":"Q3","type":"notify_log_entry","created_at":"2024-05-01T14:00:01Z","channel":{"type":"auto"},
				"user":{"id":"PU1","type":"user_reference","summary":"Ana","html_url":"https://x/users/PU1"},
				"notification":{"type":"phone_notification","status":"success","address":"+1 555"}}`,
			want: postmortem.LogEntry{ID: "Q3", Type: "notify", At: utc("2024-05-01T14:00:01Z"), Channel: "auto",
				Users:        []postmortem.Person{{ID: "PU1", Kind: "user", Name: "Ana", URL: "https://x/users/PU1"}},
				Notification: "phone", NotificationStatus: "success", Details: map[string]string{"notification.address": "+1 555"}},
		},
		{
			name: "notify with the notification inside channel",
			raw: `{"id":"Q4","type":"notify_log_entry","created_at":"2024-05-01T14:00:01Z",
				"channel":{"type":"auto","notification":{"type":"push_notification","status":"success"},"user":{"id":"PU2","type":"user_reference","summary":"Ben"}}}`,
			want: postmortem.LogEntry{ID: "Q4", Type: "notify", At: utc("2024-05-01T14:00:01Z"), Channel: "auto",
				Users:        []postmortem.Person{{ID: "PU2", Kind: "user", Name: "Ben"}},
				Notification: "push_notification", NotificationStatus: "success"},
		},
		{
			name: "escalate with level in the summary",
			raw: `{"id":"Q5","type":"escalate_log_entry","created_at":"2024-05-01T14:05:00Z","summary":"Escalated to level 2 by timeout.",
				"channel":{"type":"timeout"},"assignees":[{"id":"PU2","type":"user_reference","summary":"Ben"}]}`,
			want: postmortem.LogEntry{ID: "Q5", Type: "escalate", At: utc("2024-05-01T14:05:00Z"), Summary: "Escalated to level 2 by timeout.",
				Channel: "timeout", Users: []postmortem.Person{{ID: "PU2", Kind: "user", Name: "Ben"}}, EscalationLevel: 2},
		},
		{
			name: "assign with an escalation_level field",
			raw: `{"id":"Q6","type":"assign_log_entry","created_at":"2024-05-01T14:05:00Z","escalation_level":3,
				"assigned_user":{"id":"PU3","type":"user_reference","summary":"Cy"}}`,
			want: postmortem.LogEntry{ID: "Q6", Type: "assign", At: utc("2024-05-01T14:05:00Z"),
				Users: []postmortem.Person{{ID: "PU3", Kind: "user", Name: "Cy"}}, EscalationLevel: 3,
				Details: map[string]string{"escalation_level": "3"}},
		},
		{
			name: "acknowledge with acknowledgers",
			raw: `{"id":"Q7","type":"acknowledge_log_entry","created_at":"2024-05-01T14:06:00Z","acknowledgement_timeout":1800,
				"agent":{"id":"PU2","type":"user_reference","summary":"Ben"},"channel":{"type":"sms","summary":"ack via sms"},
				"acknowledgers":[{"at":"2024-05-01T14:06:00Z","acknowledger":{"id":"PU2","type":"user_reference","summary":"Ben"}}]}`,
			want: postmortem.LogEntry{ID: "Q7", Type: "acknowledge", At: utc("2024-05-01T14:06:00Z"),
				Agent: postmortem.Person{ID: "PU2", Kind: "user", Name: "Ben"}, Channel: "sms", Note: "ack via sms",
				Users: []postmortem.Person{{ID: "PU2", Kind: "user", Name: "Ben"}}, Details: map[string]string{"acknowledgement_timeout": "1800"}},
		},
		{
			name: "annotate",
			raw: `{"id":"Q8","type":"annotate_log_entry","created_at":"2024-05-01T14:07:00Z","summary":"Note added",
				"agent":{"id":"PU2","type":"user_reference","summary":"Ben"},"channel":{"type":"note","summary":"Rolled back."}}`,
			want: postmortem.LogEntry{ID: "Q8", Type: "annotate", At: utc("2024-05-01T14:07:00Z"), Summary: "Note added",
				Agent: postmortem.Person{ID: "PU2", Kind: "user", Name: "Ben"}, Channel: "note", Note: "Rolled back."},
		},
		{
			name: "unknown type kept, bot agent",
			raw: `{"id":"Q9","type":"priority_change_log_entry","created_at":"2024-05-01T14:08:00Z",
				"agent":{"id":"PB1","type":"bot_user_reference","summary":"Rule"},"channel":{"type":"auto","priority":"P1"}}`,
			want: postmortem.LogEntry{ID: "Q9", Type: "priority_change", At: utc("2024-05-01T14:08:00Z"),
				Agent: postmortem.Person{ID: "PB1", Kind: "bot_user", Name: "Rule"}, Channel: "auto",
				Details: map[string]string{"channel.priority": "P1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeLogEntry([]byte(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decode:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeIncidentShapes(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want func(postmortem.Incident) bool
	}{
		{"merged", `{"id":"PA1","status":"resolved","resolve_reason":{"type":"merge_resolve_reason","incident":{"id":"PB2","type":"incident_reference"}}}`,
			func(in postmortem.Incident) bool { return in.MergedInto == "PB2" }},
		{"other resolve reason", `{"id":"PA1","resolve_reason":{"type":"something_else","incident":{"id":"PB2"}}}`,
			func(in postmortem.Incident) bool { return in.MergedInto == "" }},
		{"nulls everywhere", `{"id":"PA1","priority":null,"service":null,"teams":null,"escalation_policy":null,"assignments":null,"resolved_at":null,"resolve_reason":null,"conference_bridge":null}`,
			func(in postmortem.Incident) bool {
				return in.Priority == "" && in.Service == (postmortem.Service{}) && in.Teams == nil
			}},
		{"priority by name", `{"id":"PA1","priority":{"id":"PP","type":"priority","name":"SEV-2"}}`,
			func(in postmortem.Incident) bool { return in.Priority == "SEV-2" }},
		{"resolved_at in another zone", `{"id":"PA1","status":"resolved","resolved_at":"2024-01-01T10:00:00+02:00"}`,
			func(in postmortem.Incident) bool {
				return in.ResolvedAt.Equal(utc("2024-01-01T08:00:00Z")) && in.ResolvedAt.Location() == time.UTC
			}},
		{"resolved without resolved_at", `{"id":"PA1","status":"resolved","last_status_change_at":"2024-01-01T08:00:00Z"}`,
			func(in postmortem.Incident) bool { return in.ResolvedAt.Equal(utc("2024-01-01T08:00:00Z")) }},
		{"webhook assignees and REST assignments together, deduplicated",
			`{"id":"PA1","assignments":[{"assignee":{"id":"PU1","type":"user_reference","summary":"A"}}],"assignees":[{"id":"PU1","type":"user_reference","summary":"A"},{"id":"PU2","type":"user_reference","summary":"B"}]}`,
			func(in postmortem.Incident) bool { return len(in.Assignees) == 2 && in.Assignees[1].ID == "PU2" }},
		{"summary stands in for a missing title", `{"id":"PA1","summary":"[#3] Disk full"}`,
			func(in postmortem.Incident) bool { return in.Title == "[#3] Disk full" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := (&Export{Incident: json.RawMessage(tt.raw)}).Decode()
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(in) {
				t.Errorf("unexpected %+v", in)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		e    Export
		want string
	}{
		{"no incident", Export{}, "no incident"},
		{"no id", Export{Incident: json.RawMessage(`{"title":"x"}`)}, `no "id"`},
		{"bad time", Export{Incident: json.RawMessage(`{"id":"PA1","created_at":"yesterday"}`)}, "created_at"},
		{"bad log entry", Export{Incident: json.RawMessage(`{"id":"PA1"}`), LogEntries: []json.RawMessage{json.RawMessage(`{"id":"Q1","created_at":"soon"}`)}}, "log entry 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.e.Decode()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestDecodeEventErrors(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"not JSON", `event: yes`, "decode webhook event"},
		{"no event", `{"data":{}}`, `no "event"`},
		{"no event type", `{"event":{"id":"E1"}}`, `no "event_type"`},
		{"bad time", `{"event":{"id":"E1","event_type":"incident.triggered","occurred_at":"now"}}`, "occurred_at"},
		{"bad incident", `{"event":{"id":"E1","event_type":"incident.triggered","data":{"type":"incident","id":"P1","created_at":"then"}}}`, "created_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeEvent([]byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestIncidentFromEvents(t *testing.T) {
	decode := func(name string) postmortem.Event {
		ev, err := DecodeEvent(readReference(t, name))
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	resolved := decode("webhook-v3_incident.resolved_zulip-fixture.json")
	note := decode("webhook-v3_incident.annotated_zulip-fixture.json")

	hook := func(id, typ, at, status string) postmortem.Event {
		ev, err := DecodeEvent([]byte(`{"event":{"id":"` + id + `","event_type":"` + typ + `","occurred_at":"` + at +
			`","agent":null,"data":{"type":"incident","id":"PCPZE64","number":6,"status":"` + status + `","title":"Test Incident","priority":{"summary":"P1"}}}}`))
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	triggered := hook("E1", "incident.triggered", "2021-06-04T13:00:00Z", "triggered")
	ack := hook("E2", "incident.acknowledged", "2021-06-04T13:05:00Z", "acknowledged")
	otherNote := note
	otherNote.Incident.ID = "PCPZE64"
	otherNote.At = utc("2021-06-04T13:06:00Z")

	t.Run("newest snapshot wins, events of the incident in time order", func(t *testing.T) {
		in, ok := IncidentFromEvents([]postmortem.Event{resolved, otherNote, ack, triggered, note})
		if !ok {
			t.Fatal("no snapshot found")
		}
		if in.Status != "resolved" || in.ResolvedAt.IsZero() || in.Priority != "" {
			t.Errorf("snapshot %+v", in)
		}
		var ids []string
		for _, e := range in.Events {
			ids = append(ids, e.ID)
		}
		want := []string{"E1", "E2", note.ID, resolved.ID}
		if !reflect.DeepEqual(ids, want) {
			t.Errorf("events %v, want %v", ids, want)
		}
	})
	t.Run("no snapshot", func(t *testing.T) {
		if _, ok := IncidentFromEvents([]postmortem.Event{note}); ok {
			t.Error("a note event is not a snapshot")
		}
		if _, ok := IncidentFromEvents(nil); ok {
			t.Error("no events, no incident")
		}
	})
}

func TestReadExport(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		wantErr string
		entries int
	}{
		{"full", `{"incident":{"id":"PA1"},"log_entries":[{"id":"Q1"}],"notes":[{"id":"N1"}]}`, "", 1},
		{"plain GET incident answer", `{"incident":{"id":"PA1"}}`, "", 0},
		{"nulls", `{"incident":{"id":"PA1"},"log_entries":null,"notes":null}`, "", 0},
		{"empty", "  \n", "empty input", 0},
		{"not JSON", "incident: PA1", "not JSON", 0},
		{"broken JSON", `{"incident":{"id":`, "not JSON", 0},
		{"array", `[{"incident":{}}]`, "not a JSON object", 0},
		{"missing incident", `{"log_entries":[]}`, `missing "incident"`, 0},
		{"incident null", `{"incident":null}`, `"incident" is not a JSON object`, 0},
		{"incident string", `{"incident":"PA1"}`, `"incident" is not a JSON object`, 0},
		{"log entries not a list", `{"incident":{"id":"PA1"},"log_entries":{}}`, `"log_entries" is not a list`, 0},
		{"log entry not an object", `{"incident":{"id":"PA1"},"log_entries":[1]}`, "log_entries[0] is not a JSON object", 0},
		{"two values", `{"incident":{"id":"PA1"}} {"incident":{}}`, "more than one JSON value", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ReadExport(strings.NewReader(tt.input))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(e.LogEntries) != tt.entries {
				t.Errorf("%d log entries, want %d", len(e.LogEntries), tt.entries)
			}
		})
	}
}

func TestReadExportRoundTrip(t *testing.T) {
	var src struct {
		Incident json.RawMessage `json:"incident"`
	}
	if err := json.Unmarshal(readReference(t, "rest-get-incident.example.json"), &src); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(Export{Incident: src.Incident})
	if err != nil {
		t.Fatal(err)
	}
	e, err := ReadExport(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	in, err := e.Decode()
	if err != nil || in.ID != "PT4KHLK" {
		t.Fatalf("%+v %v", in, err)
	}
}

func FuzzDecodeEvent(f *testing.F) {
	for _, name := range []string{
		"webhook-v3_incident.priority_updated_pd-developer-docs.json",
		"webhook-v3_incident.annotated_zulip-fixture.json",
		"webhook-v3_pagey.ping_n8n-readme.json",
	} {
		f.Add(payloads.PagerDuty(f, name))
	}
	f.Add([]byte(`{"event":{"event_type":"incident.triggered","data":{"type":"incident","id":"P1","conference_bridge":{"conference_number":1}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := DecodeEvent(b)
		if err == nil && ev.Type == "" {
			t.Error("decoded an event without a type")
		}
	})
}

func FuzzReadExport(f *testing.F) {
	f.Add([]byte(`{"incident":{"id":"PA1"},"log_entries":[{"id":"Q1","event_details":{"n":1}}],"notes":[]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ReadExport(bytes.NewReader(b))
		if err != nil {
			return
		}
		if e.Incident == nil {
			t.Error("export without incident accepted")
		}
		_, _ = e.Decode()
	})
}

func FuzzDecodeLogEntry(f *testing.F) {
	if b, err := payloads.PagerDutyFile("rest-incident-log-entries.example.json"); err == nil {
		var page struct {
			LogEntries []json.RawMessage `json:"log_entries"`
		}
		if json.Unmarshal(b, &page) == nil {
			for _, le := range page.LogEntries {
				f.Add([]byte(le))
			}
		}
	}
	f.Add([]byte(`{"id":"Q1","type":"notify_log_entry","created_at":"2024-01-01T00:00:00Z","user":{"id":"P1","type":"user_reference"},"notification":{"type":"sms_notification"},"event_details":{"n":1,"b":true,"o":{"x":[1]}}}`))
	f.Add([]byte(`{"id":"Q2","type":"escalate_log_entry","created_at":"2024-01-01T00:00:00-05:00","channel":{"type":"timeout","escalation_level":3}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		le, err := decodeLogEntry(b)
		if err != nil {
			return
		}
		if !le.At.IsZero() && le.At.Location() != time.UTC {
			t.Errorf("log entry time %v is not in UTC", le.At)
		}
	})
}
