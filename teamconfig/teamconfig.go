// Package teamconfig keeps the rules a team writes in its postmortem repository, .github/hindsight.yml on
// the default branch (policy, routes, people, reviewers, labels, lint, the mail's lists, the services'
// repositories and window of the changes, templates from a folder of that repository), in force over the service's own configuration, as policy-bot does with .policy.yml. It reads
// them through the contents API, keeps the last valid ones in Redis with a time to live, reads them again
// on a push to the default branch, and reports on every commit and pull request that changes them whether
// they are valid and what they change, as the commit status hindsight/config. An invalid file never stops
// postmortems: the last valid configuration stays in force, and the status says so.
package teamconfig

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hindsight-dev/hindsight/postmortem"
	"github.com/hindsight-dev/hindsight/redisstore"
)

// Path is the file of the team's rules in the postmortem repository.
const Path = postmortem.RulesPath

// StatusContext names the commit status that says whether a change of the rules is valid.
const StatusContext = "hindsight/config"

// Bounds on what one configuration reads from the repository.
const (
	MaxFileBytes     = 256 << 10
	MaxTemplates     = 20
	MaxTemplateBytes = 256 << 10
)

// GitHub is what the rules are read and reported through.
type GitHub interface {
	// File reads path at ref ("" for the default branch); ok is false when there is no such file.
	File(ctx context.Context, repo, ref, path string) (content string, ok bool, err error)
	// Dir lists the files directly in dir at ref; none when it does not exist.
	Dir(ctx context.Context, repo, ref, dir string) ([]string, error)
	SetNamedStatus(ctx context.Context, repo, sha, statusContext, state, description, targetURL string) error
}

// Snapshot is the team's configuration as read at one commit: the file, and the templates of the folder it
// names, by file name.
type Snapshot struct {
	Ref       string            `json:"ref"`
	Present   bool              `json:"present"`
	File      string            `json:"file,omitempty"`
	Templates map[string]string `json:"templates,omitempty"`
}

