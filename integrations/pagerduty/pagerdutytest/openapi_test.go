package pagerdutytest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/integrations/pagerduty/pagerdutytest"
)

// pagerdutySpec is PagerDuty's REST API OpenAPI description (PagerDuty/api-schema, reference/REST/
// openapiv3.json), kept whole in the shared folder next to the repository: from this package's directory
// (repo/integrations/pagerduty/pagerdutytest) it is ../../../../shared/reference/pagerduty.
var pagerdutySpec = filepath.Join("..", "..", "..", "..", "shared", "reference", "pagerduty", "rest-openapiv3.json")

// pagerdutyOperations are the operations Hindsight's client sends and the fake answers.
var pagerdutyOperations = []string{
	"GET /incidents/{id}",
	"GET /incidents/{id}/log_entries",
	"GET /incidents/{id}/notes",
	"POST /incidents/{id}/notes",
}

const specToken = "spec-token"

// loadPagerDutySpec loads the description, skipping the test when the shared folder is absent, and
// corrects what it gets wrong about the real API.
func loadPagerDutySpec(t *testing.T) *openAPI {
	t.Helper()
	if _, err := os.Stat(pagerdutySpec); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("PagerDuty's OpenAPI description %s is absent (expected the shared folder next to the repository)", pagerdutySpec)
	}
	spec := loadOpenAPI(t, pagerdutySpec)
	// The description names the acknowledgement entry "acknowledgement_log_entry"; the API, go-pagerduty's
	// users and PagerDuty's own log entry docs say "acknowledge_log_entry". Both are accepted.
	ack := object(object(list(object(object(object(spec.doc["components"])["schemas"])["AcknowledgeLogEntry"])["allOf"])[1])["properties"])
	typ := object(ack["type"])
	if typ == nil {
		t.Fatal("AcknowledgeLogEntry has changed shape: revisit the erratum")
	}
	typ["enum"] = append(list(typ["enum"]), "acknowledge_log_entry")
	// Properties the description does not mark nullable though its own example of GET /incidents/{id}
	// (and the API) has them null.
	for _, ptr := range []string{
		"#/components/schemas/Incident/allOf/1/properties/resolved_at",    // "or `null` if the incident is not resolved"
		"#/components/schemas/Incident/allOf/1/properties/resolve_reason", // null unless merged
		"#/components/schemas/Incident/allOf/1/properties/alert_grouping/properties/ended_at",
	} {
		parent, name := ptr[:strings.LastIndex(ptr, "/")], ptr[strings.LastIndex(ptr, "/")+1:]
		props := object(spec.pointer(parent))
		if props[name] == nil {
			t.Fatalf("%s is gone from the description: revisit the erratum", ptr)
		}
		props[name] = map[string]any{"nullable": true, "allOf": []any{props[name]}}
	}
	return spec
}

