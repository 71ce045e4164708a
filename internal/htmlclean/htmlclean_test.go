package htmlclean

import (
	"strings"
	"testing"
)

// The expected outputs are bleach.clean's (mozilla/bleach tests/test_clean.py
// and its documentation), with Label Studio's allow-lists of
// label_studio/constants.py as label_studio/projects/serializers.py passes
// them: script, style and the like are allowed tags there, and every
// attribute of SAFE_HTML_ATTRIBUTES is allowed on every tag.
func TestCleanMatchesBleach(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"no html string", "no html string"},
		{"&nbsp;test string&nbsp;", "&nbsp;test string&nbsp;"},
		{"<!-- this is a comment -->", ""},
		{"<!-- this is an open comment", ""},
		{"<!-- comment -->Just text", "Just text"},
		{"an <strong>allowed</strong> tag", "an <strong>allowed</strong> tag"},
		{"a <em>fixed tag", "a <em>fixed tag</em>"},
		{`a <br/><span style="color:red">test</span>`, "a <br><span>test</span>"},
		{`<a href="http://xx.com" rel="alternate">xx.com</a>`, `<a href="http://xx.com" rel="alternate">xx.com</a>`},
		{`<em href="fail">no link</em>`, `<em href="fail">no link</em>`},
		{"an & entity", "an &amp; entity"},
		{"an < entity", "an &lt; entity"},
		{"tag < <em>and</em> entity", "tag &lt; <em>and</em> entity"},
		{"&amp;", "&amp;"},
		{"&lt;em&gt;strong&lt;/em&gt;", "&lt;em&gt;strong&lt;/em&gt;"},
		{"&&amp; is cool", "&amp;&amp; is cool"},
		{"&amp; is cool &amp;&", "&amp; is cool &amp;&amp;"},
		{"this &amp that", "this &amp;amp that"},
		{"http://example.com?active=true&current=true", "http://example.com?active=true&amp;current=true"},
		{`<a href="?art&amp;copy">foo</a>`, `<a href="?art&amp;copy">foo</a>`},
		{`<a href="?this=&gt;that">foo</a>`, `<a href="?this=&gt;that">foo</a>`},
		{`<a href="http://example.com?active=true&current=true">foo</a>`, `<a href="http://example.com?active=true&amp;current=true">foo</a>`},
		{"&#39;", "&#39;"},
		{"&#123;", "&#123;"},
		{"&#x0007B;", "&#x0007B;"},
		{"&#", "&amp;#"},
		{"&#<", "&amp;#&lt;"},
		{"</3", ""},
		{`<EM CLASS="FOO">BAR</EM>`, `<em class="FOO">BAR</em>`},
		{"Yeah right <sarcasm/>", "Yeah right &lt;sarcasm/&gt;"},
		{`<a href="myprotocol://more_text">allowed href</a>`, "<a>allowed href</a>"},
		// The example and the protocol rule.
		{`<a href="#" onerror=alert(1)>`, `<a href="#"></a>`},
		{`<a href="javascript:alert(1)">x</a>`, "<a>x</a>"},
		{`<a href=" JaVaScRiPt:alert(1)">x</a>`, "<a>x</a>"},
		{`<a href="/docs/a:b">x</a>`, `<a href="/docs/a:b">x</a>`},
		{`<a href="mailto:x@example.com">x</a>`, `<a href="mailto:x@example.com">x</a>`},
		{`<img src=x onerror=alert(1)>`, `<img src="x">`},
		{`<p id="intro" class=lead>Hi</p>`, `<p class="lead">Hi</p>`},
		{`<xmp><b>x</b></xmp>`, "&lt;xmp&gt;<b>x</b>&lt;/xmp&gt;"},
		{`<script>if (a < b) {}</script>`, `<script>if (a < b) {}</script>`},
	}
	for _, c := range cases {
		got := Clean(c.in).HTML
		if got != c.want {
			t.Errorf("Clean(%q) = %q, bleach gives %q", c.in, got, c.want)
		}
		if again := Clean(got).HTML; again != got {
			t.Errorf("Clean is not idempotent on %q: %q", got, again)
		}
	}
}

func TestCleanSaysWhatItChanges(t *testing.T) {
	res := Clean(`<a href="javascript:x()" onclick="x()">go</a><foo>`)
	joined := strings.Join(res.Changes, "\n")
	for _, want := range []string{
		"removes the attribute href of <a> (only http, https and mailto links are allowed)",
		"removes the attribute onclick of <a>",
		"escapes the tag <foo>",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("changes %q lack %q", res.Changes, want)
		}
	}
	if res := Clean(`<p class="x">Label <b>every</b> cat.</p>`); len(res.Changes) != 0 {
		t.Errorf("clean HTML reported changes: %q", res.Changes)
	}
}
