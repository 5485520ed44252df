package pagerdutytest

import (
	"encoding/json"
	"fmt"
	"time"
)

type ref map[string]any

func userRef(id, name string) ref {
	return ref{
		"id": id, "type": "user_reference", "summary": name,
		"self":     "https://api.pagerduty.com/users/" + id,
		"html_url": "https://acme.pagerduty.com/users/" + id,
	}
}

var (
	synthService = ref{
		"id": "PSVC001", "type": "service_reference", "summary": "Checkout API",
		"self":     "https://api.pagerduty.com/services/PSVC001",
		"html_url": "https://acme.pagerduty.com/service-directory/PSVC001",
	}
	synthPolicy = ref{
		"id": "PEP0001", "type": "escalation_policy_reference", "summary": "Checkout On-Call",
		"self":     "https://api.pagerduty.com/escalation_policies/PEP0001",
		"html_url": "https://acme.pagerduty.com/escalation_policies/PEP0001",
	}
	synthTeam = ref{
		"id": "PTEAM01", "type": "team_reference", "summary": "Payments",
		"self":     "https://api.pagerduty.com/teams/PTEAM01",
		"html_url": "https://acme.pagerduty.com/teams/PTEAM01",
	}
	synthPrimary   = userRef("PUSERA1", "Ana Primary")
	synthSecondary = userRef("PUSERB2", "Ben Secondary")
)

