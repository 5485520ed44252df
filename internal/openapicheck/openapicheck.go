// Package openapicheck checks JSON answers of the test fakes against an OpenAPI 3.0 description.
package openapicheck

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Spec is an OpenAPI 3.0 description decoded into plain JSON values: enough to follow $ref pointers
// and check a JSON value against a schema's required properties, types, nullability, enums and date-time
// formats. It is not a JSON Schema engine: oneOf passes when any alternative does, and
// minimum/maxLength/pattern and the like are not checked.
type Spec struct {
	// Doc is the whole description, decoded.
	Doc map[string]any
}

// Load reads the description at path, failing the test when it cannot.
func Load(t testing.TB, path string) *Spec {
	t.Helper()
	raw, err := os.ReadFile(path) //nolint:gosec // a test names the description it reads
	if err != nil {
		t.Fatalf("read the OpenAPI description: %v", err)
	}
	o := &Spec{}
	if err := json.Unmarshal(raw, &o.Doc); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return o
}

// Operation returns the operation object of op ("METHOD /path/{template}"), or nil.
func (o *Spec) Operation(op string) map[string]any {
	method, path, _ := strings.Cut(op, " ")
	return Object(Object(Object(o.Doc["paths"])[path])[strings.ToLower(method)])
}

// Response returns the operation's response object for status, following $ref, and whether the
// operation lists status (exactly, as "4XX", or through "default").
func (o *Spec) Response(operation map[string]any, status int) (map[string]any, bool) {
	responses := Object(operation["responses"])
	for _, key := range []string{strconv.Itoa(status), strconv.Itoa(status/100) + "XX", "default"} {
		if r, ok := responses[key]; ok {
			return o.Deref(Object(r)), true
		}
	}
	return nil, false
}

// JSONSchema returns the schema of a response's JSON body, or nil when it has none.
func (o *Spec) JSONSchema(response map[string]any) map[string]any {
	content := Object(response["content"])
	keys := make([]string, 0, len(content))
	for k := range content {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.Contains(k, "json") {
			return Object(Object(content[k])["schema"])
		}
	}
	return nil
}

// Pointer resolves a local reference such as "#/components/schemas/issue" or "#/components/schemas/Tag/allOf/0".
func (o *Spec) Pointer(ref string) any {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var v any = o.Doc
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
		v = Object(v)[part]
	}
	return v
}

// Deref follows $ref until it reaches an object without one.
func (o *Spec) Deref(v map[string]any) map[string]any {
	for range 32 {
		ref, ok := v["$ref"].(string)
		if !ok {
			return v
		}
		v = Object(o.Pointer(ref))
	}
	return v
}

// Check returns every way v breaks schema, each starting with where v is (at).
func (o *Spec) Check(at string, schema map[string]any, v any) []string {
	s := o.Deref(schema)
	if s == nil {
		return []string{at + ": unresolvable schema " + fmt.Sprint(schema["$ref"])}
	}
	types := typesOf(s)
	if v == nil && (s["nullable"] == true || slices.Contains(types, "null")) {
		return nil
	}
	var errs []string
	for _, sub := range List(s["allOf"]) {
		errs = append(errs, o.Check(at, Object(sub), v)...)
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		alts := List(s[key])
		if len(alts) == 0 {
			continue
		}
		// The closest alternative is one of v's type with the fewest errors: a file is not "closer" to
		// an array schema because it breaks it only once.
		var closest []string
		closestTyped := false
		for i, alt := range alts {
			e := o.Check(at, Object(alt), v)
			if len(e) == 0 {
				closest = nil
				break
			}
			typed := slices.ContainsFunc(typesOf(o.Deref(Object(alt))), func(t string) bool { return hasType(t, v) })
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
	if enum := List(s["enum"]); len(enum) > 0 && v != nil && !slices.Contains(enum, v) {
		errs = append(errs, fmt.Sprintf("%s: %v is none of %v", at, v, enum))
	}
	if str, ok := v.(string); ok {
		switch s["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339, str); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %q is not a date-time", at, str))
			}
		case "uri":
			// A URI whose documented default is "" may be "", as GitHub sends a deployment status's unset URLs.
			if str == "" && s["default"] == "" {
				break
			}
			if u, err := url.Parse(str); err != nil || !u.IsAbs() {
				errs = append(errs, fmt.Sprintf("%s: %q is not an absolute URI", at, str))
			}
		}
	}
	switch v := v.(type) {
	case map[string]any:
		props := Object(s["properties"])
		var missing []string
		for _, r := range List(s["required"]) {
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
				errs = append(errs, o.Check(at+"."+name, Object(p), v[name])...)
			} else if extra, ok := s["additionalProperties"].(map[string]any); ok {
				errs = append(errs, o.Check(at+"."+name, extra, v[name])...)
			} else if s["additionalProperties"] == false {
				errs = append(errs, fmt.Sprintf("%s: property %q is not allowed", at, name))
			}
		}
	case []any:
		if items := Object(s["items"]); items != nil {
			for i, item := range v {
				errs = append(errs, o.Check(fmt.Sprintf("%s[%d]", at, i), items, item)...)
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

// Object returns v as a JSON object, or nil.
func Object(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// List returns v as a JSON array, or nil.
func List(v any) []any {
	l, _ := v.([]any)
	return l
}

// Send sends req and reads the answer, failing the test unless its status is want. where names the
// exchange ("GET /path → 200") for the messages that follow.
func Send(t testing.TB, req *http.Request, want int) (resp *http.Response, raw []byte, where string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req) //nolint:gosec // tests send only to the fake they started
	if err != nil {
		t.Fatal(err)
	}
	raw, err = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	where = fmt.Sprintf("%s %s → %d", req.Method, req.URL.RequestURI(), resp.StatusCode)
	if resp.StatusCode != want {
		t.Fatalf("%s, want %d: %s", where, want, raw)
	}
	return resp, raw, where
}

// CheckJSON decodes raw and reports every way it breaks schema as a test error; it returns the decoded
// value, nil when raw is not JSON.
func (o *Spec) CheckJSON(t testing.TB, where string, schema map[string]any, raw []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Errorf("%s: the spec gives a JSON body, the answer is %q", where, raw)
		return nil
	}
	for _, e := range o.Check("body", schema, v) {
		t.Errorf("%s: %s", where, e)
	}
	return v
}