func TestPagerDutySpecHasEveryOperation(t *testing.T) {
	spec := loadPagerDutySpec(t)
	for _, op := range pagerdutyOperations {
		if spec.operation(op) == nil {
			t.Errorf("%s is not in %s", op, pagerdutySpec)
		}
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
	// The spec's own examples, as the shared folder keeps them.
	if raw, err := os.ReadFile(filepath.Join(filepath.Dir(pagerdutySpec), "rest-get-incident.example.json")); err == nil {
		var example struct {
			Incident json.RawMessage `json:"incident"`
		}
		if err := json.Unmarshal(raw, &example); err != nil {
			t.Fatal(err)
		}
		s.AddIncident(example.Incident)
	}
	c := &pdClient{t: t, spec: spec, s: s, seen: map[string]bool{}}
	from := map[string]string{"From": "ana@example.com"}

	c.call(200, "GET /incidents/{id}", "/incidents/PSPEC01", nil, "")
	c.call(200, "GET /incidents/{id}", "/incidents/88", nil, "")
	c.call(200, "GET /incidents/{id}", "/incidents/PT4KHLK", nil, "")
	c.call(404, "GET /incidents/{id}", "/incidents/PNOPE00", nil, "")
	for offset := 0; ; offset += 10 {
		page := c.call(200, "GET /incidents/{id}/log_entries",
			"/incidents/PSPEC01/log_entries?time_zone=UTC&total=true&limit=10&offset="+strconv.Itoa(offset), nil, "")
		if more, _ := object(page)["more"].(bool); !more {
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
	example := object(spec.pointer("#/paths/~1incidents~1{id}~1notes/post/responses/200/content/application~1json/examples/response/value/note"))
	if example == nil {
		t.Error("the spec has no example of a created note any more")
	}
	for name := range example {
		if _, ok := object(object(created)["note"])[name]; !ok {
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
	spec  *openAPI
	s     *pagerdutytest.Server
	token string // specToken when empty
	seen  map[string]bool
}

// call sends body with header to path for the operation op, fails the test unless the answer is want,
// checks the answer against the spec and returns its decoded body.
func (c *pdClient) call(want int, op, path string, header map[string]string, body string) any {
	c.t.Helper()
	method, _, _ := strings.Cut(op, " ")
	operation := c.spec.operation(op)
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
	rep, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	raw, err := io.ReadAll(rep.Body)
	_ = rep.Body.Close()
	if err != nil {
		c.t.Fatal(err)
	}
	where := fmt.Sprintf("%s %s → %d", method, path, rep.StatusCode)
	if rep.StatusCode != want {
		c.t.Fatalf("%s, want %d: %s", where, want, raw)
	}
	response, listed := c.spec.response(operation, rep.StatusCode)
	if !listed {
		c.t.Errorf("%s: the spec does not list %d for %s", where, rep.StatusCode, op)
	}
	schema := c.spec.jsonSchema(response)
	if schema == nil {
		c.t.Fatalf("%s: the spec gives no JSON body for %d", where, rep.StatusCode)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		c.t.Errorf("%s: not JSON: %q", where, raw)
		return nil
	}
	for _, e := range c.spec.check("body", schema, v) {
		c.t.Errorf("%s: %s", where, e)
	}
	if rep.StatusCode >= 400 {
		// Nothing in the error schema is required; PagerDuty's errors always carry both.
		e := object(object(v)["error"])
		if _, ok := e["message"].(string); !ok {
			c.t.Errorf("%s: error without a message: %s", where, raw)
		}
		if _, ok := e["code"].(float64); !ok {
			c.t.Errorf("%s: error without a code: %s", where, raw)
		}
	}
	return v
}

// openAPI is an OpenAPI 3.0 description decoded into plain JSON values: enough to follow $ref pointers
// and check a JSON value against a schema's required properties, types, nullability, enums and date-time
// formats. It is not a JSON Schema engine: oneOf passes when any alternative does, and
// minimum/maxLength/pattern and the like are not checked.
type openAPI struct {
	doc map[string]any
}

func loadOpenAPI(t *testing.T, path string) *openAPI {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the OpenAPI description: %v", err)
	}
	o := &openAPI{}
	if err := json.Unmarshal(raw, &o.doc); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return o
}

// operation returns the operation object of op ("METHOD /path/{template}"), or nil.
func (o *openAPI) operation(op string) map[string]any {
	method, path, _ := strings.Cut(op, " ")
	return object(object(object(o.doc["paths"])[path])[strings.ToLower(method)])
}

// response returns the operation's response object for status, following $ref, and whether the
// operation lists status (exactly, as "4XX", or through "default").
func (o *openAPI) response(operation map[string]any, status int) (map[string]any, bool) {
	responses := object(operation["responses"])
	for _, key := range []string{strconv.Itoa(status), strconv.Itoa(status/100) + "XX", "default"} {
		if r, ok := responses[key]; ok {
			return o.deref(object(r)), true
		}
	}
	return nil, false
}

// jsonSchema returns the schema of a response's JSON body, or nil when it has none.
func (o *openAPI) jsonSchema(response map[string]any) map[string]any {
	content := object(response["content"])
	keys := make([]string, 0, len(content))
	for k := range content {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.Contains(k, "json") {
			return object(object(content[k])["schema"])
		}
	}
	return nil
}

// pointer resolves a local reference such as "#/components/schemas/issue" or "#/components/schemas/Tag/allOf/0".
func (o *openAPI) pointer(ref string) any {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var v any = o.doc
	for _, part := range strings.Split(rest, "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		if l, ok := v.([]any); ok {
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(l) {
				return nil
			}
			v = l[i]
			continue
		}
		v = object(v)[part]
	}
	return v
}

// deref follows $ref until it reaches an object without one.
func (o *openAPI) deref(v map[string]any) map[string]any {
	for range 32 {
		ref, ok := v["$ref"].(string)
		if !ok {
			return v
		}
		v = object(o.pointer(ref))
	}
	return v
}

// check returns every way v breaks schema, each starting with where v is (at).
func (o *openAPI) check(at string, schema map[string]any, v any) []string {
	s := o.deref(schema)
	if s == nil {
		return []string{at + ": unresolvable schema " + fmt.Sprint(schema["$ref"])}
	}
	types := typesOf(s)
	if v == nil && (s["nullable"] == true || slices.Contains(types, "null")) {
		return nil
	}
	var errs []string
	for _, sub := range list(s["allOf"]) {
		errs = append(errs, o.check(at, object(sub), v)...)
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		alts := list(s[key])
		if len(alts) == 0 {
			continue
		}
		// The closest alternative is one of v's type with the fewest errors: a file is not "closer" to
		// an array schema because it breaks it only once.
		var closest []string
		closestTyped := false
		for i, alt := range alts {
			e := o.check(at, object(alt), v)
			if len(e) == 0 {
				closest = nil
				break
			}
			typed := slices.ContainsFunc(typesOf(o.deref(object(alt))), func(t string) bool { return hasType(t, v) })
			if i == 0 || (typed && !closestTyped) || (typed == closestTyped && len(e) < len(closest)) {
				closest, closestTyped = e, typed
			}
		}
		if closest != nil {
			errs = append(errs, fmt.Sprintf("%s: matches none of the %d %s alternatives; the closest fails with: %s",
				at, len(alts), key, strings.Join(closest, "; ")))
		}
	}
	if len(types) > 0 && !slices.ContainsFunc(types, func(t string) bool { return hasType(t, v) }) {
		return append(errs, fmt.Sprintf("%s: %s, want %s", at, typeOf(v), strings.Join(types, " or ")))
	}
	if enum := list(s["enum"]); len(enum) > 0 && v != nil && !slices.Contains(enum, v) {
		errs = append(errs, fmt.Sprintf("%s: %v is none of %v", at, v, enum))
	}
	if str, ok := v.(string); ok {
		switch s["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339, str); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %q is not a date-time", at, str))
			}
		case "uri":
			if u, err := url.Parse(str); err != nil || !u.IsAbs() {
				errs = append(errs, fmt.Sprintf("%s: %q is not an absolute URI", at, str))
			}
		}
	}
	switch v := v.(type) {
	case map[string]any:
		props := object(s["properties"])
		var missing []string
		for _, r := range list(s["required"]) {
			if name, _ := r.(string); name != "" {
				if _, ok := v[name]; !ok {
					missing = append(missing, name)
				}
			}
		}
		if len(missing) > 0 {
			errs = append(errs, fmt.Sprintf("%s: missing required %s", at, strings.Join(missing, ", ")))
		}
		names := make([]string, 0, len(v))
		for name := range v {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if p, ok := props[name]; ok {
				errs = append(errs, o.check(at+"."+name, object(p), v[name])...)
			} else if extra, ok := s["additionalProperties"].(map[string]any); ok {
				errs = append(errs, o.check(at+"."+name, extra, v[name])...)
			} else if s["additionalProperties"] == false {
				errs = append(errs, fmt.Sprintf("%s: property %q is not allowed", at, name))
			}
		}
	case []any:
		if items := object(s["items"]); items != nil {
			for i, item := range v {
				errs = append(errs, o.check(fmt.Sprintf("%s[%d]", at, i), items, item)...)
			}
		}
	}
	return errs
}

// typesOf returns a schema's types: "type" as a string or a list, or "object" for a schema with
// properties and no type.
func typesOf(s map[string]any) []string {
	switch t := s["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if name, ok := x.(string); ok {
				out = append(out, name)
			}
		}
		return out
	}
	if _, ok := s["properties"]; ok {
		return []string{"object"}
	}
	return nil
}

func hasType(t string, v any) bool {
	switch v := v.(type) {
	case nil:
		return t == "null"
	case bool:
		return t == "boolean"
	case string:
		return t == "string"
	case float64:
		return t == "number" || (t == "integer" && v == math.Trunc(v))
	case []any:
		return t == "array"
	case map[string]any:
		return t == "object"
	}
	return false
}

func typeOf(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		if v == math.Trunc(v) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func object(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}
