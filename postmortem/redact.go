package postmortem

import (
	"cmp"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Redaction says what a customer-facing version must not show, and how people are named in it.
type Redaction struct {
	// People are the names, logins and emails of people, replaced by their role, or by "a team member".
	People []string
	// Roles maps a name, login or email (case-insensitively) to the role it is written as: "incident
	// commander", "responder 2".
	Roles map[string]string
	// PublicHosts are the hosts (and their subdomains) whose links and names may stay: the status page, the
	// public website. Every other link is removed.
	PublicHosts []string
	// InternalDomains are domain suffixes that are internal besides the built-in ones (.internal, .local,
	// .corp, .lan, .svc, …): names under them are always removed, even with two labels.
	InternalDomains []string
}

// Kinds of what a customer-facing version leaves out.
const (
	RemovedLink    = "link"
	RemovedHost    = "host"
	RemovedAddress = "address"
	RemovedPerson  = "person"
	RemovedQuote   = "quote"
	RemovedCode    = "code"
)

// Removal is one thing the customer-facing version left out or replaced.
type Removal struct {
	Kind string
	Text string
}

// Removals lists what was removed, in the order it was found.
type Removals []Removal

// Count is how many removals are of kind.
func (rs Removals) Count(kind string) int {
	n := 0
	for _, r := range rs {
		if r.Kind == kind {
			n++
		}
	}
	return n
}

// builtinInternalSuffixes are the domains no public host is under (RFC 6762, RFC 8375, common practice,
// Kubernetes' cluster DNS).
var builtinInternalSuffixes = []string{"internal", "local", "localdomain", "localhost", "corp", "lan", "intranet",
	"intra", "home.arpa", "svc", "cluster.local", "priv", "private", "prod", "staging"}

// fileExtensions end names that are files, not hosts ("config.yaml", "main.go").
var fileExtensions = map[string]bool{"md": true, "go": true, "yaml": true, "yml": true, "json": true, "txt": true,
	"py": true, "js": true, "ts": true, "sh": true, "conf": true, "cfg": true, "log": true, "toml": true, "ini": true,
	"html": true, "css": true, "tf": true, "rb": true, "java": true, "sql": true, "lock": true, "xml": true, "csv": true,
	"pem": true, "crt": true, "key": true, "tar": true, "gz": true, "zip": true, "exe": true, "so": true, "jar": true,
	"png": true, "jpg": true, "svg": true, "pdf": true, "service": true, "socket": true, "tmpl": true, "rs": true,
	"php": true, "jsx": true, "tsx": true, "mod": true, "sum": true, "env": true, "pb": true, "proto": true, "bin": true}

// machineNameWords start hyphenated words that end in digits and are no machine: "utf-8", "sha-256".
var machineNameWords = map[string]bool{"utf": true, "sha": true, "iso": true, "rfc": true, "cve": true, "covid": true,
	"x86": true, "ipv": true, "http": true, "tls": true, "md": true, "base": true, "aes": true, "ecma": true, "es": true,
	"ghsa": true, "pep": true, "iso8601": true, "top": true, "step": true, "phase": true, "day": true, "week": true,
	"level": true, "p": true, "sev": true, "tier": true, "covid19": true, "h": true, "ansi": true, "win": true, "gpt": true,
	// cloud regions and zones: "us-east-1", "europe-west4-a"
	"us": true, "eu": true, "ap": true, "sa": true, "ca": true, "me": true, "af": true, "il": true, "mx": true,
	"europe": true, "asia": true, "australia": true, "northamerica": true, "southamerica": true, "africa": true}

// publicTLDs are the generic top-level domains a host name is recognised by besides every two-letter
// country code; names ending otherwise ("jupyterhub.singleuser.image") are configuration keys or code.
var publicTLDs = map[string]bool{"com": true, "org": true, "net": true, "io": true, "dev": true, "app": true,
	"cloud": true, "edu": true, "gov": true, "mil": true, "int": true, "info": true, "biz": true, "tech": true,
	"site": true, "online": true, "xyz": true, "ai": true, "page": true, "run": true, "services": true,
	"systems": true, "network": true, "team": true, "company": true, "tools": true, "host": true, "arpa": true}

// roleMailboxes are the local parts of addresses that belong to a function, not to a person.
var roleMailboxes = map[string]bool{"security": true, "support": true, "admin": true, "help": true, "info": true,
	"noreply": true, "no-reply": true, "abuse": true, "ops": true, "sre": true, "oncall": true, "status": true,
	"contact": true, "hello": true, "privacy": true, "legal": true, "postmaster": true, "webmaster": true}

var (
	redactMarkdownLink = regexp.MustCompile(`(!?)\[([^\[\]]*)\]\(\s*<?([^()\s<>]+)>?(?:\s+"[^"]*")?\s*\)`)
	redactRefLink      = regexp.MustCompile(`(!?)\[([^\[\]]+)\]\[([^\[\]]*)\]`)
	redactShortcutRef  = regexp.MustCompile(`\[([^\[\]]+)\]`)
	redactRefDef       = regexp.MustCompile(`^ {0,3}\[([^\[\]]+)\]:\s*(\S+)`)
	redactURL          = regexp.MustCompile(`<?\b(?:https?|ftp|ssh|wss?)://[^\s<>()\[\]"'` + "`" + `]+>?`)
	redactEmail        = regexp.MustCompile(`\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\b`)
	redactMention      = regexp.MustCompile(`(?:^|[^\w/@.])(@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9_.-]+)?)`)
	redactIPv4         = regexp.MustCompile(`\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?:/\d{1,2}|:\d{1,5})?\b`)
	redactHostname     = regexp.MustCompile(`\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?::\d{1,5})?\b`)
	redactMachineName  = regexp.MustCompile(`\b([a-z][a-z0-9]*)(?:-[a-z0-9]+)*-\d+[a-z]?\b`)
)

// redactSpan is a part of a line to replace.
type redactSpan struct {
	start, end int
	kind       string
	text       string
	// keep marks a public link: left as it is, and not looked into by later detectors.
	keep bool
	with string
}

type redactor struct {
	cfg      Redaction
	people   []*regexp.Regexp
	names    []string
	internal []string
	public   []string
	removed  Removals
	refs     map[string]bool
}

func newRedactor(cfg Redaction) *redactor {
	r := &redactor{cfg: cfg, internal: append(slices.Clone(builtinInternalSuffixes), lowerAll(cfg.InternalDomains)...),
		public: lowerAll(cfg.PublicHosts)}
	names := slices.Clone(cfg.People)
	for k := range cfg.Roles {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimPrefix(strings.TrimSpace(n), "@")
		if len([]rune(n)) < 2 || !utf8.ValidString(n) || seen[strings.ToLower(n)] {
			continue
		}
		seen[strings.ToLower(n)] = true
		pattern := strings.Join(strings.Fields(regexp.QuoteMeta(n)), `\s+`)
		r.people = append(r.people, regexp.MustCompile(`(?i)@?`+pattern))
		r.names = append(r.names, n)
	}
	return r
}

func lowerAll(list []string) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		if s = strings.Trim(strings.ToLower(strings.TrimSpace(s)), "."); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// role is how a person is written: their role when known, else "a team member".
func (r *redactor) role(name string) string {
	name = strings.TrimPrefix(name, "@")
	for k, v := range r.cfg.Roles {
		if strings.EqualFold(strings.TrimPrefix(k, "@"), name) && v != "" {
			if last := v[len(v)-1]; last >= '0' && last <= '9' {
				return v // "responder 2"
			}
			return "the " + v
		}
	}
	return "a team member"
}

// publicHost reports whether host is a public host or under one.
func (r *redactor) publicHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, p := range r.public {
		if host == p || strings.HasSuffix(host, "."+p) {
			return true
		}
	}
	return false
}

