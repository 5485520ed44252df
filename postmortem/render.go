package postmortem

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"text/template"
)

// TemplateExt is the file name ending of postmortem templates.
const TemplateExt = ".md.tmpl"

// Renderer executes postmortem templates by name ("full" is full.md.tmpl).
type Renderer struct {
	templates map[string]*template.Template
}

// NewRenderer parses every *.md.tmpl file of the given file systems; a file in a later one replaces the
// file of the same name in an earlier one, so a team's template directory overrides the embedded set.
// A template that fails to parse is an error naming its file and line.
func NewRenderer(sets ...fs.FS) (*Renderer, error) {
	r := &Renderer{templates: map[string]*template.Template{}}
	for _, fsys := range sets {
		names, err := fs.Glob(fsys, "*"+TemplateExt)
		if err != nil {
			return nil, fmt.Errorf("list templates: %w", err)
		}
		for _, file := range names {
			text, err := fs.ReadFile(fsys, file)
			if err != nil {
				return nil, fmt.Errorf("read template %s: %w", file, err)
			}
			t, err := template.New(file).Option("missingkey=error").Funcs(templateFuncs).Parse(string(text))
			if err != nil {
				return nil, fmt.Errorf("parse template: %w", err)
			}
			r.templates[strings.TrimSuffix(path.Base(file), TemplateExt)] = t
		}
	}
	if len(r.templates) == 0 {
		return nil, errors.New("no templates found")
	}
	return r, nil
}

// templateFuncs are the functions templates may call besides text/template's built-ins.
var templateFuncs = template.FuncMap{
	// plural returns word, with an "s" unless n is 1.
	"plural": func(n int, word string) string {
		if n == 1 {
			return word
		}
		return word + "s"
	},
	// add returns a+b, for numbering.
	"add": func(a, b int) int { return a + b },
}

// Has reports whether a template of that name exists.
func (r *Renderer) Has(name string) bool {
	_, ok := r.templates[name]
	return ok
}

// Names returns the template names.
func (r *Renderer) Names() []string {
	names := make([]string, 0, len(r.templates))
	for n := range r.templates {
		names = append(names, n)
	}
	return names
}

// Render executes the named template with data. An execution error names the file and line.
func (r *Renderer) Render(name string, data any) (string, error) {
	t, ok := r.templates[name]
	if !ok {
		return "", fmt.Errorf("no template named %q (want one of %s)", name, strings.Join(r.Names(), ", "))
	}
	// A strings.Builder hands its bytes over as the string: a giant incident's draft is not held twice.
	var b strings.Builder
	if doc, ok := data.(Document); ok && len(doc.Timeline)+len(doc.Condensed) > countedRows {
		// A giant incident's draft is tens of megabytes: grown by doubling, its last two copies would be
		// held at once. The template is run once to count its bytes, and the draft written into exactly
		// that much room.
		var n byteCounter
		if err := t.Execute(&n, data); err != nil {
			return "", fmt.Errorf("render template: %w", err)
		}
		b.Grow(int(n))
	}
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("render template: %w", err)
	}
	return b.String(), nil
}

// countedRows is the number of timeline rows above which a document's size is counted before it is
// rendered.
const countedRows = 10_000

// byteCounter is a writer that counts the bytes written to it.
type byteCounter int

func (c *byteCounter) Write(p []byte) (int, error) {
	*c += byteCounter(len(p))
	return len(p), nil
}
