package storagepreview

import (
	"fmt"
	"regexp"
	"strings"
)

// KeyFilter is a regex_filter as Label Studio applies it: Python's
// re.match against the full key, anchored at the start and not a full match.
type KeyFilter struct {
	re *regexp.Regexp
}

// Match reports whether a sync would keep key. A nil filter keeps every key.
func (f *KeyFilter) Match(key string) bool {
	return f == nil || f.re.MatchString(key)
}

// CompileFilter translates a Python pattern into Go's dialect. It returns a
// nil filter for an empty pattern, and an error whose text says why when the
// pattern cannot be evaluated the way Python would (Python-only syntax Go
// lacks, or Go-only syntax Python rejects): the caller reports that instead
// of guessing a count.
func CompileFilter(pattern string) (*KeyFilter, error) {
	if pattern == "" {
		return nil, nil
	}
	translated, err := translatePython(pattern)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(`^(?:` + translated + `)`)
	if err != nil {
		return nil, fmt.Errorf("the regular expressions of Go cannot evaluate it (%v); it probably uses Python-only syntax such as lookarounds, backreferences, possessive quantifiers or atomic groups", err)
	}
	return &KeyFilter{re: re}, nil
}

// Python and Go spell some classes and anchors differently. These
// substitutions keep Python's meaning: its \d and \w match Unicode digits and
// letters in str patterns, where Go's match ASCII only; \Z is Go's \z.
var pythonEscapes = map[byte]struct{ outside, inClass string }{
	'd': {`\p{Nd}`, `\p{Nd}`},
	'D': {`\P{Nd}`, ""},
	'w': {`[\p{L}\p{N}_]`, `\p{L}\p{N}_`},
	'W': {`[^\p{L}\p{N}_]`, ""},
	'Z': {`\z`, ""},
}

// Escapes Go accepts and Python's re rejects (a sync fails with re.error),
// or reads differently.
var goOnlyEscapes = map[byte]string{
	'p': `\p (Unicode classes)`, 'P': `\P (Unicode classes)`, 'Q': `\Q...\E quoting`,
	'z': `\z (Python 3.14 and newer only)`, 'C': `\C`,
}

// translatePython rewrites the constructs whose meaning differs between the
// dialects and refuses those it cannot carry over. It walks the pattern once,
// tracking escapes and character classes.
func translatePython(p string) (string, error) {
	var out strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			next := p[i+1]
			i++
			if what, ok := goOnlyEscapes[next]; ok {
				return "", fmt.Errorf("it uses %s, which Python's re does not accept the way Go does", what)
			}
			if next == 'x' && i+1 < len(p) && p[i+1] == '{' {
				return "", fmt.Errorf(`it uses \x{...}, which Python's re rejects`)
			}
			sub, ok := pythonEscapes[next]
			switch {
			case ok && !inClass:
				out.WriteString(sub.outside)
			case ok && sub.inClass != "":
				out.WriteString(sub.inClass)
			case ok:
				return "", fmt.Errorf(`it uses \%c inside a character class, which the preview cannot translate for Go`, next)
			default:
				out.WriteByte('\\')
				out.WriteByte(next)
			}
			continue
		case inClass:
			if c == '[' && i+1 < len(p) && p[i+1] == ':' {
				return "", fmt.Errorf("it uses a POSIX class such as [[:alpha:]], which Python's re reads as a plain set of characters")
			}
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			out.WriteByte(c)
			// A ']' right after '[' or '[^' is a literal in both dialects.
			if i+1 < len(p) && p[i+1] == '^' {
				out.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				out.WriteByte(']')
				i++
			}
			continue
		case c == '{' && i+1 < len(p) && p[i+1] == ',':
			// Python reads {,n} as {0,n} and {,} as {0,}; Go would take them
			// literally.
			if j := strings.IndexByte(p[i:], '}'); j == 2 || (j > 2 && allDigits(p[i+2:i+j])) {
				out.WriteString("{0")
				continue
			}
		case c == '(' && strings.HasPrefix(p[i:], "(?"):
			if err := checkGroupFlags(p[i+2:]); err != nil {
				return "", err
			}
		}
		out.WriteByte(c)
	}
	return out.String(), nil
}

// checkGroupFlags refuses inline flags the dialects do not share: Python has
// a, L, u and x, Go has U (ungreedy), which Python rejects.
func checkGroupFlags(rest string) error {
	for _, c := range rest {
		switch {
		case strings.ContainsRune("aLux", c):
			return fmt.Errorf("it uses the inline flag (?%c), which Go's regular expressions do not have", c)
		case c == 'U':
			return fmt.Errorf("it uses the inline flag (?U), which Python's re rejects")
		case strings.ContainsRune("ims-", c):
			continue
		}
		return nil
	}
	return nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
