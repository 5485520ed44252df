// Package postmortem is Hindsight's domain: incidents as PagerDuty describes them, the timeline built from
// them, the policy that decides whether a postmortem is due, the rendered draft and its checks. It does no I/O.
package postmortem

import "time"

// Person is whoever or whatever acted on an incident: a PagerDuty user, or a service, integration or rule
// acting as an agent. Kind is PagerDuty's reference type without the "_reference" suffix ("user", "service",
// "bot_user", ...).
type Person struct {
	ID    string
	Kind  string
	Name  string
	Email string
	URL   string
}

// IsUser reports whether the person is a human PagerDuty user rather than an automated agent.
func (p Person) IsUser() bool { return p.Kind == "user" || p.Kind == "" && p.ID != "" }

// Service is the PagerDuty service an incident was raised on.
type Service struct {
	ID   string
	Name string
	URL  string
}

// Team is a PagerDuty team an incident belongs to.
type Team struct {
	ID   string
	Name string
}

// Incident is everything Hindsight knows about one PagerDuty incident: its fields, its REST log entries and
// notes, and the webhook events stored for it. Times are UTC; a zero time means unknown.
type Incident struct {
	ID               string
	Number           int
	Title            string
	URL              string
	Status           string
	Urgency          string
	Priority         string // the priority's name ("P1", "SEV-2"), empty when the incident has none
	Service          Service
	Teams            []Team
	EscalationPolicy string
	CreatedAt        time.Time
	ResolvedAt       time.Time
	Assignees        []Person
	// MergedInto is the ID of the incident this one was merged into, when it was resolved by a merge.
	MergedInto string
	// Acknowledgements, Assignments and LastStatusChangeBy are the incident's own record of who acknowledged,
	// who was assigned and who changed its status last: facts and responders fall back on them when the log
	// entries lack them (older incidents, a partial export).
	Acknowledgements   []Assignment
	Assignments        []Assignment
	LastStatusChangeBy Person
	// Alerts are the incident's alerts (GET /incidents/{id}/alerts), oldest first: the first is what fired.
	Alerts []Alert
	// ResponderRequests are the people asked to join the response (the incident's incidents_responders).
	ResponderRequests []ResponderRequest
	// CustomFields are the incident's custom field values by field name, as text.
	CustomFields map[string]string

	LogEntries []LogEntry
	// LogEntriesCapped says PagerDuty holds more log entries than the cap let Hindsight fetch.
	LogEntriesCapped bool
	Notes            []Note
	Events           []Event
	// Changes are the changes made around the incident in its repositories and PagerDuty's related change
	// events, read by the pipeline (see ChangeScope); zero when none were looked for.
	Changes Changes
}

// Assignment is a person the incident was acknowledged by or assigned to, and when.
type Assignment struct {
	At     time.Time
	Person Person
}

// ResponderRequest is a person asked to join the response: who asked, when, and whether they joined
// (State "pending", "joined", "declined" as PagerDuty reports it).
type ResponderRequest struct {
	At        time.Time
	Person    Person
	Requester Person
	State     string
}

// Alert is one alert of an incident: what fired, from where, with its custom details and links.
type Alert struct {
	ID      string
	At      time.Time
	Summary string
	URL     string
	// Source is the integration or monitoring client that sent it ("Datadog"), Service its service's name.
	Source   string
	Service  string
	Severity string
	Status   string
	// Details are the alert's custom details (thresholds, observed values), sorted by key.
	Details []Detail
	// Links are the alert's links: dashboards, runbooks, the monitor.
	Links []Link
}

// Detail is one custom detail of an alert.
type Detail struct{ Key, Value string }

// Link is a link of an alert; Text is empty when the alert gives none.
type Link struct{ Text, URL string }

// LogEntry is one entry of an incident's PagerDuty log (GET /incidents/{id}/log_entries).
type LogEntry struct {
	ID string
	// Type is PagerDuty's type without the "_log_entry" suffix: "trigger", "acknowledge", "notify",
	// "annotate", "escalate", "resolve", ... Unknown types are kept as they come.
	Type    string
	At      time.Time
	Summary string // PagerDuty's own one-line summary
	URL     string // the entry's page in PagerDuty (html_url), empty when unknown
	Agent   Person // who or what did it; zero when PagerDuty itself did
	// Channel is channel.type: "api", "web_trigger", "email", "phone", "sms", "auto", "note", "timeout", ...
	Channel string
	// Note is the text of the note for annotate entries, and the channel summary otherwise.
	Note string
	// Users are the people the entry is about: the notified user, the new assignees, the acknowledger.
	// Entries naming the same people may share one slice: change it in place only as SetEmails does.
	Users []Person
	// Notification is the notification kind of a notify entry: "phone", "sms", "email", "push_notification".
	Notification string
	// NotificationStatus is what became of a notification as PagerDuty reports it: "success",
	// "no_answer", "failed", "bounced", ... Empty when PagerDuty does not say.
	NotificationStatus string
	// Priority and OldPriority are the new and previous priority names of a priority change.
	Priority, OldPriority string
	// EscalationLevel is the escalation policy level an escalate or assign entry moved to, 0 when absent.
	EscalationLevel int
	// Details holds event_details and other type-specific fields, every value rendered as text. Entries
	// with the same details may share one map: it is read only.
	Details map[string]string
}

// Note is a note added to an incident (GET /incidents/{id}/notes).
type Note struct {
	ID      string
	At      time.Time
	User    Person
	Content string
}

// Event is one PagerDuty V3 webhook event stored for an incident.
type Event struct {
	ID    string
	Type  string // "incident.acknowledged", "incident.status_update_published", ...
	At    time.Time
	Agent Person
	// Text is the event's own words when it carries some: a note's content, a status update's message, the
	// new priority's name, a conference bridge's URL.
	Text string
	// People are the users the event is about: new assignees, the responder added or replying.
	People []Person
	// Incident is the incident as the event describes it. Events whose data is not the incident itself
	// (notes, status updates, responders) fill in only its ID.
	Incident Incident
}
