package devserver

import (
	"strings"
	"testing"
)

// Cases from Django's tests/validators (valid_urls.txt, invalid_urls.txt)
// for the URLValidator of django/core/validators.py, plus the single-label
// hosts of label-studio #2035.
func TestDjangoURLValidatorPerDjangoCoreValidatorsPy(t *testing.T) {
	valid := []string{
		"http://www.djangoproject.com/", "HTTP://WWW.DJANGOPROJECT.COM/", "http://localhost/", "http://localhost:8000/hook",
		"http://example.com/", "http://example.com./", "http://www.example.com:8000/test", "http://valid-with-hyphens.com/",
		"http://subdomain.example.com/", "http://a.b-c.de", "http://200.8.9.10/", "http://200.8.9.10:8000/test",
		"http://127.0.0.1:9090/webhook", "http://su--b.valid-----hyphens.com/", "http://example.com?something=value",
		"http://example.com/index.php?something=value&another=value2", "https://example.com/", "ftp://example.com/",
		"ftps://example.com/", "http://foo.com/blah_blah_(wikipedia)", "http://userid:password@example.com:8080/",
		"http://userid@example.com", "http://142.42.1.1:8080/", "http://[2001:db8::1]/", "http://[::192.9.5.5]/ipng",
		"http://[::ffff:192.9.5.5]/ipng", "http://a.b--c.de/", "http://xn--7sbb4ac0ad0be6cf.xn--p1ai",
		"http://президент.рф", "http://例子.测试", "http://www.foo.bar./", "http://1337.net", "http://-.~_!$&'()*+,;=:%40%2f@example.com",
		"http://" + strings.Repeat("a", 63) + ".com", "http://foo.bar?q=Spaces should be encoded", /* path after ? is [^\s]*: refused below */
	}
	valid = valid[:len(valid)-1]
	invalid := []string{
		"http://ml-backend:9090/webhook", "http://minio:9000", "http://foo", "foo", "http://", "http://example",
		"http://example.", "http://.com", "http://invalid-.com", "http://-invalid.com", "http://inv-.alid-.com",
		"http://inv-.-alid.com", "file://localhost/path", "git://example.com/", "http://.", "http://..", "http://../",
		"http://?", "http://??/", "http:// shouldfail.com", ":// should fail", "http://foo.bar/foo(bar)baz quux",
		"http://-error-.invalid/", "http://1.1.1.1.1", "http://123.123.123", "http://3628126748",
		"http://[::1:2::3]:8080/", "http://[]", "http://[]:8080", "http://example..com/", "http://aaa.bbb.c",
		"http://example.com\n", "http://exa\tmple.com", "http://" + strings.Repeat("a", 64) + ".com",
		"http://" + strings.Repeat("a", 60) + "." + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + "." + strings.Repeat("d", 60) + "." + strings.Repeat("e", 60) + ".com",
		"http://foo.bar?q=Spaces should be encoded", "http://[2001:db8::1", "http://256.1.1.1/", "http://.www.foo.bar/",
	}
	for _, u := range valid {
		if !validDjangoURL(u) {
			t.Errorf("refused %q, which Django accepts", u)
		}
	}
	for _, u := range invalid {
		if validDjangoURL(u) {
			t.Errorf("accepted %q, which Django refuses", u)
		}
	}
}

// core/validators.py interpolates the value with %s: Python's str() of the
// decoded JSON, in its own key order.
func TestPythonStrOfJSONPerCoreValidatorsPy(t *testing.T) {
	cases := map[string]string{
		`{"b": "x", "a": [1, 2.5, true, null]}`: `{'b': 'x', 'a': [1, 2.5, True, None]}`,
		`"plain"`:                               `plain`,
		`{"it's": "say \"hi\"\n"}`:              `{"it's": 'say "hi"\n'}`,
		`[1e16, 0.0001, 1.0, -0.00001]`:         `[1e+16, 0.0001, 1.0, -1e-05]`,
	}
	for in, want := range cases {
		if got := pythonStrOfJSON([]byte(in)); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
}
