package storagepreview

import (
	"encoding/json"
	"strings"
	"testing"
)

// The expectations of Python's re.match were taken from CPython 3.11.
func TestCompileFilterPythonSemantics(t *testing.T) {
	cases := []struct {
		pattern, key string
		want         bool
	}{
		{`.*\.jpg`, "images/a.jpg", true},
		{`.*\.jpg`, "images/a.jpgx", true}, // re.match is not a full match
		{`jpg`, "a.jpg", false},            // anchored at the start of the full key
		{`images/.*\.png`, "images/sub/a.png", true},
		{`.*\d{2}\.json`, "tasks/٣٤.json", true}, // Python's \d is Unicode
		{`\w+/x`, "données/x", true},
		{`.*\W\d`, "a-1", true},
		{`a{,2}b`, "aab", true}, // {,n} is {0,n}
		{`x{,}\Z`, "xxx", true},
		{`.*\.json\Z`, "x.jsonl", false},
		{`.*\.json\Z`, "x.json", true},
		{`[\d_]+\.txt`, "1_2.txt", true},
		{`[^\]]+\.png`, "a.png", true},
		{`[]a]+`, "a]", true},
		{`(?i).*\.JPG`, "a.jpg", true},
		{`(?P<dir>[a-z]+)/.*`, "abc/x", true},
	}
	for _, c := range cases {
		f, err := CompileFilter(c.pattern)
		if err != nil {
			t.Errorf("CompileFilter(%q): %v", c.pattern, err)
			continue
		}
		if got := f.Match(c.key); got != c.want {
			t.Errorf("re.match(%q, %q) = %v, want %v", c.pattern, c.key, got, c.want)
		}
	}
}

func TestCompileFilterRefusesWhatGoCannotEvaluate(t *testing.T) {
	for pattern, why := range map[string]string{
		`(?=.*\.jpg).*`:    "cannot evaluate",
		`(?<!tmp/).*\.jpg`: "cannot evaluate",
		`(.)\1.*`:          "cannot evaluate",
		`a*+`:              "cannot evaluate",
		`(?x) .* \.jpg`:    "(?x)",
		`(?U).*`:           "Python's re rejects",
		`\pL+`:             `\p`,
		`.*\.jpg\z`:        `\z`,
		`[[:alpha:]]+`:     "POSIX",
		`[\W]+`:            "inside a character class",
	} {
		f, err := CompileFilter(pattern)
		if err == nil {
			t.Errorf("CompileFilter(%q) = %v, want an error", pattern, f)
			continue
		}
		if !strings.Contains(err.Error(), why) {
			t.Errorf("CompileFilter(%q): %q does not say %q", pattern, err, why)
		}
	}
	if f, err := CompileFilter(""); f != nil || err != nil || !f.Match("anything") {
		t.Errorf("empty pattern: %v, %v", f, err)
	}
}

func TestListingRules(t *testing.T) {
	for prefix, want := range map[string]string{"": "", "tasks": "tasks/", "tasks/": "tasks/", "tasks//": "tasks/", "a/b": "a/b/"} {
		if got := ListPrefix(prefix); got != want {
			t.Errorf("ListPrefix(%q) = %q, want %q", prefix, got, want)
		}
	}
	if Delimiter(false) != "/" || Delimiter(true) != "" {
		t.Errorf("Delimiter: %q, %q", Delimiter(false), Delimiter(true))
	}
	// Export keys are joined as Label Studio joins them: no normalising.
	for _, tt := range []struct{ prefix, key, want string }{{"", "1", "1"}, {"out", "1", "out/1"}, {"out/", "1", "out//1"}} {
		if got := ExportKey(tt.prefix, tt.key); got != tt.want {
			t.Errorf("ExportKey(%q, %q) = %q, want %q", tt.prefix, tt.key, got, tt.want)
		}
	}
}

func TestParseTaskFile(t *testing.T) {
	cases := []struct {
		name, content string
		tasks         int
		problem       string // "" means none
	}{
		{"one task", `{"data": {"text": "a"}}`, 1, ""},
		{"flat object", `{"text": "a"}`, 1, ""},
		{"array", ` [{"data": {"text": "a"}}, {"text": "b"}]`, 2, ""},
		{"empty array", `[]`, 0, ""},
		{"json lines", "{\"text\": \"a\"}\n\n{\"data\": {\"text\": \"b\"}}\n", 2, ""},
		{"annotations", `{"data": {"text": "a"}, "annotations": [{"result": []}], "predictions": null}`, 1, ""},
		{"not json", `{"text": "a"`, 0, "not JSON"},
		{"bad line", "{\"text\": \"a\"}\n{oops}\n", 0, "line 2 is not JSON"},
		{"image bytes", "\x89PNG\r\n\x1a\n\x00\x00", 0, "not UTF-8"},
		{"csv", "text\nhello\n", 0, "starts with 't'"},
		{"empty", "  \n", 0, "empty file"},
		{"array of strings", `["a.jpg"]`, 1, "task 0: not a JSON object"},
		{"annotations without data", `{"annotations": [{"result": []}]}`, 1, `"data" is required`},
		{"data not an object", `{"data": "a.jpg"}`, 1, `"data" must be an object`},
		{"result missing", `[{"data": {}}, {"data": {}, "predictions": [{"score": 1}]}]`, 2, "task 1: predictions[0].result"},
	}
	for _, c := range cases {
		tasks, problems := ParseTaskFile("k.json", []byte(c.content))
		if tasks != c.tasks {
			t.Errorf("%s: %d tasks, want %d", c.name, tasks, c.tasks)
		}
		got := strings.Join(problems, "; ")
		if (c.problem == "") != (got == "") || !strings.Contains(got, c.problem) {
			t.Errorf("%s: problems %q, want %q", c.name, got, c.problem)
		}
	}
}

