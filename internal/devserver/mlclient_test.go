package devserver

import (
	"testing"
	"time"
)

// ml/api_connector.py MLApi._get_url: a slash is added, then urljoin keeps
// the base path.
func TestMLURLJoinsLikeUrljoin(t *testing.T) {
	cases := map[string]string{
		"http://ml:9090":          "http://ml:9090/health",
		"http://ml:9090/":         "http://ml:9090/health",
		"http://ml:9090/models/a": "http://ml:9090/models/a/health",
		"https://ml.example.com/": "https://ml.example.com/health",
	}
	for base, want := range cases {
		u, err := mlURL(base, "health")
		if err != nil || u.String() != want {
			t.Errorf("%s: %v %v, want %s", base, u, err, want)
		}
	}
}

func TestPythonSeconds(t *testing.T) {
	for d, want := range map[string]string{"1s": "1.0", "100ms": "0.1", "3s": "3.0", "1.5s": "1.5"} {
		if got := pythonSeconds(mustDuration(t, d)); got != want {
			t.Errorf("%s: %s, want %s", d, got, want)
		}
	}
}

func mustDuration(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
