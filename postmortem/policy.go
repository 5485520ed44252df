package postmortem

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultDue is how long after resolution a postmortem should be merged when a rule does not say.
const DefaultDue = 48 * time.Hour

// Rule matches incidents by priority, urgency, service and team; an empty list matches anything. The first
// rule of a Policy that matches decides. Values compare case-insensitively; the priority "none" matches an
// incident without a priority, and services and teams match by ID or name.
type Rule struct {
	Priorities []string `yaml:"priorities"`
	Urgencies  []string `yaml:"urgencies"`
	Services   []string `yaml:"services"`
	Teams      []string `yaml:"teams"`
	// Postmortem is "required" or "skip".
	Postmortem string `yaml:"postmortem"`
	// Template names the template to render; empty for the one matching the priority.
	Template string `yaml:"template"`
	// Due is how long after resolution the postmortem is due; zero for DefaultDue.
	Due Duration `yaml:"due"`
	// Distribution adds to the lists the merged postmortem is mailed to.
	Distribution Distribution `yaml:"distribution,omitempty"`
}

// Policy decides which resolved incidents get a postmortem.
type Policy struct {
	Rules []Rule `yaml:"rules"`
	// Default is "required" or "skip", for incidents that no rule matches.
	Default string `yaml:"default"`
}

// Decision is what a Policy says of one incident.
type Decision struct {
	Required bool
	Template string
	Due      time.Duration
	// Reason says which rule decided, in words, for logs and the dry-run report.
	Reason string
}

// DefaultPolicy requires a postmortem for P1 and P2, and for high urgency when the incident has no priority.
func DefaultPolicy() Policy {
	return Policy{
		Rules: []Rule{
			{Priorities: []string{"P1", "P2"}, Postmortem: "required"},
			{Priorities: []string{"none"}, Urgencies: []string{"high"}, Postmortem: "required"},
		},
		Default: "skip",
	}
}

// Validate reports the first rule that cannot be applied.
func (p Policy) Validate() error {
	for i, r := range p.Rules {
		if r.Postmortem != "required" && r.Postmortem != "skip" {
			return fmt.Errorf("policy.rules[%d].postmortem: want \"required\" or \"skip\", got %q", i, r.Postmortem)
		}
		if r.Due < 0 {
			return fmt.Errorf("policy.rules[%d].due: must not be negative", i)
		}
	}
	if p.Default != "" && p.Default != "required" && p.Default != "skip" {
		return fmt.Errorf("policy.default: want \"required\" or \"skip\", got %q", p.Default)
	}
	return nil
}

// Decide applies the policy to an incident.
func (p Policy) Decide(inc Incident) Decision {
	for i, r := range p.Rules {
		if !r.matches(inc) {
			continue
		}
		d := Decision{
			Required: r.Postmortem == "required",
			Template: r.Template,
			Due:      time.Duration(r.Due),
			Reason:   fmt.Sprintf("rule %d (%s) matched", i+1, r.describe()),
		}
		if d.Due == 0 {
			d.Due = DefaultDue
		}
		return d
	}
	return Decision{Required: p.Default == "required", Due: DefaultDue, Reason: "no rule matched; default is " + orDefault(p.Default, "skip")}
}

func (r Rule) matches(inc Incident) bool {
	priority := inc.Priority
	if priority == "" {
		priority = "none"
	}
	if !matchAny(r.Priorities, priority) || !matchAny(r.Urgencies, inc.Urgency) {
		return false
	}
	if !matchAny(r.Services, inc.Service.ID, inc.Service.Name) {
		return false
	}
	if len(r.Teams) == 0 {
		return true
	}
	return slices.ContainsFunc(inc.Teams, func(t Team) bool { return matchAny(r.Teams, t.ID, t.Name) })
}

func (r Rule) describe() string {
	var parts []string
	for _, f := range []struct {
		name   string
		values []string
	}{{"priority", r.Priorities}, {"urgency", r.Urgencies}, {"service", r.Services}, {"team", r.Teams}} {
		if len(f.values) > 0 {
			parts = append(parts, f.name+" "+strings.Join(f.values, "/"))
		}
	}
	if len(parts) == 0 {
		return "any incident"
	}
	return strings.Join(parts, ", ")
}

// matchAny reports whether the pattern list is empty or holds one of the values.
func matchAny(patterns []string, values ...string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		for _, v := range values {
			if v != "" && strings.EqualFold(p, v) {
				return true
			}
		}
	}
	return false
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Duration is a time.Duration that reads from YAML as "48h", "90m" or "2d".
type Duration time.Duration

// UnmarshalText parses Go duration syntax, plus whole days as "Nd".
func (d *Duration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err == nil && fmt.Sprint(n) == days {
			*d = Duration(time.Duration(n) * 24 * time.Hour)
			return nil
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration such as 48h or 2d, got %q", s)
	}
	*d = Duration(v)
	return nil
}