// corsDocument parses a CORS configuration as the AWS console and
// `aws s3api get-bucket-cors` show it.
func corsDocument(t *testing.T, doc string) []CORSRule {
	t.Helper()
	var rules []CORSRule
	if err := json.Unmarshal([]byte(doc), &rules); err != nil {
		t.Fatal(err)
	}
	return rules
}

func TestEvaluateCORS(t *testing.T) {
	// The rule Label Studio's storage guide asks for.
	labelStudioGuide := `[{"AllowedHeaders": ["*"], "AllowedMethods": ["GET"], "AllowedOrigins": ["*"],
	  "ExposeHeaders": ["x-amz-server-side-encryption", "x-amz-request-id", "x-amz-id-2"], "MaxAgeSeconds": 3000}]`
	// AWS's documented example: one origin per rule, uploads only.
	awsExample := `[
	  {"AllowedHeaders": ["*"], "AllowedMethods": ["PUT", "POST", "DELETE"], "AllowedOrigins": ["http://www.example1.com"], "ExposeHeaders": []},
	  {"AllowedHeaders": ["*"], "AllowedMethods": ["PUT", "POST", "DELETE"], "AllowedOrigins": ["http://www.example2.com"], "ExposeHeaders": []},
	  {"AllowedHeaders": [], "AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "ExposeHeaders": []}]`
	uploadsOnly := `[{"AllowedHeaders": ["*"], "AllowedMethods": ["PUT", "POST"], "AllowedOrigins": ["https://ls.example.com"]}]`
	wildcardSubdomain := `[{"AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": ["https://*.example.com"], "AllowedHeaders": ["x-amz-*"]}]`

	cases := []struct {
		name, doc string
		req       CORSRequest
		want      CORSStatus
		says      string
	}{
		{"guide rule", labelStudioGuide, CORSRequest{Origin: "https://ls.example.com", Method: "GET"}, CORSAllowed, "rule 1 allows GET"},
		{"aws example", awsExample, CORSRequest{Origin: "https://ls.example.com", Method: "GET"}, CORSAllowed, "rule 3"},
		{"no rules", `[]`, CORSRequest{Origin: "https://ls.example.com", Method: "GET"}, CORSDenied, `{"AllowedOrigins":["https://ls.example.com"],"AllowedMethods":["GET"],"AllowedHeaders":["*"]}`},
		{"method missing", uploadsOnly, CORSRequest{Origin: "https://ls.example.com", Method: "GET"}, CORSDenied, `add "GET" to its AllowedMethods`},
		{"origin missing", wildcardSubdomain, CORSRequest{Origin: "https://label-studio.other.org", Method: "GET"}, CORSDenied, "no CORS rule's AllowedOrigins matches https://label-studio.other.org"},
		{"wildcard origin", wildcardSubdomain, CORSRequest{Origin: "https://ls.example.com", Method: "GET"}, CORSAllowed, "rule 1"},
		{"wildcard header", wildcardSubdomain, CORSRequest{Origin: "https://ls.example.com", Method: "GET", Headers: []string{"X-Amz-Date"}}, CORSAllowed, "rule 1"},
		{"header missing", wildcardSubdomain, CORSRequest{Origin: "https://ls.example.com", Method: "GET", Headers: []string{"Range"}}, CORSDenied, "AllowedHeaders"},
		{"bare domain is not a subdomain", wildcardSubdomain, CORSRequest{Origin: "https://example.com", Method: "GET"}, CORSDenied, "AllowedOrigins"},
	}
	for _, c := range cases {
		got := EvaluateCORS(corsDocument(t, c.doc), c.req)
		if got.Status != c.want || !strings.Contains(got.Message, c.says) {
			t.Errorf("%s: %s %q, want %s saying %q", c.name, got.Status, got.Message, c.want, c.says)
		}
	}
}

func TestOriginOf(t *testing.T) {
	for in, want := range map[string]string{
		"https://LS.example.com/": "https://ls.example.com", "http://127.0.0.1:8080/api": "http://127.0.0.1:8080", "ls.example.com": "",
	} {
		if got := OriginOf(in); got != want {
			t.Errorf("OriginOf(%q) = %q, want %q", in, got, want)
		}
	}
}
