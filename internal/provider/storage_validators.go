package provider

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// stringCheck adapts a function to validator.String; the function gets only
// known, non-null values.
type stringCheck struct {
	desc  string
	check func(value string, resp *validator.StringResponse, req validator.StringRequest)
}

func (c stringCheck) Description(context.Context) string         { return c.desc }
func (c stringCheck) MarkdownDescription(context.Context) string { return c.desc }

func (c stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	c.check(req.ConfigValue.ValueString(), resp, req)
}

// int64Check is stringCheck's Int64 twin.
type int64Check struct {
	desc  string
	check func(value int64, resp *validator.Int64Response, req validator.Int64Request)
}

func (c int64Check) Description(context.Context) string         { return c.desc }
func (c int64Check) MarkdownDescription(context.Context) string { return c.desc }

func (c int64Check) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	c.check(req.ConfigValue.ValueInt64(), resp, req)
}

var (
	bucketNamePattern = regexp.MustCompile(`^[a-zA-Z0-9.\-_]{1,255}$`)
	// bucketARNPattern accepts access point and outposts ARNs, as botocore does.
	bucketARNPattern = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*):s3(-outposts|-object-lambda)?:[a-z\-0-9]*:[0-9]{12}:[a-zA-Z0-9\-.:/_]{1,255}$`)
	digitsPattern    = regexp.MustCompile(`^[0-9]+$`)
)

func titleValidator() validator.String {
	return stringCheck{desc: "at most 256 characters", check: func(v string, resp *validator.StringResponse, req validator.StringRequest) {
		if n := len([]rune(v)); n > 256 {
			resp.Diagnostics.AddAttributeError(req.Path, "Title too long",
				fmt.Sprintf("Label Studio accepts at most 256 characters in title; this one has %d. Shorten it.", n))
		}
	}}
}

func bucketNameValidator() validator.String {
	return stringCheck{desc: "a valid bucket name or ARN", check: func(v string, resp *validator.StringResponse, req validator.StringRequest) {
		if bucketNamePattern.MatchString(v) || bucketARNPattern.MatchString(v) {
			return
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid bucket name",
			fmt.Sprintf("%q is not a bucket name: use 1 to 255 letters, digits, '.', '-' or '_' (no slashes, no s3:// or gs:// scheme; put folders into prefix), or an access point ARN.", v))
	}}
}

func httpURLValidator() validator.String {
	return stringCheck{desc: "an http or https URL", check: func(v string, resp *validator.StringResponse, req validator.StringRequest) {
		u, err := url.Parse(v)
		if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid endpoint URL",
			fmt.Sprintf("%q is not an http(s) URL: write the scheme and host, e.g. https://minio.example.com:9000.", v))
	}}
}

func portValidator() validator.String {
	return stringCheck{desc: "a port number from 1 to 65535, as a string", check: func(v string, resp *validator.StringResponse, req validator.StringRequest) {
		if digitsPattern.MatchString(v) {
			if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= 65535 {
				return
			}
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Redis port",
			fmt.Sprintf("%q is not a port: use a number from 1 to 65535, e.g. \"6379\".", v))
	}}
}

func absolutePathValidator() validator.String {
	return stringCheck{desc: "an absolute directory path", check: func(v string, resp *validator.StringResponse, req validator.StringRequest) {
		normalized := normalizeLocalPath(v)
		if strings.HasPrefix(normalized, "/") || windowsAbsolute.MatchString(normalized) {
			return
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Local path must be absolute",
			fmt.Sprintf("%q is relative. Label Studio needs the absolute directory on its server, below LOCAL_FILES_DOCUMENT_ROOT, e.g. /label-studio/data/images.", v))
	}}
}

// windowsAbsolute matches a drive-letter path after separators became '/'.
var windowsAbsolute = regexp.MustCompile(`^[A-Za-z]:/`)

func presignTTLValidator() validator.Int64 {
	return int64Check{desc: "from 1 to 32767 minutes", check: func(v int64, resp *validator.Int64Response, req validator.Int64Request) {
		if v < 1 || v > 32767 {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid presign_ttl",
				fmt.Sprintf("presign_ttl is in minutes and must be from 1 to 32767; got %d.", v))
		}
	}}
}

func redisDBValidator() validator.Int64 {
	return int64Check{desc: "from 1 to 32767", check: func(v int64, resp *validator.Int64Response, req validator.Int64Request) {
		switch {
		case v == 0:
			resp.Diagnostics.AddAttributeError(req.Path, "Redis database 0 cannot be used",
				"Label Studio refuses database 0 (its connection check treats 0 as missing and fails). Use 1 or a higher database number.")
		case v < 0 || v > 32767:
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid Redis database",
				fmt.Sprintf("db must be from 1 to 32767; got %d.", v))
		}
	}}
}

// regexFilterValidator checks that regex_filter compiles. Label Studio uses
// Python's re, which accepts lookarounds, backreferences and atomic groups
// that Go's RE2 rejects: those only warn. A pattern that is broken in any
// dialect (unbalanced parentheses or brackets, a dangling repetition) is an
// error.
func regexFilterValidator() validator.String {
	return stringCheck{desc: "a Python regular expression", check: func(v string, resp *validator.StringResponse, req validator.StringRequest) {
		_, err := syntax.Parse(v, syntax.Perl)
		if err == nil {
			return
		}
		var syntaxErr *syntax.Error
		if errors.As(err, &syntaxErr) && (brokenInEveryDialect(syntaxErr.Code) || minRepeatAboveMax(syntaxErr)) {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid regex_filter",
				fmt.Sprintf("%q is not a regular expression: %v. Fix the pattern, e.g. .*\\.jpg$ to select JPEG files.", v, err))
			return
		}
		resp.Diagnostics.AddAttributeWarning(req.Path, "regex_filter cannot be checked",
			fmt.Sprintf("Go's regular expressions reject %q (%v), probably because it uses Python-only syntax such as lookarounds or backreferences. Label Studio uses Python's re, so it may still work; check the synced tasks.", v, err))
	}}
}

// repeatBounds matches a counted repetition such as {2,1}.
var repeatBounds = regexp.MustCompile(`^\{([0-9]+),([0-9]+)\}$`)

// minRepeatAboveMax reports a repetition whose minimum exceeds its maximum,
// which Python rejects too ("min repeat greater than max repeat"); Go's
// other repeat-size error, a count above 1000, is Go's own limit.
func minRepeatAboveMax(err *syntax.Error) bool {
	if err.Code != syntax.ErrInvalidRepeatSize {
		return false
	}
	m := repeatBounds.FindStringSubmatch(err.Expr)
	if m == nil {
		return false
	}
	lo, errLo := strconv.Atoi(m[1])
	hi, errHi := strconv.Atoi(m[2])
	return errLo == nil && errHi == nil && lo > hi
}

func brokenInEveryDialect(code syntax.ErrorCode) bool {
	switch code {
	case syntax.ErrMissingParen, syntax.ErrUnexpectedParen, syntax.ErrMissingBracket,
		syntax.ErrInvalidCharRange, syntax.ErrMissingRepeatArgument, syntax.ErrTrailingBackslash:
		return true
	}
	return false
}

// regexAnchorWarning explains why a regex on a full object key may match
// nothing: re.match is anchored at the start of the key, prefix included.
// It returns "" when the pattern looks right.
func regexAnchorWarning(pattern, prefix string) string {
	p := strings.TrimPrefix(pattern, "^")
	if p == "" || strings.HasPrefix(p, ".*") || strings.HasPrefix(p, ".+") {
		return ""
	}
	if prefix != "" && (strings.HasPrefix(p, prefix) || strings.HasPrefix(p, regexp.QuoteMeta(prefix))) {
		return ""
	}
	return fmt.Sprintf("Label Studio applies regex_filter with Python re.match, anchored at the start of the full object key (prefix included). %q only matches keys that begin with it, so it may select nothing. Start it with .* (e.g. %q) or with the prefix.", pattern, ".*"+p)
}