// key names the snapshot's content, whatever commit it was read at.
func (s Snapshot) key() string {
	h := sha256.New()
	fmt.Fprintf(h, "%t\x00%s\x00", s.Present, s.File)
	names := make([]string, 0, len(s.Templates))
	for n := range s.Templates {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%s\x00", n, s.Templates[n])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Settings are what a postmortem is made and checked by, and a description of them.
type Settings struct {
	postmortem.RuleSet
	// Sections describe each part of the configuration (policy, routes, people, …) in a canonical form, to
	// tell what a change does.
	Sections map[string]string
}

// Build makes the settings of a snapshot over the service's configuration; a snapshot without a file gives
// the service's own. Its error, one line naming the key, says why the snapshot is invalid.
type Build func(s Snapshot) (Settings, error)

// Loader keeps the settings of one repository in force.
type Loader struct {
	Store  *redisstore.Store
	GitHub GitHub
	Repo   string
	// TTL is how long settings read from the repository are used before it is read again.
	TTL    time.Duration
	Build  Build
	Logger *slog.Logger

	mu    sync.Mutex
	built map[string]Settings // by snapshot key
}

// retryAfter is how long a repository that could not be read is left alone before it is read again.
const retryAfter = time.Minute

// Current returns the settings in force: the last valid configuration of the repository over the service's
// own, read again once its time to live is over. It never fails: when neither Redis nor GitHub can be read
// it falls back on the last settings it built, or on the service's own, and logs why.
func (l *Loader) Current(ctx context.Context) Settings {
	raw, fresh, ok, err := l.Store.TeamConfig(ctx, l.Repo)
	if err != nil {
		l.Logger.Warn("team configuration not loaded; the service's own is used", "repo", l.Repo, "error", err)
		return l.fallback()
	}
	if !fresh {
		if _, err := l.Refresh(ctx, ""); err != nil {
			l.Logger.Warn("team configuration not read again; the last valid one stays in force", "repo", l.Repo, "error", err)
			if err := l.Store.SaveTeamConfig(ctx, l.Repo, nil, min(l.TTL, retryAfter)); err != nil {
				return l.fallback()
			}
		} else if raw, _, ok, err = l.Store.TeamConfig(ctx, l.Repo); err != nil {
			return l.fallback()
		}
	}
	if !ok {
		return l.fallback()
	}
	var snap Snapshot
	if err := json.Unmarshal(raw, &snap); err != nil {
		l.Logger.Warn("stored team configuration does not decode; the service's own is used", "repo", l.Repo, "error", err)
		return l.fallback()
	}
	s, err := l.build(snap)
	if err != nil {
		// Saved only once valid: it can fail only if the service's own configuration changed under it.
		l.Logger.Warn("stored team configuration is no longer valid; the service's own is used", "repo", l.Repo, "error", err)
		return l.fallback()
	}
	return s
}

// Rules implements postmortem.Rules: the rules of Current.
func (l *Loader) Rules(ctx context.Context) postmortem.RuleSet { return l.Current(ctx).RuleSet }

// fallback is the service's own settings.
func (l *Loader) fallback() Settings {
	s, err := l.build(Snapshot{})
	if err != nil {
		panic("teamconfig: the service's own configuration does not build: " + err.Error())
	}
	return s
}

func (l *Loader) build(s Snapshot) (Settings, error) {
	k := s.key()
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.built[k]; ok {
		return b, nil
	}
	b, err := l.Build(s)
	if err != nil {
		return Settings{}, err
	}
	if l.built == nil || len(l.built) > 16 {
		l.built = map[string]Settings{}
	}
	l.built[k] = b
	return b, nil
}

// Result is what reading the configuration of a commit found.
type Result = postmortem.RulesChange

// Refresh reads the configuration of the default branch again (at sha, the commit a push made, or at the
// branch's head when sha is ""). A valid one is put in force; an invalid one is not, and the last valid one
// stays. With a sha, the commit gets the hindsight/config status saying which. The error is for what could
// not be read or written, not for an invalid file.
func (l *Loader) Refresh(ctx context.Context, sha string) (Result, error) {
	before := l.inForce(ctx)
	snap, err := l.read(ctx, sha)
	if err != nil {
		return Result{}, err
	}
	s, berr := l.build(snap)
	res := Result{Valid: berr == nil, Err: berr}
	var keep []byte
	if berr == nil {
		res.Changes = Changes(before.Sections, s.Sections)
		if keep, err = json.Marshal(snap); err != nil {
			return Result{}, err
		}
	} else {
		l.Logger.Warn("team configuration is invalid; the last valid one stays in force", "repo", l.Repo, "ref", snap.Ref, "error", berr)
	}
	if err := l.Store.SaveTeamConfig(ctx, l.Repo, keep, l.TTL); err != nil {
		return Result{}, err
	}
	if sha != "" {
		state, desc := describe(res, true)
		if err := l.GitHub.SetNamedStatus(ctx, l.Repo, sha, StatusContext, state, desc, ""); err != nil {
			return res, err
		}
	}
	return res, nil
}

// inForce is the settings in force without reading the repository: the stored ones, else the service's.
func (l *Loader) inForce(ctx context.Context) Settings {
	raw, _, ok, err := l.Store.TeamConfig(ctx, l.Repo)
	if err != nil || !ok {
		return l.fallback()
	}
	var snap Snapshot
	if json.Unmarshal(raw, &snap) != nil {
		return l.fallback()
	}
	s, err := l.build(snap)
	if err != nil {
		return l.fallback()
	}
	return s
}

// CheckPullRequest reports, on the head commit of a pull request, whether the configuration it proposes is
// valid and what it would change against base (the branch it merges into). A pull request that changes
// neither the file nor its templates gets no status.
func (l *Loader) CheckPullRequest(ctx context.Context, headSHA, base string) (Result, bool, error) {
	head, err := l.read(ctx, headSHA)
	if err != nil {
		return Result{}, false, err
	}
	was, err := l.read(ctx, base)
	if err != nil {
		return Result{}, false, err
	}
	if head.key() == was.key() {
		return Result{}, false, nil
	}
	s, berr := l.build(head)
	res := Result{Valid: berr == nil, Err: berr}
	if berr == nil {
		before, err := l.build(was)
		if err != nil {
			before = l.fallback()
		}
		res.Changes = Changes(before.Sections, s.Sections)
	}
	state, desc := describe(res, false)
	if err := l.GitHub.SetNamedStatus(ctx, l.Repo, headSHA, StatusContext, state, desc, ""); err != nil {
		return res, true, err
	}
	return res, true, nil
}

// describe is the status of a result: on the default branch an invalid file leaves the last valid one in
// force; in a pull request it would not be merged as it is.
func describe(res Result, onDefaultBranch bool) (state, description string) {
	if !res.Valid {
		msg := "Invalid: " + oneLine(res.Err.Error())
		if onDefaultBranch {
			return "failure", "Not in force, the last valid configuration is. " + msg
		}
		return "failure", msg
	}
	if len(res.Changes) == 0 {
		return "success", "Valid; changes nothing Hindsight does"
	}
	return "success", "Valid; changes " + strings.Join(res.Changes, ", ")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Changes lists the sections whose description differs between before and after, sorted.
func Changes(before, after map[string]string) []string {
	var out []string
	for k, v := range after {
		if before[k] != v {
			out = append(out, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// read reads the file and its templates at ref ("" for the default branch).
func (l *Loader) read(ctx context.Context, ref string) (Snapshot, error) {
	snap := Snapshot{Ref: ref}
	file, ok, err := l.GitHub.File(ctx, l.Repo, ref, Path)
	if err != nil {
		return snap, fmt.Errorf("read %s of %s: %w", Path, l.Repo, err)
	}
	if !ok {
		return snap, nil
	}
	snap.Present, snap.File = true, file
	if len(file) > MaxFileBytes {
		// Kept as it is: the build refuses it with a message.
		return snap, nil
	}
	dir := TemplatesDir(file)
	if dir == "" {
		return snap, nil
	}
	names, err := l.GitHub.Dir(ctx, l.Repo, ref, dir)
	if err != nil {
		return snap, fmt.Errorf("list the templates of %s: %w", l.Repo, err)
	}
	snap.Templates = map[string]string{}
	for _, p := range names {
		if !strings.HasSuffix(p, postmortem.TemplateExt) {
			continue
		}
		if len(snap.Templates) == MaxTemplates {
			return snap, fmt.Errorf("%s holds more than %d templates", dir, MaxTemplates)
		}
		text, ok, err := l.GitHub.File(ctx, l.Repo, ref, p)
		if err != nil {
			return snap, fmt.Errorf("read template %s of %s: %w", p, l.Repo, err)
		}
		if ok {
			snap.Templates[path.Base(p)] = text
		}
	}
	return snap, nil
}

// TemplatesDir is the folder of the repository the file takes templates from, "" for none or when the file
// does not parse (the build then says why).
func TemplatesDir(file string) string {
	var f struct {
		Templates struct {
			Directory string `yaml:"directory"`
		} `yaml:"templates"`
	}
	if yaml.Unmarshal([]byte(file), &f) != nil {
		return ""
	}
	return strings.Trim(path.Clean("/"+strings.TrimSpace(f.Templates.Directory)), "/")
}

// ErrTooLarge is the build's error for a file over MaxFileBytes.
var ErrTooLarge = errors.New(Path + " is larger than 256 KiB")
