package postmortem

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// FileSlug turns a title into a readable file name part of at most maxLen bytes: lower case, words joined
// by hyphens. Latin letters lose their accents ("é" → "e"), Cyrillic and Greek are transliterated
// ("Сбой" → "sboi"), and letters of other scripts are kept as they are ("決済エラー"), since GitHub accepts
// them in paths. Only a title without any letter or digit becomes "incident".
func FileSlug(s string, maxLen int) string {
	var b strings.Builder
	hyphen := false
	write := func(part string) bool {
		if b.Len()+len(part)+1 > maxLen {
			return false
		}
		if hyphen && b.Len() > 0 {
			b.WriteByte('-')
		}
		hyphen = false
		b.WriteString(part)
		return true
	}
	for _, r := range strings.ToLower(s) {
		part, ok := slugPart(r)
		if !ok {
			hyphen = true
			continue
		}
		if !write(part) {
			break
		}
	}
	if b.Len() == 0 {
		return "incident"
	}
	return b.String()
}

// slugPart is what a rune becomes in a file name; ok is false for a separator.
func slugPart(r rune) (string, bool) {
	switch {
	case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
		return string(r), true
	case r < 0x80:
		return "", false
	}
	if t, ok := transliteration[r]; ok {
		return t, true
	}
	if unicode.Is(unicode.Latin, r) {
		// An accented Latin letter decomposes into its base letter and combining marks.
		for _, d := range norm.NFD.String(string(r)) {
			if d >= 'a' && d <= 'z' {
				return string(d), true
			}
		}
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
		return string(r), true
	}
	return "", false
}

// transliteration maps lower-case letters that have a common Latin spelling: Cyrillic (Russian and
// Ukrainian, after ISO 9 / BGN usage), Greek, and the Latin letters that do not decompose.
var transliteration = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ґ': "g", 'д': "d", 'е': "e", 'ё': "e", 'є': "ye", 'ж': "zh",
	'з': "z", 'и': "i", 'і': "i", 'ї': "yi", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
	'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
	'α': "a", 'ά': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'έ': "e", 'ζ': "z", 'η': "i", 'ή': "i",
	'θ': "th", 'ι': "i", 'ί': "i", 'ϊ': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o",
	'ό': "o", 'π': "p", 'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t", 'υ': "y", 'ύ': "y", 'ϋ': "y", 'φ': "f",
	'χ': "ch", 'ψ': "ps", 'ω': "o", 'ώ': "o",
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ð': "d", 'þ': "th", 'ł': "l", 'ı': "i",
}
