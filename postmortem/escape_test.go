package postmortem

import (
	"strings"
	"testing"
)

func TestInline(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Database failover", "Database failover"},
		{"user mention", "ping @alice now", "ping @\u200dalice now"},
		{"team mention", "@acme/sre please look", "@\u200dacme/sre please look"},
		{"html", `<script>alert(1)</script><img src=x>`, `&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x&gt;`},
		{"entity", "a &amp; b", "a &amp;amp; b"},
		{"table pipe", "a | b", `a \| b`},
		{"newlines", "line one\nline two\r\nthree", "line one line two three"},
		{"link", "[click](https://evil.example)", `\[click\](https://evil.example)`},
		{"emphasis and code", "*bold* _it_ `code` ~strike~", "\\*bold\\* \\_it\\_ \\`code\\` \\~strike\\~"},
		{"heading start", "# not a heading", `\# not a heading`},
		{"list start", "- not a list", `\- not a list`},
		{"backslash", `C:\temp`, `C:\\temp`},
		{"template action stays text", "{{.Incident.Title}} {{template \"x\"}}", "{{.Incident.Title}} {{template \"x\"}}"},
		{"non-ASCII intact", "Ошибка базы данных — 数据库故障 🔥 café", "Ошибка базы данных — 数据库故障 🔥 café"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Inline(tt.in); got != tt.want {
				t.Errorf("Inline(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestBlockKeepsLinesAndQuotesEach(t *testing.T) {
	got := Block("first @bob\n\n<b>second</b>\n", "> ")
	want := "> first @\u200dbob  \n>   \n> &lt;b&gt;second&lt;/b&gt;"
	if got != want {
		t.Errorf("Block = %q, want %q", got, want)
	}
}

func TestCodeSpanCannotBeClosed(t *testing.T) {
	for in, want := range map[string]string{
		"PABC123": "`PABC123`",
		"a`b":     "``a`b``",
		"`x":      "`` `x ``",
	} {
		if got := CodeSpan(in); got != want {
			t.Errorf("CodeSpan(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"The server is on fire.", "the-server-is-on-fire"},
		{"[#1234] DB: 5xx > 50%!!", "1234-db-5xx-50"},
		{"Ошибка", "incident"},
		{"", "incident"},
		{strings.Repeat("word ", 30), "word-word-word-word-word-word-word-word-word-word-word-word"},
	}
	for _, tt := range tests {
		if got := Slug(tt.in, 60); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
