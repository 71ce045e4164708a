package storagepreview

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// CORSRule is one bucket CORS rule, as S3 (and GCS, Azure, with their own
// names) store them.
type CORSRule struct {
	AllowedOrigins []string `json:"AllowedOrigins"`
	AllowedMethods []string `json:"AllowedMethods"`
	AllowedHeaders []string `json:"AllowedHeaders,omitempty"`
}

// CORSStatus is the outcome of a CORS check.
type CORSStatus string

const (
	// CORSAllowed: a rule lets a browser at the origin GET the objects.
	CORSAllowed CORSStatus = "allowed"
	// CORSDenied: no rule does; the media of synced tasks will not load.
	CORSDenied CORSStatus = "denied"
	// CORSCannotCheck: the rules could not be read (permission, server).
	CORSCannotCheck CORSStatus = "cannot_check"
	// CORSNotNeeded: the browser never fetches from the bucket (export
	// storages, or presign = false, where Label Studio proxies the media).
	CORSNotNeeded CORSStatus = "not_needed"
)

// CORSCheck is the CORS part of a report.
type CORSCheck struct {
	Status  CORSStatus
	Message string
}

// CORSRequest is a browser request to check: the page's origin, the method
// and the request headers the browser asks to send.
type CORSRequest struct {
	Origin  string
	Method  string
	Headers []string
}

// EvaluateCORS applies S3's matching rules: the first rule whose
// AllowedOrigins match the origin (each may hold one * wildcard), whose
// AllowedMethods hold the method and whose AllowedHeaders cover every request
// header (case-insensitively, wildcards allowed) decides. The message says
// which part is missing and shows a rule that would work.
func EvaluateCORS(rules []CORSRule, req CORSRequest) CORSCheck {
	if len(rules) == 0 {
		return CORSCheck{Status: CORSDenied, Message: fmt.Sprintf(
			"The bucket has no CORS rules, so a browser at %s cannot load its objects. Add a rule such as %s.", req.Origin, suggestRule(req))}
	}
	var originOnly, methodOnly []int
	for i, r := range rules {
		originOK := anyMatch(r.AllowedOrigins, req.Origin, false)
		methodOK := containsFold(r.AllowedMethods, req.Method)
		switch {
		case originOK && methodOK && headersAllowed(r.AllowedHeaders, req.Headers):
			return CORSCheck{Status: CORSAllowed, Message: fmt.Sprintf(
				"CORS rule %d allows %s from %s.", i+1, req.Method, req.Origin)}
		case originOK && methodOK:
			return CORSCheck{Status: CORSDenied, Message: fmt.Sprintf(
				"CORS rule %d allows %s from %s but not the request headers %s: add them (or \"*\") to its AllowedHeaders.",
				i+1, req.Method, req.Origin, strings.Join(req.Headers, ", "))}
		case originOK:
			originOnly = append(originOnly, i+1)
		case methodOK:
			methodOnly = append(methodOnly, i+1)
		}
	}
	var why string
	switch {
	case len(originOnly) > 0:
		why = fmt.Sprintf("CORS rule %d matches the origin %s but does not allow %s: add %q to its AllowedMethods",
			originOnly[0], req.Origin, req.Method, req.Method)
	case len(methodOnly) > 0:
		why = fmt.Sprintf("no CORS rule's AllowedOrigins matches %s (rule %d allows %s for %s): add the origin to it",
			req.Origin, methodOnly[0], req.Method, strings.Join(rules[methodOnly[0]-1].AllowedOrigins, ", "))
	default:
		why = fmt.Sprintf("none of the %d CORS rules allows %s from %s", len(rules), req.Method, req.Origin)
	}
	return CORSCheck{Status: CORSDenied, Message: fmt.Sprintf(
		"A browser at %s cannot load the objects: %s. A rule that works: %s.", req.Origin, why, suggestRule(req))}
}

// suggestRule is the smallest rule that allows the request, as the JSON the
// AWS console and `aws s3api put-bucket-cors` take.
func suggestRule(req CORSRequest) string {
	rule := CORSRule{AllowedOrigins: []string{req.Origin}, AllowedMethods: []string{req.Method}, AllowedHeaders: []string{"*"}}
	out, _ := json.Marshal(rule)
	return string(out)
}

// OriginOf is the browser origin (scheme://host[:port]) of a URL, or "" when
// the URL has no scheme and host.
func OriginOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}

func headersAllowed(allowed, requested []string) bool {
	for _, h := range requested {
		if !anyMatch(allowed, h, true) {
			return false
		}
	}
	return true
}

// anyMatch reports whether value matches one of the patterns, each of which
// may hold one * standing for any run of characters.
func anyMatch(patterns []string, value string, foldCase bool) bool {
	for _, p := range patterns {
		if foldCase {
			p, value = strings.ToLower(p), strings.ToLower(value)
		}
		if wildcardMatch(p, value) {
			return true
		}
	}
	return false
}

func wildcardMatch(pattern, value string) bool {
	before, after, found := strings.Cut(pattern, "*")
	if !found {
		return pattern == value
	}
	return len(value) >= len(before)+len(after) && strings.HasPrefix(value, before) && strings.HasSuffix(value, after)
}

func containsFold(list []string, value string) bool {
	for _, v := range list {
		if strings.EqualFold(v, value) {
			return true
		}
	}
	return false
}