func (r *redactor) internalSuffix(host string) bool {
	for _, s := range r.internal {
		if host == s || strings.HasSuffix(host, "."+s) {
			return true
		}
	}
	return false
}

// isHost says whether a dotted lowercase name is a host to remove: one under an internal domain, or with
// three labels or more or a digit in its first label ("db1.example.com", "prow.k8s.io"), unless it is public.
// Two-label names ("example.com") name a company or product and stay, as do file names and versions.
func (r *redactor) isHost(name string) bool {
	host := name
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	labels := strings.Split(host, ".")
	last := labels[len(labels)-1]
	if len(last) < 2 || strings.ContainsAny(last, "0123456789-") || fileExtensions[last] {
		return false
	}
	if r.internalSuffix(host) {
		return true
	}
	if r.publicHost(host) || labels[0] == "www" || len(last) != 2 && !publicTLDs[last] {
		return false
	}
	return len(labels) >= 3 || strings.ContainsAny(labels[0], "0123456789")
}

func urlHost(raw string) string {
	u, err := url.Parse(strings.Trim(raw, "<>"))
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// scan finds what must go from one line of text, left to right, without overlaps: links first, then
// emails, mentions, addresses, hostnames, machine names and people's names. A detector earlier in that
// order wins where two overlap.
func (r *redactor) scan(line string) []redactSpan {
	var spans spanSet
	r.scanLinks(line, &spans)
	r.scanContacts(line, &spans)
	r.scanMachines(line, &spans)
	r.scanNames(line, &spans)
	slices.SortFunc(spans, func(a, b redactSpan) int { return a.start - b.start })
	return spans
}

// spanSet is the spans found so far in one line, none overlapping another.
type spanSet []redactSpan

// add takes sp unless it overlaps a span already taken.
func (s *spanSet) add(sp redactSpan) {
	for _, o := range *s {
		if sp.start < o.end && o.start < sp.end {
			return
		}
	}
	*s = append(*s, sp)
}

// scanLinks adds the line's Markdown links, reference links, shortcut references to a known definition
// and bare URLs. A link to a public host is kept, and nothing later looks into it; any other goes and
// leaves its text, redacted (an image leaves nothing, a bare URL "an internal link").
func (r *redactor) scanLinks(line string, spans *spanSet) {
	for _, m := range redactMarkdownLink.FindAllStringSubmatchIndex(line, -1) {
		image, text, target := line[m[2]:m[3]] != "", line[m[4]:m[5]], line[m[6]:m[7]]
		if r.publicHost(urlHost(target)) {
			spans.add(redactSpan{start: m[0], end: m[1], keep: true})
			continue
		}
		with := ""
		if !image {
			with = r.inline(text)
		}
		spans.add(redactSpan{start: m[0], end: m[1], kind: RemovedLink, text: target, with: with})
	}
	for _, m := range redactRefLink.FindAllStringSubmatchIndex(line, -1) {
		with := ""
		if line[m[2]:m[3]] == "" {
			with = r.inline(line[m[4]:m[5]])
		}
		spans.add(redactSpan{start: m[0], end: m[1], kind: RemovedLink, text: line[m[0]:m[1]], with: with})
	}
	for _, m := range redactShortcutRef.FindAllStringSubmatchIndex(line, -1) {
		if r.refs[strings.ToLower(line[m[2]:m[3]])] && !strings.HasPrefix(line[m[1]:], "(") {
			spans.add(redactSpan{start: m[0], end: m[1], kind: RemovedLink, text: line[m[0]:m[1]], with: r.inline(line[m[2]:m[3]])})
		}
	}
	for _, m := range redactURL.FindAllStringIndex(line, -1) {
		u := strings.TrimRight(line[m[0]:m[1]], ".,;:!?")
		if r.publicHost(urlHost(u)) {
			spans.add(redactSpan{start: m[0], end: m[0] + len(u), keep: true})
			continue
		}
		spans.add(redactSpan{start: m[0], end: m[0] + len(u), kind: RemovedLink, text: u, with: "an internal link"})
	}
}

// scanContacts adds the line's email addresses and @-mentions of people and teams. An address at a
// public host or of a role mailbox ("security@…") is kept; a person becomes their role, a team "a team".
func (r *redactor) scanContacts(line string, spans *spanSet) {
	for _, m := range redactEmail.FindAllStringIndex(line, -1) {
		e := line[m[0]:m[1]]
		at := strings.IndexByte(e, '@')
		if r.publicHost(e[at+1:]) || roleMailboxes[strings.ToLower(e[:at])] {
			spans.add(redactSpan{start: m[0], end: m[1], keep: true})
			continue
		}
		spans.add(redactSpan{start: m[0], end: m[1], kind: RemovedPerson, text: e, with: r.role(e)})
	}
	for _, m := range redactMention.FindAllStringSubmatchIndex(line, -1) {
		who := line[m[2]:m[3]]
		with := r.role(who)
		if strings.Contains(who, "/") {
			with = "a team"
		}
		spans.add(redactSpan{start: m[2], end: m[3], kind: RemovedPerson, text: who, with: with})
	}
}

// scanMachines adds the line's IPv4 addresses, internal hostnames and machine names ("db-3"); a name
// inside a path or identifier names no machine and stays.
func (r *redactor) scanMachines(line string, spans *spanSet) {
	for _, m := range redactIPv4.FindAllStringIndex(line, -1) {
		spans.add(redactSpan{start: m[0], end: m[1], kind: RemovedAddress, text: line[m[0]:m[1]], with: "an internal address"})
	}
	for _, m := range redactHostname.FindAllStringIndex(line, -1) {
		if name := line[m[0]:m[1]]; r.isHost(name) && !partOfPath(line, m[0], m[1]) {
			spans.add(redactSpan{start: m[0], end: m[1], kind: RemovedHost, text: name, with: "an internal host"})
		}
	}
	for _, m := range redactMachineName.FindAllStringSubmatchIndex(line, -1) {
		if !machineNameWords[line[m[2]:m[3]]] && !partOfPath(line, m[0], m[1]) {
			spans.add(redactSpan{start: m[0], end: m[1], kind: RemovedHost, text: line[m[0]:m[1]], with: "an internal host"})
		}
	}
}

// scanNames adds the configured people's names found as whole words, each replaced by the person's role.
func (r *redactor) scanNames(line string, spans *spanSet) {
	for i, re := range r.people {
		for _, m := range re.FindAllStringIndex(line, -1) {
			if !wordEdges(line, m[0], m[1]) {
				continue
			}
			spans.add(redactSpan{start: m[0], end: m[1], kind: RemovedPerson, text: line[m[0]:m[1]], with: r.role(r.names[i])})
		}
	}
}

// partOfPath reports whether the match sits inside a path or identifier ("/var/lib/app-1", "pkg.Func"),
// where it names no host.
func partOfPath(line string, start, end int) bool {
	before, after := byte(' '), byte(' ')
	if start > 0 {
		before = line[start-1]
	}
	if end < len(line) {
		after = line[end]
	}
	return before == '/' || before == '_' || before == '.' || after == '/' || after == '_' ||
		(after == '.' && end+1 < len(line) && isWordByte(line[end+1]))
}

// sentenceStart reports whether what follows text starts a sentence.
func sentenceStart(text string) bool {
	t := strings.TrimRight(text, " ")
	return t == "" || t != text && strings.HasSuffix(t, ".") || strings.HasSuffix(t, "!") || strings.HasSuffix(t, "?") ||
		strings.HasSuffix(t, "-") || strings.HasSuffix(t, "*") || strings.HasSuffix(t, "|")
}

// wordEdges reports whether line[start:end] is whole words: no letter or digit touches it on either side.
func wordEdges(line string, start, end int) bool {
	before, _ := utf8.DecodeLastRuneInString(line[:start])
	after, _ := utf8.DecodeRuneInString(line[end:])
	isWord := func(r rune) bool {
		return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_')
	}
	return !isWord(before) && !isWord(after)
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// inline redacts one line of text and records what it removed.
func (r *redactor) inline(line string) string {
	spans := r.scan(line)
	if len(spans) == 0 {
		return line
	}
	var b strings.Builder
	at := 0
	for _, s := range spans {
		b.WriteString(line[at:s.start])
		if s.keep {
			b.WriteString(line[s.start:s.end])
		} else {
			with := s.with
			if sentenceStart(b.String()) && with != "" {
				with = strings.ToUpper(with[:1]) + with[1:]
			}
			b.WriteString(with)
			r.removed = append(r.removed, Removal{Kind: s.kind, Text: s.text})
		}
		at = s.end
	}
	b.WriteString(line[at:])
	return strings.Join(strings.Fields(b.String()), " ")
}

var (
	redactFence        = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})")
	redactHTMLComment  = regexp.MustCompile(`(?s)<!--.*?-->`)
	redactFiguresTable = regexp.MustCompile(`^\|\s*Figure\s*\|\s*Value\s*\|`)
)

