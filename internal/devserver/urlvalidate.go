package devserver

import (
	"net/netip"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Django's URLValidator (django/core/validators.py, Django 5.1), which DRF's
// URLField runs on Webhook.url (webhooks/models.py: models.URLField,
// max_length 2048). Its regular expression uses look-arounds that RE2 lacks;
// the label rules below say the same thing without them: a label neither
// starts nor ends with "-".
const (
	urlUnicode = `\x{00a1}-\x{ffff}`
	urlIPv4    = `(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)(?:\.(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)){3}`
	urlIPv6    = `\[[0-9a-f:.]+\]`
	urlLabel   = `[a-z` + urlUnicode + `0-9](?:[a-z` + urlUnicode + `0-9-]{0,61}[a-z` + urlUnicode + `0-9])?`
	// hostname_re, then domain_re: any number of ".label".
	urlHostname = urlLabel + `(?:\.` + urlLabel + `)*`
	// tld_re: two to 63 letters (no digits), or a punycode label, and an
	// optional trailing dot.
	urlTLD  = `\.(?:[a-z` + urlUnicode + `][a-z` + urlUnicode + `-]{0,61}[a-z` + urlUnicode + `]|xn--[a-z0-9]{1,59})\.?`
	urlHost = `(?:` + urlHostname + urlTLD + `|localhost)`
)

var djangoURLPattern = regexp.MustCompile(`(?i)^(?:[a-z0-9.+-]*)://` + // scheme, checked apart
	`(?:[^\s:@/]+(?::[^\s:@/]*)?@)?` + // user:pass
	`(?:` + urlIPv4 + `|` + urlIPv6 + `|` + urlHost + `)` +
	`(?::[0-9]{1,5})?` + // port
	`(?:[/?#][^\s]*)?$`) // resource path; RE2's $ is Python's \Z

var djangoBracketHost = regexp.MustCompile(`^\[(.+)\](?::[0-9]{1,5})?$`)

// msgInvalidURL is URLValidator.message.
const msgInvalidURL = "Enter a valid URL."

// validDjangoURL reports whether URLValidator accepts value (already trimmed
// by DRF's CharField). Single-label hosts such as http://ml-backend:9090/ are
// refused: the host needs a top-level domain, an IP address or "localhost"
// (label-studio #2035).
func validDjangoURL(value string) bool {
	if utf8.RuneCountInString(value) > 2048 || strings.ContainsAny(value, "\t\r\n") {
		return false
	}
	scheme, _, _ := strings.Cut(value, "://")
	switch strings.ToLower(scheme) {
	case "http", "https", "ftp", "ftps":
	default:
		return false
	}
	parts, ok := splitURL(value)
	if !ok {
		return false
	}
	if djangoURLPattern.MatchString(value) {
		if m := djangoBracketHost.FindStringSubmatch(parts.netloc); m != nil {
			if addr, err := netip.ParseAddr(m[1]); err != nil || !addr.Is6() || addr.Zone() != "" {
				return false
			}
		}
	} else {
		// The trivial case failed: try the netloc as an IDN (punycode). An
		// ASCII netloc encodes to itself, so it fails again.
		if isASCII(parts.netloc) {
			return false
		}
		ace, err := idna.ToASCII(parts.netloc)
		if err != nil {
			return false
		}
		if !djangoURLPattern.MatchString(parts.scheme + "://" + ace + parts.rest) {
			return false
		}
	}
	host := parts.hostname()
	return host != "" && utf8.RuneCountInString(host) <= 253
}

// urlParts is what Python's urlsplit gives URLValidator: the scheme, the
// netloc, and everything after the netloc.
type urlParts struct {
	scheme, netloc, rest string
}

// splitURL splits like urllib.parse.urlsplit, failing where it raises
// ValueError (unbalanced or invalid brackets in the netloc).
func splitURL(value string) (urlParts, bool) {
	scheme, after, found := strings.Cut(value, "://")
	if !found {
		return urlParts{}, false
	}
	end := strings.IndexAny(after, "/?#")
	if end < 0 {
		end = len(after)
	}
	p := urlParts{scheme: scheme, netloc: after[:end], rest: after[end:]}
	open, closed := strings.Contains(p.netloc, "["), strings.Contains(p.netloc, "]")
	if open != closed {
		return urlParts{}, false // "Invalid IPv6 URL"
	}
	if open {
		_, bracketed, _ := strings.Cut(p.netloc, "[")
		inner, _, _ := strings.Cut(bracketed, "]")
		if addr, err := netip.ParseAddr(inner); err != nil || !addr.Is6() {
			return urlParts{}, false // _check_bracketed_host
		}
	}
	return p, true
}

// hostname is urlsplit(...).hostname: the netloc without user info and port,
// brackets removed, lower case.
func (p urlParts) hostname() string {
	_, host, _ := cutLast(p.netloc, "@")
	if strings.HasPrefix(host, "[") {
		host, _, _ = strings.Cut(host[1:], "]")
	} else if i := strings.Index(host, ":"); i >= 0 {
		host = host[:i]
	}
	return strings.ToLower(host)
}

// cutLast is str.rpartition: before and after the last sep; without sep the
// whole string is "after".
func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", s, false
	}
	return s[:i], s[i+len(sep):], true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
