package pagerdutytest

import (
	"net/http"
	"testing"
	"time"
)

// TestLatency: with a latency set, no answer comes sooner.
func TestLatency(t *testing.T) {
	s := NewServer(t, token)
	s.AddIncident([]byte(`{"id":"PLAT001","incident_number":1,"created_at":"2024-01-01T00:00:00Z","title":"t"}`))
	s.SetLatency(40 * time.Millisecond)
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/incidents/PLAT001", nil)
	req.Header.Set("Authorization", "Token token="+token)
	began := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if took := time.Since(began); took < 40*time.Millisecond || resp.StatusCode != http.StatusOK {
		t.Errorf("answered %d after %v, want 200 after at least 40ms", resp.StatusCode, took)
	}
}
