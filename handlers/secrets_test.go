package handlers_test

import (
	"net/http"
	"testing"
)

// A secret list holding the empty string (a YAML mistake) must not let a body signed with the empty key in.
func TestEmptySecretsNeverVerify(t *testing.T) {
	body := []byte(`{"event":{"id":"01","event_type":"pagey.ping","resource_type":"pagey","occurred_at":"2024-01-01T00:00:00Z","data":{"type":"ping","message":"hi"}}}`)
	e := newEnv(t, "")
	if code, out := e.post(t, body, map[string]string{"X-PagerDuty-Signature": sign(body, "")}); code != http.StatusUnauthorized {
		t.Errorf("PagerDuty body signed with the empty key: %d %s, want 401", code, out)
	}
	g := newGitHubEnv(t, "")
	ping := []byte(`{"zen":"Keep it logically awesome.","hook_id":1}`)
	if code, out := g.post(t, "ping", "d-empty-key", ping, map[string]string{"X-Hub-Signature-256": signGitHub(ping, "")}); code != http.StatusUnauthorized {
		t.Errorf("GitHub body signed with the empty key: %d %s, want 401", code, out)
	}
}
