package postmortem

import "time"

// SampleIncident is a small but complete incident, used to check templates before they meet a real one.
func SampleIncident() Incident {
	t0 := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	alice := Person{ID: "PALICE1", Kind: "user", Name: "Alice Example", Email: "alice@example.com"}
	bob := Person{ID: "PBOB001", Kind: "user", Name: "Bob Example", Email: "bob@example.com"}
	svc := Person{ID: "PSVC001", Kind: "service", Name: "Checkout API"}
	return Incident{
		ID: "PSAMPLE", Number: 1, Title: "Checkout errors above 5%", URL: "https://example.pagerduty.com/incidents/PSAMPLE",
		Status: "resolved", Urgency: "high", Priority: "P1",
		Service:   Service{ID: "PSVC001", Name: "Checkout API", URL: "https://example.pagerduty.com/service-directory/PSVC001"},
		Teams:     []Team{{ID: "PTEAM01", Name: "Payments"}},
		CreatedAt: t0, ResolvedAt: t0.Add(47 * time.Minute),
		Assignees: []Person{alice},
		LogEntries: []LogEntry{
			{ID: "L1", Type: "trigger", At: t0, Agent: svc, Channel: "api", Summary: "Triggered through the API"},
			{ID: "L2", Type: "notify", At: t0.Add(10 * time.Second), Users: []Person{alice}, Notification: "phone"},
			{ID: "L3", Type: "acknowledge", At: t0.Add(4 * time.Minute), Agent: alice, Channel: "mobile"},
			{ID: "L4", Type: "escalate", At: t0.Add(15 * time.Minute), EscalationLevel: 2, Users: []Person{bob}},
			{ID: "L5", Type: "resolve", At: t0.Add(47 * time.Minute), Agent: alice, Channel: "web_trigger"},
		},
		Notes: []Note{{ID: "N1", At: t0.Add(20 * time.Minute), User: bob, Content: "Rolled back the 9:00 deploy; errors are falling."}},
		Changes: Changes{
			Query: ChangeQuery{IncidentID: "PSAMPLE", Repos: []string{"acme/checkout"}, Trigger: t0, Since: t0.Add(-DefaultChangeWindow), Until: t0.Add(47 * time.Minute)},
			Items: []Change{
				{At: t0.Add(-17*time.Hour - 50*time.Minute), Kind: ChangeRelease, Source: "acme/checkout", What: "v2.14.0", By: "carol",
					URL: "https://github.com/acme/checkout/releases/tag/v2.14.0"},
				{At: t0.Add(-29 * time.Minute), Kind: ChangePullRequest, Source: "acme/checkout", What: "Lower the payment client timeout to 2s (#412)", By: "alice",
					URL: "https://github.com/acme/checkout/pull/412"},
				{At: t0.Add(-8 * time.Minute), Kind: ChangeDeployment, Source: "acme/checkout", What: "v2.14.0 (3f2a9c1) to production: success", By: "deploy-bot[bot]", Bot: true,
					URL: "https://github.com/acme/checkout/commit/3f2a9c1"},
				{At: t0.Add(18 * time.Minute), Kind: ChangeEvent, Source: "PagerDuty", What: "Deploy checkout v2.13.0 (rollback)", Agent: "ci-pipeline",
					URL: "https://ci.example.com/builds/981"},
			},
			Sources: []ChangeSource{
				{Name: "acme/checkout deployments", Problem: "the statuses of 2 of 7 deployments were not read (at most 5 a repository)"},
				{Name: "acme/checkout releases"}, {Name: "acme/checkout pull requests"}, {Name: ChangeSourcePagerDuty},
			},
		},
	}
}
