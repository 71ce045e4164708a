// Package htmlclean is Label Studio's sanitising of project instructions:
// bleach.clean with the allow-lists SAFE_HTML_TAGS and SAFE_HTML_ATTRIBUTES
// of label_studio/constants.py, as label_studio/projects/serializers.py
// applies it to expert_instruction. bleach's defaults apply: tags outside the
// list are escaped (not stripped), attributes outside the list are dropped, a
// URL attribute whose protocol is not http, https or mailto is dropped,
// comments are removed, bare & < > in text are escaped, entities are kept,
// tag and attribute names come out in lower case with double-quoted values,
// and elements left open are closed at the end.
//
// It knows neither HTTP nor Terraform: the stand-in server applies it to what
// it stores, the provider to predict what Label Studio will store.
package htmlclean

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// safeTags is SAFE_HTML_TAGS (label_studio/constants.py).
var safeTags = toSet(`html base head link meta style title body address article aside footer header
h1 h2 h3 h4 h5 h6 main nav section blockquote dd div dl dt figcaption figure hr li menu ol p pre ul
a abbr b bdi bdo br cite code data dfn em i kbd mark q rp rt ruby s samp small span strong sub sup
time u var wbr area audio img map track video embed iframe object picture portal source svg math
canvas noscript script del ins caption col colgroup table tbody td tfoot th thead tr button datalist
fieldset form input label legend meter optgroup option output progress select textarea details
dialog summary slot template`)

// safeAttributes is SAFE_HTML_ATTRIBUTES (label_studio/constants.py); a list,
// so bleach allows each on every tag.
var safeAttributes = toSet(`align alink alt bgcolor border cellpadding cellspacing class color cols
colspan coords dir face href height hspace ismap lang marginheight marginwidth multiple name nohref
noresize noshade nowrap ref rel rev rows rowspan scrolling shape span src summary tabindex title
type usemap valign value vlink vspace width`)

// uriAttributes are the attributes whose values bleach checks for an allowed
// protocol (html5lib's attr_val_is_uri), restricted to the allowed ones.
var uriAttributes = toSet(`href src`)

// safeProtocols is bleach's ALLOWED_PROTOCOLS, which Label Studio keeps.
var safeProtocols = toSet(`http https mailto`)

// schemeRe is what Python's urlparse takes for a scheme.
var schemeRe = regexp.MustCompile(`^[a-z][a-z0-9+.\-]*$`)

// voidTags have no end tag; html5lib writes them as <br>, never <br/>.
var voidTags = toSet(`area base br col embed hr img input link meta source track wbr`)

func toSet(words string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(words) {
		out[w] = true
	}
	return out
}

// Result is a sanitised text and what sanitising changed, in words a person
// can act on ("removes the attribute onerror of <a>").
type Result struct {
	HTML    string
	Changes []string
}

// Clean sanitises s as Label Studio does before storing it.
func Clean(s string) Result {
	c := &cleaner{seen: map[string]bool{}}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				c.text(string(z.Raw()))
			}
			break
		}
		raw := string(z.Raw())
		switch tt {
		case html.TextToken:
			if c.rawText != "" {
				c.out.WriteString(raw) // script and style content is written as is
				continue
			}
			if escaped := escapeText(raw); escaped != raw {
				c.change("escapes bare &, < or > in text")
			}
			c.text(raw)
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if !safeTags[tok.Data] {
				c.change("escapes the tag <%s> (not in Label Studio's allowed tags)", tok.Data)
				c.text(raw)
				z.NextIsNotRawText()
				continue
			}
			c.startTag(tok)
			if tok.Data == "script" || tok.Data == "style" {
				c.rawText = tok.Data
			}
		case html.EndTagToken:
			tok := z.Token()
			if !safeTags[tok.Data] {
				c.change("escapes the tag </%s> (not in Label Studio's allowed tags)", tok.Data)
				c.text(raw)
				continue
			}
			c.rawText = ""
			c.endTag(tok.Data)
		case html.CommentToken:
			c.change("removes comments")
		case html.DoctypeToken:
			c.change("removes the doctype")
		}
	}
	for len(c.open) > 0 {
		name := c.open[len(c.open)-1]
		c.change("closes the tag <%s> left open", name)
		c.close()
	}
	return Result{HTML: c.out.String(), Changes: c.changes}
}

