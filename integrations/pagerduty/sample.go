package pagerduty

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Sign returns the X-PagerDuty-Signature header value PagerDuty sends with body under a subscription's
// secret: "v1=" and the hex HMAC-SHA256 of the raw body.
func Sign(body []byte, secret string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	return "v1=" + hex.EncodeToString(h.Sum(nil))
}

// SampleWebhooks returns the V3 webhook bodies PagerDuty sends over the life of one incident that ends at
// resolved: incident.triggered, incident.acknowledged, incident.annotated (a note starting "Action item:"),
// incident.status_update_published and incident.resolved, 40 minutes apart in all. The incident is P2 with
// high urgency, so the default policy requires its postmortem. Its ID and every event ID are fresh random
// ones, shaped like PagerDuty's, so two samples never share stored events. It returns the incident's ID too.
func SampleWebhooks(resolved time.Time) (incidentID string, bodies [][]byte) {
	resolved = resolved.UTC().Truncate(time.Millisecond)
	incidentID = "Q" + randomID(13)
	const (
		account = "https://acme.pagerduty.com"
		api     = "https://api.pagerduty.com"
	)
	ref := func(kind, path, id, summary string) map[string]any {
		return map[string]any{"id": id, "type": kind + "_reference", "summary": summary,
			"self": api + "/" + path + "/" + id, "html_url": account + "/" + path + "/" + id}
	}
	ana := ref("user", "users", "PSMPL01", "Ana Lima")
	ben := ref("user", "users", "PSMPL02", "Ben Okafor")
	title := "Checkout API returns 502 for one request in five"
	incident := func(status string, assignees ...map[string]any) map[string]any {
		if assignees == nil {
			assignees = []map[string]any{}
		}
		return map[string]any{
			"id": incidentID, "type": "incident",
			"self": api + "/incidents/" + incidentID, "html_url": account + "/incidents/" + incidentID,
			"number": 4217, "status": status, "incident_key": randomID(32),
			"created_at":        resolved.Add(-40 * time.Minute).Format(time.RFC3339),
			"title":             title,
			"service":           ref("service", "services", "PSMPLSV", "Checkout API"),
			"assignees":         assignees,
			"escalation_policy": ref("escalation_policy", "escalation_policies", "PSMPLEP", "Checkout on-call"),
			"teams":             []any{ref("team", "teams", "PSMPLTM", "Payments")},
			"priority": map[string]any{"id": "PSMPLP2", "type": "priority_reference", "summary": "P2",
				"self": api + "/priorities/PSMPLP2", "html_url": account + "/account/incident_priorities"},
			"urgency": "high", "conference_bridge": nil, "resolve_reason": nil,
		}
	}
	incidentRef := map[string]any{"id": incidentID, "type": "incident_reference", "summary": title,
		"self": api + "/incidents/" + incidentID, "html_url": account + "/incidents/" + incidentID}
	events := []struct {
		eventType string
		before    time.Duration
		agent     any
		data      map[string]any
	}{
		{"incident.triggered", 40 * time.Minute, nil, incident("triggered", ana)},
		{"incident.acknowledged", 36 * time.Minute, ana, incident("acknowledged", ana)},
		{"incident.annotated", 25 * time.Minute, ana, map[string]any{"incident": incidentRef, "id": "N" + randomID(6),
			"type": "incident_note", "trimmed": false,
			"content": "Action item: alert when the checkout database's connection pool is over 90% for 5 minutes"}},
		{"incident.status_update_published", 20 * time.Minute, ben, map[string]any{"incident": incidentRef, "id": "S" + randomID(6),
			"type": "incident_status_update", "trimmed": false,
			"message": "Some checkouts fail with a 502. The connection pool of the checkout database is exhausted; we are raising its size. Next update in 30 minutes."}},
		{"incident.resolved", 0, ana, incident("resolved")},
	}
	for _, e := range events {
		body, err := json.Marshal(map[string]any{"event": map[string]any{
			"id": randomID(26), "event_type": e.eventType, "resource_type": "incident",
			"occurred_at": resolved.Add(-e.before).Format("2006-01-02T15:04:05.000Z07:00"),
			"agent":       e.agent, "client": nil, "data": e.data,
		}})
		if err != nil {
			panic(fmt.Sprintf("sample webhook: %v", err)) // plain maps always marshal
		}
		bodies = append(bodies, body)
	}
	return incidentID, bodies
}

// randomID returns n characters of PagerDuty's ID alphabet, upper-case letters and digits.
func randomID(n int) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
