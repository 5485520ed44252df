package pagerdutytest_test

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
	"github.com/hindsight-dev/hindsight/internal/openapicheck"
	"github.com/hindsight-dev/hindsight/internal/payloads"
)

// pagerdutySpec is the part of PagerDuty's REST API OpenAPI description (PagerDuty/api-schema,
// reference/REST/openapiv3.json) that Hindsight uses, as scripts/trim-pagerduty-openapi.sh keeps it.
var pagerdutySpec = filepath.Join("testdata", "rest-openapiv3.subset.json")

// pagerdutyOperations are the operations Hindsight's client sends and the fake answers. Keep in step with
// the list in scripts/trim-pagerduty-openapi.sh.
var pagerdutyOperations = []string{
	"GET /incidents",
	"GET /incidents/{id}",
	"GET /incidents/{id}/log_entries",
	"GET /incidents/{id}/notes",
	"POST /incidents/{id}/notes",
	"GET /incidents/{id}/alerts",
	"GET /incidents/{id}/related_change_events",
	"GET /users/{id}",
}

const specToken = "spec-token"

// loadPagerDutySpec loads the description and corrects what it gets wrong about the real API.
func loadPagerDutySpec(t *testing.T) *openapicheck.Spec {
	t.Helper()
	spec := openapicheck.Load(t, pagerdutySpec)
	// The description names the acknowledgement entry "acknowledgement_log_entry"; the API, go-pagerduty's
	// users and PagerDuty's own log entry docs say "acknowledge_log_entry". Both are accepted.
	ack := openapicheck.Object(openapicheck.Object(openapicheck.List(openapicheck.Object(openapicheck.Object(openapicheck.Object(spec.Doc["components"])["schemas"])["AcknowledgeLogEntry"])["allOf"])[1])["properties"])
	typ := openapicheck.Object(ack["type"])
	if typ == nil {
		t.Fatal("AcknowledgeLogEntry has changed shape: revisit the erratum")
	}
	typ["enum"] = append(openapicheck.List(typ["enum"]), "acknowledge_log_entry")
	// Properties the description does not mark nullable though its own example of GET /incidents/{id}
	// (and the API) has them null.
	for _, ptr := range []string{
		"#/components/schemas/Incident/allOf/1/properties/resolved_at",    // "or `null` if the incident is not resolved"
		"#/components/schemas/Incident/allOf/1/properties/resolve_reason", // null unless merged
		"#/components/schemas/Incident/allOf/1/properties/alert_grouping/properties/ended_at",
		"#/components/schemas/Incident/allOf/1/properties/priority", // null without a priority, as the V3 webhooks show it too
	} {
		parent, name := ptr[:strings.LastIndex(ptr, "/")], ptr[strings.LastIndex(ptr, "/")+1:]
		props := openapicheck.Object(spec.Pointer(parent))
		if props[name] == nil {
			t.Fatalf("%s is gone from the description: revisit the erratum", ptr)
		}
		props[name] = map[string]any{"nullable": true, "allOf": []any{props[name]}}
	}
	// Every REST call counts against the account's rate limit and may answer 429, as PagerDuty's "REST API
	// Rate Limits" page says; the description lists it for most operations but not this one.
	responses := openapicheck.Object(openapicheck.Object(spec.Operation("GET /incidents/{id}/related_change_events"))["responses"])
	if responses == nil || responses["429"] != nil {
		t.Fatal("related_change_events' responses have changed: revisit the erratum")
	}
	responses["429"] = map[string]any{"$ref": "#/components/responses/TooManyRequests"}
	return spec
}

func TestPagerDutySpecHasEveryOperation(t *testing.T) {
	spec := loadPagerDutySpec(t)
	for _, op := range pagerdutyOperations {
		if spec.Operation(op) == nil {
			t.Errorf("%s is not in %s", op, pagerdutySpec)
		}
	}
	// The subset holds these operations and no other: the script and this list agree.
	kept := 0
	for _, item := range openapicheck.Object(spec.Doc["paths"]) {
		for method := range openapicheck.Object(item) {
			if method != "parameters" {
				kept++
			}
		}
	}
	if kept != len(pagerdutyOperations) {
		t.Errorf("%s holds %d operations, the test lists %d: run scripts/trim-pagerduty-openapi.sh after changing either", pagerdutySpec, kept, len(pagerdutyOperations))
	}
}