type cleaner struct {
	out     strings.Builder
	open    []string
	rawText string
	changes []string
	seen    map[string]bool
}

func (c *cleaner) change(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !c.seen[msg] {
		c.seen[msg] = true
		c.changes = append(c.changes, msg)
	}
}

func (c *cleaner) startTag(tok html.Token) {
	c.out.WriteString("<" + tok.Data)
	written := map[string]bool{}
	for _, a := range tok.Attr {
		name := a.Key
		if a.Namespace != "" {
			name = a.Namespace + ":" + a.Key
		}
		switch {
		case written[name]:
			continue // html5lib keeps the first of repeated attributes
		case !safeAttributes[name]:
			c.change("removes the attribute %s of <%s> (not in Label Studio's allowed attributes)", name, tok.Data)
			continue
		case uriAttributes[name] && !allowedURI(a.Val):
			c.change("removes the attribute %s of <%s> (only http, https and mailto links are allowed)", name, tok.Data)
			continue
		}
		written[name] = true
		c.out.WriteString(" " + name + `="` + escapeAttribute(a.Val) + `"`)
	}
	c.out.WriteString(">")
	if voidTags[tok.Data] {
		return
	}
	c.open = append(c.open, tok.Data)
}

// endTag closes the innermost open element of that name, and the ones
// inside it; an end tag with nothing to close is dropped.
func (c *cleaner) endTag(name string) {
	for i := len(c.open) - 1; i >= 0; i-- {
		if c.open[i] != name {
			continue
		}
		for len(c.open) > i+1 {
			c.change("closes the tag <%s> left open", c.open[len(c.open)-1])
			c.close()
		}
		c.close()
		return
	}
	if !voidTags[name] {
		c.change("removes the end tag </%s> that closes nothing", name)
	}
}

func (c *cleaner) close() {
	name := c.open[len(c.open)-1]
	c.open = c.open[:len(c.open)-1]
	c.out.WriteString("</" + name + ">")
}

// text writes source text with bare &, < and > escaped and entities kept.
func (c *cleaner) text(raw string) {
	c.out.WriteString(escapeText(raw))
}

func escapeText(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		switch ch := raw[i]; ch {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			if n := entityLength(raw[i:]); n > 0 {
				b.WriteString(raw[i : i+n])
				i += n - 1
			} else {
				b.WriteString("&amp;")
			}
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// entityLength is the length of the character reference (with its
// semicolon) at the start of s, 0 when s starts with a bare ampersand.
func entityLength(s string) int {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 40 {
		return 0
	}
	ref := s[:end+1]
	if strings.ContainsAny(ref[1:end], "&<> \t\n") {
		return 0
	}
	if html.UnescapeString(ref) == ref {
		return 0
	}
	return len(ref)
}

// escapeAttribute writes a decoded attribute value back as html5lib's
// serializer does (always double-quoted, & < > " escaped).
func escapeAttribute(v string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\u00a0", "&nbsp;").Replace(v)
}

// allowedURI is bleach's sanitize_uri_value: after dropping control
// characters and whitespace, a value with a scheme must use an allowed one;
// fragments and relative references pass.
func allowedURI(v string) bool {
	cleaned := strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return -1
		}
		return r
	}, v)
	cleaned = strings.ToLower(cleaned)
	if strings.HasPrefix(cleaned, "#") {
		return true
	}
	scheme, _, found := strings.Cut(cleaned, ":")
	if !found || !schemeRe.MatchString(scheme) {
		return true // no scheme as urlparse reads it: a relative reference
	}
	return safeProtocols[scheme]
}
