package testenv

import (
	"crypto/subtle"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
)

// ProxyRefusal is the body of the authenticating proxy's 401: plain text,
// not Label Studio's error envelope, as the real ones answer.
const ProxyRefusal = "Access denied: the proxy's credentials are missing or wrong."

// AuthProxy is a reverse proxy in front of a Label Studio that behaves like
// the authenticating proxies it is deployed behind (Google IAP, Cloudflare
// Access, oauth2-proxy): it refuses every request without its own headers
// with a 401 of its own, and passes the others on without those headers and
// without Authorization, which it takes for itself: the API key reaches
// Label Studio only as X-Api-Key.
type AuthProxy struct {
	// URL is the proxy's address, to use as Label Studio's URL.
	URL string

	mu       sync.Mutex
	requests []ProxiedRequest
}

// ProxiedRequest is one request the proxy saw.
type ProxiedRequest struct {
	Method, Path string
	Refused      bool
	// XAPIKey reports that the request carried an X-Api-Key header.
	XAPIKey bool
}

// StartAuthProxy starts an AuthProxy in front of upstream (a base URL) that
// requires every header of required with exactly its value.
func StartAuthProxy(t testing.TB, upstream string, required map[string]string) *AuthProxy {
	t.Helper()
	target, err := url.Parse(upstream)
	if err != nil {
		t.Fatalf("testenv: proxy upstream: %v", err)
	}
	p := &AuthProxy{}
	forward := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		for name := range required {
			r.Out.Header.Del(name)
		}
		r.Out.Header.Del("Authorization")
	}}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		refused := false
		for name, want := range required {
			if subtle.ConstantTimeCompare([]byte(r.Header.Get(name)), []byte(want)) != 1 {
				refused = true
			}
		}
		_, xAPIKey := r.Header["X-Api-Key"]
		p.mu.Lock()
		p.requests = append(p.requests, ProxiedRequest{Method: r.Method, Path: r.URL.Path, Refused: refused, XAPIKey: xAPIKey})
		p.mu.Unlock()
		if refused {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(ProxyRefusal))
			return
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)
	p.URL = server.URL
	return p
}

// Requests returns what the proxy saw so far, in order.
func (p *AuthProxy) Requests() []ProxiedRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]ProxiedRequest(nil), p.requests...)
}