// TestFakeAnswersAsOpenAPISays drives the fake as Hindsight does (an incident, its log entries page by
// page in UTC and in the account's zone, its notes, a new note) and through the errors it can give (401,
// 403, 404, 429, 400), and checks each status is one the spec lists for the operation and each body has
// the spec's required properties with the spec's types.
func TestFakeAnswersAsOpenAPISays(t *testing.T) {
	spec := loadPagerDutySpec(t)
	s := pagerdutytest.NewServer(t, specToken)
	inc, entries, notes := pagerdutytest.Synthetic("PSPEC01", 88, 23, time.Date(2024, 3, 2, 8, 0, 0, 0, time.UTC))
	s.AddIncident(inc)
	s.AddLogEntries("PSPEC01", entries...)
	s.AddNotes("PSPEC01", notes...)
	// The spec's own example incident.
	var exampleIncident struct {
		Incident json.RawMessage `json:"incident"`
	}
	if err := json.Unmarshal(payloads.PagerDuty(t, "rest-get-incident.example.json"), &exampleIncident); err != nil {
		t.Fatal(err)
	}
	s.AddIncident(exampleIncident.Incident)
	// The spec's own examples of an alert and a user.
	for _, a := range openapicheck.List(spec.Pointer("#/paths/~1incidents~1{id}~1alerts/get/responses/200/content/application~1json/examples/response/value/alerts")) {
		raw, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		s.AddAlerts("PT4KHLK", raw)
	}
	user, err := json.Marshal(spec.Pointer("#/paths/~1users~1{id}/get/responses/200/content/application~1json/examples/response/value/user"))
	if err != nil || string(user) == "null" {
		t.Fatalf("the spec has no example of a user any more: %v", err)
	}
	s.AddUser(user)
	c := &pdClient{t: t, spec: spec, s: s, seen: map[string]bool{}}
	from := map[string]string{"From": "ana@example.com"}

	c.call(200, "GET /incidents/{id}/alerts", "/incidents/PT4KHLK/alerts?limit=100&sort_by=created_at:asc", nil, "")
	c.call(200, "GET /incidents/{id}/alerts", "/incidents/PSPEC01/alerts?total=true", nil, "") // none
	c.call(400, "GET /incidents/{id}/alerts", "/incidents/PT4KHLK/alerts?sort_by=severity", nil, "")
	c.call(400, "GET /incidents/{id}/alerts", "/incidents/PT4KHLK/alerts?limit=many", nil, "")
	// The spec's own example of related change events, as the REST example file holds it.
	var related struct {
		ChangeEvents []json.RawMessage `json:"change_events"`
	}
	if err := json.Unmarshal(payloads.PagerDuty(t, "rest-incident-related-change-events.example.json"), &related); err != nil || len(related.ChangeEvents) == 0 {
		t.Fatalf("related change events example: %v", err)
	}
	s.AddChangeEvents("PT4KHLK", related.ChangeEvents...)
	c.call(200, "GET /incidents/{id}/related_change_events", "/incidents/PT4KHLK/related_change_events?limit=100", nil, "")
	c.call(200, "GET /incidents/{id}/related_change_events", "/incidents/PT4KHLK/related_change_events?limit=1&total=true", nil, "")
	c.call(200, "GET /incidents/{id}/related_change_events", "/incidents/PSPEC01/related_change_events", nil, "") // none
	c.call(400, "GET /incidents/{id}/related_change_events", "/incidents/PT4KHLK/related_change_events?limit=-1", nil, "")
	c.call(404, "GET /incidents/{id}/related_change_events", "/incidents/PNOPE00/related_change_events", nil, "")
	c.call(200, "GET /users/{id}", "/users/PXPGF42", nil, "")
	c.call(404, "GET /users/{id}", "/users/PNOBODY", nil, "")

	s.AddIncident(pagerdutytest.ResolvedIncident("PSPEC02", 89, time.Date(2024, 3, 3, 8, 0, 0, 0, time.UTC), "", "high", "PSVC001"))
	for offset := 0; ; offset++ {
		page := c.call(200, "GET /incidents", "/incidents?statuses%5B%5D=resolved&service_ids%5B%5D=PSVC001&since=2024-03-01T00:00:00Z&until=2024-04-01T00:00:00Z&time_zone=UTC&total=true&limit=1&offset="+strconv.Itoa(offset), nil, "")
		if more, _ := openapicheck.Object(page)["more"].(bool); !more {
			break
		}
	}
	c.call(400, "GET /incidents", "/incidents?since=2024-01-01T00:00:00Z&until=2024-09-01T00:00:00Z", nil, "")
	c.call(200, "GET /incidents/{id}", "/incidents/PSPEC01", nil, "")
	c.call(200, "GET /incidents/{id}", "/incidents/88", nil, "")
	c.call(200, "GET /incidents/{id}", "/incidents/PT4KHLK", nil, "")
	c.call(404, "GET /incidents/{id}", "/incidents/PNOPE00", nil, "")
	for offset := 0; ; offset += 10 {
		page := c.call(200, "GET /incidents/{id}/log_entries",
			"/incidents/PSPEC01/log_entries?time_zone=UTC&total=true&limit=10&offset="+strconv.Itoa(offset), nil, "")
		if more, _ := openapicheck.Object(page)["more"].(bool); !more {
			break
		}
	}
	c.call(200, "GET /incidents/{id}/log_entries", "/incidents/PSPEC01/log_entries", nil, "") // the account's zone
	c.call(200, "GET /incidents/{id}/log_entries", "/incidents/PSPEC01/log_entries?since=2024-03-02T08:00:30Z&until=2024-03-02T08:01:00Z", nil, "")
	c.call(400, "GET /incidents/{id}/log_entries", "/incidents/PSPEC01/log_entries?offset=9990&limit=100", nil, "")
	c.call(400, "GET /incidents/{id}/log_entries", "/incidents/PSPEC01/log_entries?time_zone=Mars/Olympus", nil, "")
	c.call(400, "GET /incidents/{id}/log_entries", "/incidents/PSPEC01/log_entries?since=yesterday", nil, "")
	c.call(404, "GET /incidents/{id}/log_entries", "/incidents/PNOPE00/log_entries", nil, "")
	c.call(200, "GET /incidents/{id}/notes", "/incidents/PSPEC01/notes", nil, "")
	c.call(404, "GET /incidents/{id}/notes", "/incidents/PNOPE00/notes", nil, "")
	created := c.call(200, "POST /incidents/{id}/notes", "/incidents/PSPEC01/notes", from, `{"note":{"content":"Postmortem: https://github.com/acme/postmortems/pull/1"}}`)
	// The fake writes this note itself: it has every property of the spec's example, required or not.
	example := openapicheck.Object(spec.Pointer("#/paths/~1incidents~1{id}~1notes/post/responses/200/content/application~1json/examples/response/value/note"))
	if example == nil {
		t.Error("the spec has no example of a created note any more")
	}
	for name := range example {
		if _, ok := openapicheck.Object(openapicheck.Object(created)["note"])[name]; !ok {
			t.Errorf("POST /incidents/{id}/notes: the note lacks %q, which the spec's example has", name)
		}
	}
	c.call(200, "GET /incidents/{id}/notes", "/incidents/PSPEC01/notes", nil, "")
	c.call(400, "POST /incidents/{id}/notes", "/incidents/PSPEC01/notes", nil, `{"note":{"content":"x"}}`)
	c.call(400, "POST /incidents/{id}/notes", "/incidents/PSPEC01/notes", map[string]string{"From": "ana"}, `{"note":{"content":"x"}}`)
	c.call(400, "POST /incidents/{id}/notes", "/incidents/PSPEC01/notes", from, `{"note":{"content":" "}}`)
	c.call(400, "POST /incidents/{id}/notes", "/incidents/PSPEC01/notes", from, `{}`)
	c.call(404, "POST /incidents/{id}/notes", "/incidents/PNOPE00/notes", from, `{"note":{"content":"x"}}`)

	bad := *c
	bad.token = "wrong"
	for _, op := range pagerdutyOperations {
		_, path, _ := strings.Cut(op, " ")
		path = strings.Replace(path, "{id}", "PSPEC01", 1)
		bad.call(401, op, path, from, `{"note":{"content":"x"}}`)
		s.RateLimitNext(1, 30)
		c.call(429, op, path, from, `{"note":{"content":"x"}}`)
		s.FailNext(1, http.StatusForbidden)
		c.call(403, op, path, from, `{"note":{"content":"x"}}`)
	}
	// A 429 may come without rate limit headers; its body is the same.
	s.RateLimitNext(1, -1)
	c.call(429, "GET /incidents/{id}", "/incidents/PSPEC01", nil, "")

	for _, op := range pagerdutyOperations {
		if !c.seen[op] && !bad.seen[op] {
			t.Errorf("%s was never exercised", op)
		}
	}
}