// block redacts a section's body: fenced code, HTML comments, <details> blocks, quotes (notes, logs),
// placeholders ("TBD: …") and the generated figures table go whole; every other line is redacted inline.
// Blank lines are kept one at a time; "" when nothing is left.
func (r *redactor) block(body string) string {
	body = redactHTMLComment.ReplaceAllString(body, "")
	lines := strings.Split(body, "\n")
	r.refs = map[string]bool{}
	for _, l := range lines {
		if m := redactRefDef.FindStringSubmatch(l); m != nil {
			r.refs[strings.ToLower(m[1])] = true
		}
	}
	var out []string
	fence, quote, table, details := "", false, false, false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case fence != "":
			if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
				fence = ""
			}
			continue
		case redactFence.MatchString(l):
			fence = redactFence.FindStringSubmatch(l)[1]
			r.removed = append(r.removed, Removal{Kind: RemovedCode, Text: firstWords(t)})
			continue
		case details || strings.HasPrefix(strings.ToLower(t), "<details"):
			details = !strings.Contains(strings.ToLower(t), "</details")
			continue
		case strings.HasPrefix(t, ">"):
			if !quote {
				r.removed = append(r.removed, Removal{Kind: RemovedQuote, Text: firstWords(strings.TrimLeft(t, "> "))})
			}
			quote = true
			continue
		case redactFiguresTable.MatchString(t):
			table = true
			continue
		case table && strings.HasPrefix(t, "|"):
			continue
		case redactRefDef.MatchString(l):
			r.removed = append(r.removed, Removal{Kind: RemovedLink, Text: redactRefDef.FindStringSubmatch(l)[2]})
			continue
		case isPlaceholder(strings.TrimLeft(t, "-*+ ")) && t != "":
			continue
		}
		quote, table = false, false
		if t == "" {
			if len(out) > 0 && out[len(out)-1] != "" {
				out = append(out, "")
			}
			continue
		}
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		out = append(out, indent+r.inline(t))
	}
	return strings.TrimSpace(strings.Join(dropEmptyHeadings(out), "\n"))
}

