// Package yamlcheck decodes YAML strictly: a key no field takes is an error that names it as written, with
// its line and the closest known key. The service's configuration file and the postmortem repository's
// .github/hindsight.yml are both read through it.
package yamlcheck

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	yamlUnmarshaler = reflect.TypeFor[yaml.Unmarshaler]()
)

// KeyError is an unknown key: its line, its dotted path ("github.reviewerz") and the closest known key.
type KeyError struct {
	Line    int
	Path    string
	Closest string
}

func (e *KeyError) Error() string {
	msg := fmt.Sprintf("line %d: %s: unknown key", e.Line, e.Path)
	if e.Closest != "" {
		msg += " (did you mean " + e.Closest + "?)"
	}
	return msg
}

// CheckKeys reports the first key under n that no field of type t takes, as the user wrote it, with its
// line and the closest known key: "line 3: github.reviewerz: unknown key (did you mean reviewers?)".
// Values of the wrong kind are left to the decoder. The error is a *KeyError.
func CheckKeys(n *yaml.Node, t reflect.Type, path string) error {
	for n != nil && (n.Kind == yaml.DocumentNode || n.Kind == yaml.AliasNode) {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else if len(n.Content) > 0 {
			n = n.Content[0]
		} else {
			return nil
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n == nil || reflect.PointerTo(t).Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(yamlUnmarshaler) {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		return checkStructKeys(n, t, path)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := CheckKeys(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return nil
		}
		for i, item := range n.Content {
			if err := CheckKeys(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkStructKeys checks the keys of mapping n against the fields of struct t, and their values in turn.
func checkStructKeys(n *yaml.Node, t reflect.Type, path string) error {
	fields := yamlFields(t)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		if key.Tag == "!!merge" { // "<<: *defaults" brings in the keys of another mapping, or of several
			merged := []*yaml.Node{value}
			if value.Kind == yaml.SequenceNode {
				merged = value.Content
			}
			for _, m := range merged {
				if err := CheckKeys(m, t, path); err != nil {
					return err
				}
			}
			continue
		}
		ft, ok := fields[key.Value]
		if !ok {
			names := make([]string, 0, len(fields))
			for name := range fields {
				names = append(names, name)
			}
			return &KeyError{Line: key.Line, Path: join(path, key.Value), Closest: closest(key.Value, names)}
		}
		if err := CheckKeys(value, ft, join(path, key.Value)); err != nil {
			return err
		}
	}
	return nil
}

// yamlFields maps the YAML names of t's fields, inline structs included, to their types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			for k, v := range yamlFields(f.Type) {
				fields[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// closest is the name nearest to key when it is near enough to be a typo, else "".
func closest(key string, names []string) string {
	best, bestDist := "", 0
	for _, name := range names {
		d := editDistance(strings.ToLower(key), name)
		if best == "" || d < bestDist || d == bestDist && name < best {
			best, bestDist = name, d
		}
	}
	if best == "" || bestDist > min(3, max(1, (len(key)+1)/3)) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, counted in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// HasPath reports whether a dotted path of keys ("github.token", "routes.repo") names a field of t, list
// items taken as their element.
func HasPath(t reflect.Type, path string) bool {
	for _, key := range strings.Split(path, ".") {
		if i := strings.IndexByte(key, '['); i >= 0 {
			key = key[:i]
		}
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Struct:
			ft, ok := yamlFields(t)[key]
			if !ok {
				return false
			}
			t = ft
		case reflect.Map:
			t = t.Elem()
		default:
			return false
		}
	}
	return true
}

// DecodeStrict decodes data into v, failing on an unknown key (a *KeyError) or a value of the wrong kind.
func DecodeStrict(data []byte, v any) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	if err := CheckKeys(&doc, reflect.TypeOf(v), ""); err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}
