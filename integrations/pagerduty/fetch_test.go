package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestFirstCause(t *testing.T) {
	refused := errors.New("connection refused")
	cancelled := fmt.Errorf("send: %w", context.Canceled)
	tests := []struct {
		name     string
		failures []fetchFailure
		wantOp   string // "" when no failure is expected
	}{
		{"none failed", []fetchFailure{{"fetch log entries", nil}, {"fetch notes", nil}, {"fetch alerts", nil}}, ""},
		{"the only failure", []fetchFailure{{"fetch log entries", nil}, {"fetch notes", refused}, {"fetch alerts", nil}}, "fetch notes"},
		{"the first of two causes", []fetchFailure{{"fetch log entries", refused}, {"fetch notes", nil}, {"fetch alerts", errors.New("bad gateway")}}, "fetch log entries"},
		{"the cause after a cancellation", []fetchFailure{{"fetch log entries", cancelled}, {"fetch notes", nil}, {"fetch alerts", refused}}, "fetch alerts"},
		{"the cause before a cancellation", []fetchFailure{{"fetch log entries", refused}, {"fetch notes", cancelled}, {"fetch alerts", nil}}, "fetch log entries"},
		{"the first of cancellations only", []fetchFailure{{"fetch log entries", nil}, {"fetch notes", cancelled}, {"fetch alerts", context.Canceled}}, "fetch notes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := firstCause(tt.failures)
			switch {
			case tt.wantOp == "" && got != nil:
				t.Fatalf("firstCause = %q (%v), want none", got.op, got.err)
			case tt.wantOp != "" && got == nil:
				t.Fatalf("firstCause = none, want %q", tt.wantOp)
			case got != nil && got.op != tt.wantOp:
				t.Fatalf("firstCause = %q (%v), want %q", got.op, got.err, tt.wantOp)
			}
		})
	}
}
