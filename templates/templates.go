// Package templates holds the postmortem templates Hindsight ships. A team can override any of them by
// name from a template directory of its own.
package templates

import "embed"

// FS holds default.md.tmpl (the postmortem file) and pull-request.md.tmpl (the pull request description).
//
//go:embed *.md.tmpl
var FS embed.FS
