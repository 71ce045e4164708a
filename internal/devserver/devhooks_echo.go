package devserver

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
)

// faultEcho answers 400 with a message that repeats the request body,
// secrets included, as careless servers and proxies do: the body as
// received (so a credentials document appears JSON-escaped inside it), the
// body URL-encoded, and every string field's value as sent. The provider
// must scrub all of them from what it shows and logs.
const faultEcho = "echo"

func (s *Server) answerEcho(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	fields := map[string]any{
		nonFieldErrors: []string{
			"Cannot process the request body " + string(raw),
			"Rejected " + r.Method + " " + r.URL.Path + "?body=" + url.QueryEscape(string(raw)),
		},
	}
	var body map[string]any
	if json.Unmarshal(raw, &body) == nil {
		names := make([]string, 0, len(body))
		for name := range body {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if value, ok := body[name].(string); ok && value != "" {
				fields[name] = []string{"Invalid value '" + value + "'."}
			}
		}
	}
	s.writeEnvelope(w, validationError(fields))
}