var redactHeading = regexp.MustCompile(`^(#{1,6})[ \t]`)

// dropEmptyHeadings drops the headings that nothing but blank lines and headings of the same or a higher
// level follow: a subsection whose text was all removed.
func dropEmptyHeadings(lines []string) []string {
	for {
		var out []string
		dropped := false
		for i, l := range lines {
			m := redactHeading.FindStringSubmatch(l)
			if m != nil {
				empty := true
				for _, next := range lines[i+1:] {
					if strings.TrimSpace(next) == "" {
						continue
					}
					if n := redactHeading.FindStringSubmatch(next); n == nil || len(n[1]) > len(m[1]) {
						empty = false
					}
					break
				}
				if empty {
					dropped = true
					continue
				}
			}
			if l == "" && len(out) > 0 && out[len(out)-1] == "" {
				continue
			}
			out = append(out, l)
		}
		lines = out
		if !dropped {
			return lines
		}
	}
}

func firstWords(s string) string {
	if f := strings.Fields(s); len(f) > 6 {
		return strings.Join(f[:6], " ") + " …"
	}
	return strings.Join(strings.Fields(s), " ")
}

// RedactText redacts a whole Markdown text as the sections of a customer-facing version are, and returns
// what it removed.
func RedactText(markdown string, cfg Redaction) (string, Removals) {
	r := newRedactor(cfg)
	out := r.block(markdown)
	return out, r.removed
}
