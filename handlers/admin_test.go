package handlers

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestAdminToken(t *testing.T) {
	const token = "0123456789abcdef-admin"
	console := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	h := NewAdmin(slog.New(slog.DiscardHandler), prometheus.NewRegistry(), Admin{Token: token, Console: console})
	tests := []struct {
		name, header string
		want         int
	}{
		{"bearer", "Bearer " + token, http.StatusOK},
		{"bearer, scheme in lower case", "bearer " + token, http.StatusOK},
		{"basic, any user", "Basic " + "dXNlcjowMTIzNDU2Nzg5YWJjZGVmLWFkbWlu", http.StatusOK}, // user:<token>
		{"none", "", http.StatusUnauthorized},
		{"wrong bearer", "Bearer " + token[:len(token)-1], http.StatusUnauthorized},
		{"token as the basic user", "Basic " + "MDEyMzQ1Njc4OWFiY2RlZi1hZG1pbjo=", http.StatusUnauthorized}, // <token>:
		{"token without a scheme", token, http.StatusUnauthorized},
		{"other scheme", "Token " + token, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/metrics", "/admin/queues", "/admin/queues/api/queues"} {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				if tt.header != "" {
					req.Header.Set("Authorization", tt.header)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != tt.want {
					t.Errorf("%s: %d, want %d (%s)", path, rec.Code, tt.want, rec.Body)
				}
			}
		})
	}
	// Health needs no token.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("/healthz: %d", rec.Code)
	}
}

func TestAdminWithoutTokenIsOpen(t *testing.T) {
	h := NewAdmin(slog.New(slog.DiscardHandler), prometheus.NewRegistry(), Admin{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("/metrics: %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/admin/queues", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("/admin/queues without a console: %d, want 404", rec.Code)
	}
}
