package client

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// Where the API key goes (Config.APIKeyHeader).
const (
	// HeaderAuthorization sends "Authorization: Token <legacy token>" or
	// "Authorization: Bearer <access token>", the default.
	HeaderAuthorization = "Authorization"
	// HeaderXAPIKey sends "X-Api-Key: <legacy token or access token>", which
	// Label Studio reads in place of Authorization, for deployments behind
	// a proxy that takes Authorization for itself (Google IAP, Cloudflare
	// Access, oauth2-proxy).
	HeaderXAPIKey = "X-Api-Key"
)

// Why an extra header is refused (HeaderProblem.Err matches one of them).
var (
	// ErrHeaderCarriesKey: the header is where the API key goes, so a value
	// of its own would replace the key or be replaced by it. Label Studio
	// reads X-Api-Key in place of Authorization, so X-Api-Key is refused in
	// either mode and Authorization only when it carries the key.
	ErrHeaderCarriesKey = errors.New("the header carries the Label Studio API key")
	// ErrHeaderReserved: the client sets the header itself.
	ErrHeaderReserved = errors.New("the header is set by the client itself")
	// ErrHeaderInvalid: not a valid HTTP header name or value, or the same
	// name twice in different case.
	ErrHeaderInvalid = errors.New("invalid header")
)

// reservedHeaders are set by the client or by Go's HTTP transport; an extra
// value would be dropped or would break the request.
var reservedHeaders = map[string]bool{
	"Accept": true, "Content-Type": true, "Content-Length": true, "Host": true,
	"Connection": true, "Transfer-Encoding": true, "Te": true, "Trailer": true,
	"Upgrade": true, "Keep-Alive": true, "Proxy-Connection": true,
}

// HeaderProblem is one refused extra header.
type HeaderProblem struct {
	Name string // as configured
	Err  error  // wraps one of ErrHeaderCarriesKey, ErrHeaderReserved, ErrHeaderInvalid
}

// ParseAPIKeyHeader reads where the API key goes: "" (the default) or
// either constant, in any case. It returns the canonical constant.
func ParseAPIKeyHeader(value string) (string, error) {
	switch http.CanonicalHeaderKey(strings.TrimSpace(value)) {
	case "", HeaderAuthorization:
		return HeaderAuthorization, nil
	case HeaderXAPIKey:
		return HeaderXAPIKey, nil
	}
	return "", fmt.Errorf("the API key header %q is neither %s nor %s", value, HeaderAuthorization, HeaderXAPIKey)
}

// CheckHeaders lists what is wrong with extra headers sent beside the API
// key in apiKeyHeader (a value of ParseAPIKeyHeader), sorted by name. Values
// are never quoted: they are secrets.
func CheckHeaders(headers map[string]string, apiKeyHeader string) []HeaderProblem {
	names := make([]string, 0, len(headers))
	for name := range headers {
		names = append(names, name)
	}
	sort.Strings(names)
	var problems []HeaderProblem
	spelled := map[string]string{} // canonical name → first spelling
	for _, name := range names {
		fail := func(err error, format string, args ...any) {
			problems = append(problems, HeaderProblem{Name: name, Err: fmt.Errorf("%w: "+format, append([]any{err}, args...)...)})
		}
		canonical := http.CanonicalHeaderKey(name)
		switch {
		case !httpguts.ValidHeaderFieldName(name):
			fail(ErrHeaderInvalid, "%q is not a valid HTTP header name", name)
		case !httpguts.ValidHeaderFieldValue(headers[name]):
			fail(ErrHeaderInvalid, "the value of %s holds a line break or another control character", name)
		case canonical == HeaderXAPIKey || canonical == apiKeyHeader:
			fail(ErrHeaderCarriesKey, "%s", name)
		case reservedHeaders[canonical]:
			fail(ErrHeaderReserved, "%s", name)
		case spelled[canonical] != "":
			fail(ErrHeaderInvalid, "%s and %s are the same header (names ignore case)", spelled[canonical], name)
		}
		if spelled[canonical] == "" {
			spelled[canonical] = name
		}
	}
	return problems
}