// Synthetic builds a realistic, deterministic resolved incident in the REST API's shapes: the incident
// object, entries log entries and the notes behind its annotate entries. The log opens with a trigger and
// closes with a resolve; between them it cycles through assigns, phone/SMS/email notifications,
// escalations (with their level), acknowledgements, unacknowledgements and annotate entries. Entries come
// two to a second, so sorting must fall back on the ID, which grows with the entry's position.
func Synthetic(id string, number int, entries int, start time.Time) (incident json.RawMessage, logEntries []json.RawMessage, notes []json.RawMessage) {
	start = start.UTC().Truncate(time.Second)
	at := func(i int) time.Time { return start.Add(time.Duration(i/2) * 7 * time.Second) }
	stamp := func(t time.Time) string { return t.Format(time.RFC3339) }
	incidentRef := ref{
		"id": id, "type": "incident_reference", "summary": fmt.Sprintf("[#%d] Checkout latency above SLO", number),
		"self":     "https://api.pagerduty.com/incidents/" + id,
		"html_url": "https://acme.pagerduty.com/incidents/" + id,
	}
	mustJSON := func(v any) json.RawMessage {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return b
	}

	noteNo := 0
	for i := range entries {
		entryID := fmt.Sprintf("R%s%07d", id, i)
		e := map[string]any{
			"id":         entryID,
			"self":       "https://api.pagerduty.com/log_entries/" + entryID + "?incident_id=" + id,
			"html_url":   "https://acme.pagerduty.com/incidents/" + id + "/log_entries/" + entryID,
			"created_at": stamp(at(i)),
			"incident":   incidentRef,
			"service":    synthService,
			"teams":      []ref{synthTeam},
			"contexts":   []any{},
		}
		level := (i/10)%3 + 1
		switch i {
		case 0:
			e["type"] = "trigger_log_entry"
			e["summary"] = "Triggered through the API."
			e["agent"] = synthService
			e["channel"] = ref{"type": "api", "summary": "Checkout latency above SLO"}
			e["event_details"] = map[string]any{
				"description": "Checkout latency above SLO",
				"p99_ms":      2150,
				"region":      "us-east-1",
				"firing":      true,
			}
		case entries - 1:
			e["type"] = "resolve_log_entry"
			e["summary"] = "Resolved by Ana Primary."
			e["agent"] = synthPrimary
			e["channel"] = ref{"type": "website"}
		default:
			switch (i - 1) % 10 {
			case 0:
				e["type"] = "assign_log_entry"
				e["summary"] = "Assigned to Ana Primary."
				e["agent"] = synthService
				e["channel"] = ref{"type": "auto"}
				e["assignees"] = []ref{synthPrimary}
			case 1, 2, 3:
				kind := []string{"phone", "sms", "email"}[(i-1)%10-1]
				e["type"] = "notify_log_entry"
				e["summary"] = fmt.Sprintf("Notified Ana Primary by %s.", kind)
				e["channel"] = ref{"type": "auto"}
				e["user"] = synthPrimary
				address := map[string]string{"phone": "+1 555 0100", "sms": "+1 555 0100", "email": "ana@example.com"}[kind]
				e["notification"] = map[string]any{"type": kind + "_notification", "status": "success", "address": address}
			case 4:
				e["type"] = "escalate_log_entry"
				e["summary"] = fmt.Sprintf("Escalated to level %d by timeout.", level)
				e["channel"] = ref{"type": "timeout"}
				e["assignees"] = []ref{synthSecondary}
			case 5:
				e["type"] = "assign_log_entry"
				e["summary"] = fmt.Sprintf("Escalated to level %d: assigned to Ben Secondary.", level)
				e["agent"] = synthService
				e["channel"] = ref{"type": "auto"}
				e["assignees"] = []ref{synthSecondary}
			case 6:
				e["type"] = "acknowledge_log_entry"
				e["summary"] = "Acknowledged by Ben Secondary."
				e["agent"] = synthSecondary
				e["channel"] = ref{"type": "sms"}
				e["acknowledgement_timeout"] = 1800
			case 7, 9:
				noteNo++
				content := fmt.Sprintf("Update %d: rolled back the checkout deploy on shard %d.", noteNo, noteNo%4)
				author := synthSecondary
				if noteNo%2 == 0 {
					author = synthPrimary
				}
				e["type"] = "annotate_log_entry"
				e["summary"] = "Note added"
				e["agent"] = author
				e["channel"] = ref{"type": "note", "summary": content}
				notes = append(notes, mustJSON(map[string]any{
					"id":         fmt.Sprintf("N%s%05d", id, noteNo),
					"user":       author,
					"channel":    ref{"summary": "The PagerDuty website or APIs"},
					"content":    content,
					"created_at": stamp(at(i)),
				}))
			case 8:
				e["type"] = "unacknowledge_log_entry"
				e["summary"] = "Unacknowledged due to timeout."
				e["channel"] = ref{"type": "timeout"}
			}
		}
		logEntries = append(logEntries, mustJSON(e))
	}

	status, resolvedAt := "triggered", any(nil)
	last := start
	if entries > 0 {
		last = at(entries - 1)
	}
	if entries >= 2 {
		status, resolvedAt = "resolved", stamp(last)
	}
	incident = mustJSON(map[string]any{
		"id":                    id,
		"type":                  "incident",
		"summary":               fmt.Sprintf("[#%d] Checkout latency above SLO", number),
		"self":                  "https://api.pagerduty.com/incidents/" + id,
		"html_url":              "https://acme.pagerduty.com/incidents/" + id,
		"incident_number":       number,
		"title":                 "Checkout latency above SLO",
		"created_at":            stamp(start),
		"updated_at":            stamp(last),
		"status":                status,
		"incident_key":          fmt.Sprintf("checkout-latency-%d", number),
		"service":               synthService,
		"assignments":           []any{},
		"assigned_via":          "escalation_policy",
		"last_status_change_at": stamp(last),
		"resolved_at":           resolvedAt,
		"first_trigger_log_entry": ref{
			"id": fmt.Sprintf("R%s%07d", id, 0), "type": "trigger_log_entry_reference",
		},
		"alert_counts":          map[string]int{"all": 1, "triggered": 0, "resolved": 1},
		"is_mergeable":          true,
		"escalation_policy":     synthPolicy,
		"teams":                 []ref{synthTeam},
		"acknowledgements":      []any{},
		"last_status_change_by": synthPrimary,
		"priority": ref{
			"id": "PPRIO01", "type": "priority_reference", "summary": "P1",
			"self": "https://api.pagerduty.com/priorities/PPRIO01",
		},
		"resolve_reason":    nil,
		"conference_bridge": map[string]any{"conference_number": "+1 555 0199,,1234#", "conference_url": "https://meet.example.com/checkout"},
		"urgency":           "high",
	})
	return incident, logEntries, notes
}
