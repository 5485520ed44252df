package pagerduty

import (
	"encoding/json"
	"reflect"
	"testing"
)

var plainSeeds = []string{
	`{"id":"PU1","type":"user_reference","summary":"Ana","self":"https://api.pagerduty.com/users/PU1","html_url":"https://acme.pagerduty.com/users/PU1"}`,
	`{"id":"PU1","name":"Ana","email":"ana@example.com"}`,
	`{"ID":"PU1"}`, `{"Summary":"Ana","summary":"Ben"}`, `{"ſummary":"Ana"}`, `{"id":"a","id":"b"}`, `{"id":5,"id":"b"}`,
	`{"id":"caf\u00e9"}`, `{"id":"café"}`, "{\"id\":\"\xff\"}", `{"id":null}`, `null`, `"PU1"`, `[]`, `{}`, `{"id":"a"} {}`,
	`{"\u0069d":"PU1"}`, `{"summary":"tab	in"}`, `{"id":"a","extra":{"nested":[1,2]}}`, `[{"id":"a"},{"id":"b"}]`, `[{"id":"a"},null]`,
	`[{"ID":"a"}]`, `[]  `, `[`,
}

// FuzzPlainReference checks that the fast reading of references and strings agrees with json.Unmarshal
// whenever it answers.
func FuzzPlainReference(f *testing.F) {
	for _, s := range plainSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if r, ok := plainReference(raw); ok {
			var want reference
			if err := json.Unmarshal(raw, &want); err != nil || r != want {
				t.Errorf("plainReference(%q) = %+v; json.Unmarshal: %+v, %v", raw, r, want, err)
			}
		}
		if rs, ok := plainReferences(raw); ok {
			var want []reference
			if err := json.Unmarshal(raw, &want); err != nil || !reflect.DeepEqual(rs, want) {
				t.Errorf("plainReferences(%q) = %+v; json.Unmarshal: %+v, %v", raw, rs, want, err)
			}
		}
		if s, ok := plainString(raw); ok {
			var want string
			if err := json.Unmarshal(raw, &want); err != nil || s != want {
				t.Errorf("plainString(%q) = %q; json.Unmarshal: %q, %v", raw, s, want, err)
			}
		}
	})
}

// TestPlainReferenceReadsTheUsualReference checks that the usual reference takes the fast way.
func TestPlainReferenceReadsTheUsualReference(t *testing.T) {
	r, ok := plainReference([]byte(plainSeeds[0]))
	want := reference{ID: "PU1", Type: "user_reference", Summary: "Ana", HTMLURL: "https://acme.pagerduty.com/users/PU1"}
	if !ok || r != want {
		t.Errorf("plainReference = %+v, %v; want %+v, true", r, ok, want)
	}
	for _, raw := range []string{`{"ID":"PU1"}`, `{"id":"a","id":"b"}`, `{"id":5,"id":"b"}`, `{"ſummary":"Ana"}`, "{\"id\":\"\xff\"}", `{"id":null}`} {
		if _, ok := plainReference([]byte(raw)); ok {
			t.Errorf("plainReference(%s) took the fast way; json.Unmarshal must read it", raw)
		}
	}
}
