package devserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// mlConnection is what Label Studio's MLApi (ml/api_connector.py) is built
// from: the backend URL and its basic-auth pair.
type mlConnection struct {
	url      string
	authUser string
	authPass string
}

// mlResult is MLApiResult: the decoded answer, or an error whose message
// is the text of the requests exception (str(e)), as Label Studio shows it.
type mlResult struct {
	status   int
	response map[string]any
	errorMsg string
	isError  bool
}

// mlRequest is MLApi._request: suffix joined to the URL as urljoin does,
// JSON body for POST, the heartex User-Agent, HTTP basic auth when both
// user and password are set (whatever auth_method says), raise_for_status,
// then a JSON body. requests' HTTPAdapter(max_retries=2) retries failed
// connections on every method and read timeouts on GET only.
func (s *Server) mlRequest(ctx context.Context, conn mlConnection, suffix, method string, body any, timeout time.Duration) mlResult {
	target, err := mlURL(conn.url, suffix)
	if err != nil {
		return mlResult{isError: true, errorMsg: fmt.Sprintf("Invalid URL %q: %v", conn.url, err)}
	}
	// A Django view runs to its end when the API client hangs up: the
	// model calls (requests, in ml/api_connector.py) keep to their own
	// timeouts, so a create the client stopped waiting for still happens.
	ctx = context.WithoutCancel(ctx)
	var payload []byte
	if method == http.MethodPost {
		if payload, err = json.Marshal(body); err != nil {
			return mlResult{isError: true, errorMsg: err.Error()}
		}
	}
	basicAuth := conn.authUser != "" && conn.authPass != ""
	connectTimeout := s.cfg.MLConnectionTimeout
	if basicAuth {
		// _prepare_kwargs leaves a plain float timeout with basic auth,
		// which requests uses for connecting too.
		connectTimeout = timeout
	}
	client := &http.Client{
		Transport: &http.Transport{
			DialContext:           (&net.Dialer{Timeout: connectTimeout}).DialContext,
			ResponseHeaderTimeout: timeout,
			DisableKeepAlives:     true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return nil },
	}
	attempts := 0
	for {
		attempts++
		var reader io.Reader = http.NoBody
		if payload != nil {
			reader = bytes.NewReader(payload)
		}
		req, err := http.NewRequestWithContext(ctx, method, target.String(), reader)
		if err != nil {
			return mlResult{isError: true, errorMsg: err.Error()}
		}
		req.Header.Set("User-Agent", "heartex/"+s.cfg.Version)
		req.Header.Set("Accept", "*/*")
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if basicAuth {
			req.SetBasicAuth(conn.authUser, conn.authPass)
		}
		resp, err := client.Do(req)
		if err != nil {
			dial := isDialError(err)
			retryable := dial || method == http.MethodGet
			if retryable && attempts < 3 && ctx.Err() == nil {
				continue
			}
			return mlResult{isError: true, errorMsg: requestsErrorText(target, err, dial, attempts > 1 || dial, timeout, connectTimeout)}
		}
		data, readErr := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
		_ = resp.Body.Close()
		if resp.StatusCode >= 400 {
			kind := "Client Error"
			if resp.StatusCode >= 500 {
				kind = "Server Error"
			}
			reason := strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
			return mlResult{status: resp.StatusCode, isError: true,
				errorMsg: fmt.Sprintf("%d %s: %s for url: %s", resp.StatusCode, kind, reason, target.String())}
		}
		if readErr != nil {
			return mlResult{status: resp.StatusCode, isError: true, errorMsg: readErr.Error()}
		}
		var decoded map[string]any
		if err := json.Unmarshal(data, &decoded); err != nil || decoded == nil {
			// response.json() raises JSONDecodeError; a JSON value that is
			// not an object breaks .get() later, which Label Studio does not
			// survive either.
			return mlResult{status: resp.StatusCode, isError: true, errorMsg: "Expecting value: line 1 column 1 (char 0)"}
		}
		return mlResult{status: resp.StatusCode, response: decoded}
	}
}

// mlURL is MLApi._get_url: a slash is added to the base URL, then the
// suffix is joined as urllib.parse.urljoin does.
func mlURL(base, suffix string) (*url.URL, error) {
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	return u.ResolveReference(&url.URL{Path: suffix}), nil
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// requestsErrorText is str() of the exception requests raises, built the
// way urllib3 words it, e.g. HTTPConnectionPool(host='h', port=9090): Max
// retries exceeded with url: /health (Caused by NewConnectionError(...)).
func requestsErrorText(u *url.URL, err error, dial, retried bool, readTimeout, connectTimeout time.Duration) string {
	pool, conn := "HTTPConnectionPool", "HTTPConnection"
	port := u.Port()
	if u.Scheme == "https" {
		pool, conn = "HTTPSConnectionPool", "HTTPSConnection"
		if port == "" {
			port = "443"
		}
	} else if port == "" {
		port = "80"
	}
	prefix := fmt.Sprintf("%s(host='%s', port=%s)", pool, u.Hostname(), port)
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	var netErr net.Error
	timedOut := errors.As(err, &netErr) && netErr.Timeout()
	var cause string
	switch {
	case dial && timedOut:
		cause = fmt.Sprintf("ConnectTimeoutError(<urllib3.connection.%s object at 0x7f0000000000>, 'Connection to %s timed out. (connect timeout=%s)')",
			conn, u.Hostname(), pythonSeconds(connectTimeout))
	case dial:
		cause = fmt.Sprintf("NewConnectionError('<urllib3.connection.%s object at 0x7f0000000000>: Failed to establish a new connection: %s')",
			conn, errnoText(err))
	case timedOut || strings.Contains(err.Error(), "timeout awaiting response headers"):
		readErr := fmt.Sprintf("%s: Read timed out. (read timeout=%s)", prefix, pythonSeconds(readTimeout))
		if !retried {
			return readErr // a POST is not retried: requests raises ReadTimeout itself
		}
		cause = fmt.Sprintf("ReadTimeoutError(\"%s\")", readErr)
	default:
		cause = fmt.Sprintf("ProtocolError('Connection aborted.', %s)", err.Error())
		if !retried {
			return fmt.Sprintf("('Connection aborted.', %s)", err.Error())
		}
	}
	return fmt.Sprintf("%s: Max retries exceeded with url: %s (Caused by %s)", prefix, path, cause)
}

// errnoText is Python's rendering of a socket error: [Errno 111]
// Connection refused, [Errno -2] Name or service not known, ...
func errnoText(err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "[Errno 111] Connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "[Errno 113] No route to host"
	case errors.Is(err, syscall.ENETUNREACH):
		return "[Errno 101] Network is unreachable"
	case errors.As(err, &dnsErr):
		return "[Errno -2] Name or service not known"
	}
	return err.Error()
}

// pythonSeconds formats a duration as Python prints a float of seconds.
func pythonSeconds(d time.Duration) string {
	text := strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
	if !strings.Contains(text, ".") {
		text += ".0"
	}
	return text
}