// pdClient sends plain HTTP requests to the fake and checks each answer against the spec.
type pdClient struct {
	t     *testing.T
	spec  *openapicheck.Spec
	s     *pagerdutytest.Server
	token string // specToken when empty
	seen  map[string]bool
}

// call sends body with header to path for the operation op, fails the test unless the answer is want,
// checks the answer against the spec and returns its decoded body.
func (c *pdClient) call(want int, op, path string, header map[string]string, body string) any {
	c.t.Helper()
	method, _, _ := strings.Cut(op, " ")
	operation := c.spec.Operation(op)
	if operation == nil {
		c.t.Fatalf("%s is not in the spec", op)
	}
	c.seen[op] = true
	if method == http.MethodGet {
		body = ""
	}
	req, err := http.NewRequest(method, c.s.URL()+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	tok := c.token
	if tok == "" {
		tok = specToken
	}
	req.Header.Set("Authorization", "Token token="+tok)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rep, raw, where := openapicheck.Send(c.t, req, want)
	response, listed := c.spec.Response(operation, rep.StatusCode)
	if !listed {
		c.t.Errorf("%s: the spec does not list %d for %s", where, rep.StatusCode, op)
	}
	schema := c.spec.JSONSchema(response)
	if schema == nil {
		c.t.Fatalf("%s: the spec gives no JSON body for %d", where, rep.StatusCode)
	}
	v := c.spec.CheckJSON(c.t, where, schema, raw)
	if v == nil {
		return nil
	}
	if rep.StatusCode >= 400 {
		// Nothing in the error schema is required; PagerDuty's errors always carry both.
		e := openapicheck.Object(openapicheck.Object(v)["error"])
		if _, ok := e["message"].(string); !ok {
			c.t.Errorf("%s: error without a message: %s", where, raw)
		}
		if _, ok := e["code"].(float64); !ok {
			c.t.Errorf("%s: error without a code: %s", where, raw)
		}
	}
	return v
}
