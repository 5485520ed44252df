package postmortem

import (
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestDefaultPolicy(t *testing.T) {
	tests := []struct {
		name              string
		priority, urgency string
		want              bool
	}{
		{"P1", "P1", "low", true},
		{"P2", "P2", "high", true},
		{"p1 lower case", "p1", "low", true},
		{"P3 high urgency", "P3", "high", false},
		{"no priority, high urgency", "", "high", true},
		{"no priority, low urgency", "", "low", false},
		{"P4", "P4", "low", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := DefaultPolicy().Decide(Incident{Priority: tt.priority, Urgency: tt.urgency})
			if d.Required != tt.want {
				t.Errorf("Required = %v, want %v (%s)", d.Required, tt.want, d.Reason)
			}
			if d.Due != DefaultDue {
				t.Errorf("Due = %v, want %v", d.Due, DefaultDue)
			}
		})
	}
}

func TestPolicyFromYAML(t *testing.T) {
	const doc = `
rules:
  - services: [Billing]
    postmortem: skip
  - priorities: [SEV1]
    postmortem: required
    template: short
    due: 1d
  - teams: [PTEAM9]
    urgencies: [high]
    postmortem: required
    due: 36h
default: skip
`
	var p Policy
	if err := yaml.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		inc      Incident
		required bool
		template string
		due      time.Duration
	}{
		{"service skipped before priority", Incident{Priority: "SEV1", Service: Service{Name: "billing"}}, false, "", DefaultDue},
		{"SEV1", Incident{Priority: "SEV1", Service: Service{Name: "API"}}, true, "short", 24 * time.Hour},
		{"team by id", Incident{Urgency: "high", Teams: []Team{{ID: "PTEAM9"}}}, true, "", 36 * time.Hour},
		{"team, low urgency", Incident{Urgency: "low", Teams: []Team{{ID: "PTEAM9"}}}, false, "", DefaultDue},
		{"nothing matches", Incident{Priority: "SEV3"}, false, "", DefaultDue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Decide(tt.inc)
			if d.Required != tt.required || d.Template != tt.template || d.Due != tt.due {
				t.Errorf("Decide = %+v, want required %v template %q due %v", d, tt.required, tt.template, tt.due)
			}
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	for name, p := range map[string]Policy{
		"bad action":  {Rules: []Rule{{Postmortem: "maybe"}}},
		"bad default": {Default: "sometimes"},
	} {
		if err := p.Validate(); err == nil {
			t.Errorf("%s: Validate() = nil, want an error", name)
		}
	}
	var d Duration
	if err := d.UnmarshalText([]byte("2x")); err == nil {
		t.Error("Duration 2x parsed")
	}
}
