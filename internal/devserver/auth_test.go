package devserver

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Behaviour 4: authentication (API.md 10).

func unauthorized(t *testing.T, ts *testServer, r response, detail string) {
	t.Helper()
	env := ts.envelope(r, http.StatusUnauthorized)
	if env["detail"] != detail {
		t.Errorf("detail %q, want %q", env["detail"], detail)
	}
	if r.header.Get("WWW-Authenticate") != "Token" {
		t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
}

func TestLegacyTokens(t *testing.T) {
	disabled := newTestServer(t, func(c *Config) { c.UserToken = "0123456789abcdef0123456789abcdef01234567" })
	unauthorized(t, disabled, disabled.request(http.MethodGet, "/api/projects/", nil,
		map[string]string{"Authorization": "Token 0123456789abcdef0123456789abcdef01234567"}), msgLegacyDisabled)

	enabled := newTestServer(t, func(c *Config) {
		c.UserToken = "0123456789abcdef0123456789abcdef01234567"
		c.LegacyTokensEnabled = true
	})
	for _, headers := range []map[string]string{
		{"Authorization": "Token 0123456789abcdef0123456789abcdef01234567"},
		{"Authorization": "", "X-Api-Key": "0123456789abcdef0123456789abcdef01234567"},
	} {
		if r := enabled.request(http.MethodGet, "/api/projects/", nil, headers); r.status != http.StatusOK {
			t.Errorf("%v: %d %s", headers, r.status, r.body)
		}
	}
	unauthorized(t, enabled, enabled.request(http.MethodGet, "/api/projects/", nil, map[string]string{"Authorization": "Token wrong"}), msgInvalidToken)
	unauthorized(t, enabled, enabled.request(http.MethodGet, "/api/projects/", nil, map[string]string{"Authorization": ""}), msgNoCredentials)
	if enabled.srv.LegacyToken() != "0123456789abcdef0123456789abcdef01234567" {
		t.Errorf("LegacyToken() does not return LABEL_STUDIO_USER_TOKEN")
	}
}

func TestPersonalAccessTokens(t *testing.T) {
	ts := newTestServer(t, nil)
	pat, err := ts.srv.MintPersonalAccessToken()
	if err != nil {
		t.Fatal(err)
	}
	if len(strings.Split(pat, ".")) != 3 {
		t.Fatalf("PAT is not a JWT: %s", pat)
	}
	for _, p := range []string{"/api/token/refresh/", "/api/token/refresh"} {
		access := ts.object(ts.mustDo(http.MethodPost, p, map[string]any{"refresh": pat}, http.StatusOK))["access"].(string)
		r := ts.request(http.MethodGet, "/api/projects/", nil, map[string]string{"Authorization": "Bearer " + access})
		if r.status != http.StatusOK {
			t.Errorf("access token from %s rejected: %d", p, r.status)
		}
	}
	unauthorized(t, ts, ts.do(http.MethodPost, "/api/token/refresh/", map[string]any{"refresh": pat + "x"}), msgBadRefreshToken)
	unauthorized(t, ts, ts.do(http.MethodPost, "/api/token/refresh/", map[string]any{"refresh": ts.access}), msgBadRefreshToken)
	// A bad Bearer token is dropped silently: the request is anonymous.
	unauthorized(t, ts, ts.request(http.MethodGet, "/api/projects/", nil, map[string]string{"Authorization": "Bearer " + pat}), msgNoCredentials)

	expired, err := ts.srv.signJWT(jwtClaims{TokenType: tokenTypeAccess, Exp: time.Now().Add(-time.Second).Unix(), JTI: "x", UserID: 1})
	if err != nil {
		t.Fatal(err)
	}
	unauthorized(t, ts, ts.request(http.MethodGet, "/api/projects/", nil, map[string]string{"Authorization": "Bearer " + expired}), msgNoCredentials)

	other := newTestServer(t, nil) // another server signs with another secret
	unauthorized(t, ts, ts.request(http.MethodGet, "/api/projects/", nil, map[string]string{"Authorization": "Bearer " + other.access}), msgNoCredentials)

	// Only HS256 is accepted, as simplejwt's default ALGORITHM: the same
	// secret with another algorithm, or no signature at all, is refused.
	claims := jwtClaims{TokenType: tokenTypeAccess, Exp: time.Now().Add(time.Hour).Unix(), JTI: "y", UserID: 1}
	hs512, err := jwt.NewWithClaims(jwt.SigningMethodHS512, claims).SignedString(ts.srv.st.JWTSecret)
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{hs512, unsigned} {
		unauthorized(t, ts, ts.request(http.MethodGet, "/api/projects/", nil, map[string]string{"Authorization": "Bearer " + token}), msgNoCredentials)
	}
}

func TestAccessTokenLifetime(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.AccessTokenTTL = 90 * time.Second })
	claims, err := ts.srv.parseJWT(ts.access, tokenTypeAccess, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if lifetime := claims.Exp - claims.Iat; lifetime != 90 {
		t.Errorf("access token lifetime %ds, want 90s", lifetime)
	}
}

func TestTokenEndpoints(t *testing.T) {
	ts := newTestServer(t, nil)
	created := ts.object(ts.mustDo(http.MethodPost, "/api/token/", nil, http.StatusCreated))
	token := created["token"].(string)
	ts.mustDo(http.MethodPost, "/api/token/refresh/", map[string]any{"refresh": token}, http.StatusOK)
	var list []map[string]any
	ts.decode(ts.mustDo(http.MethodGet, "/api/token/", nil, http.StatusOK), &list)
	if len(list) != 2 { // the harness's own PAT and this one
		t.Errorf("token list has %d entries, want 2", len(list))
	}
	unauthorized(t, ts, ts.request(http.MethodPost, "/api/token/", nil, map[string]string{"Authorization": ""}), msgNoCredentials)
}

// TestXAPIKeyHeaderAsLabelStudioMiddleware follows XApiKeySupportMiddleware
// (label_studio/core/middleware.py) and is_jwt_formatted
// (label_studio/jwt_auth/token_format.py): X-Api-Key, whatever the case of
// its name and even when empty, replaces Authorization; a JWT-formatted value
// is sent on as a Bearer token, anything else as a legacy Token.
func TestXAPIKeyHeaderAsLabelStudioMiddleware(t *testing.T) {
	const legacy = "0123456789abcdef0123456789abcdef01234567"
	ts := newTestServer(t, func(c *Config) {
		c.UserToken = legacy
		c.LegacyTokensEnabled = true
	})
	pat, err := ts.srv.MintPersonalAccessToken()
	if err != nil {
		t.Fatal(err)
	}
	get := func(headers map[string]string) response {
		t.Helper()
		if _, ok := headers["Authorization"]; !ok {
			headers["Authorization"] = "" // no Bearer from the harness
		}
		return ts.request(http.MethodGet, "/api/projects/", nil, headers)
	}
	for name, headers := range map[string]map[string]string{
		"legacy token":                      {"X-Api-Key": legacy},
		"access token, sent on as Bearer":   {"X-Api-Key": ts.access},
		"X-Api-Key wins over a bad header":  {"X-Api-Key": legacy, "Authorization": "Token wrong"},
		"X-Api-Key wins over a bad Bearer":  {"X-Api-Key": ts.access, "Authorization": "Bearer " + pat},
		"legacy token beside another token": {"X-Api-Key": legacy, "Authorization": "Bearer not-a-jwt"},
	} {
		if r := get(headers); r.status != http.StatusOK {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}

	// X-Api-Key supersedes a valid Authorization header.
	unauthorized(t, ts, get(map[string]string{"X-Api-Key": "wrong", "Authorization": "Bearer " + ts.access}), msgInvalidToken)
	unauthorized(t, ts, get(map[string]string{"X-Api-Key": "", "Authorization": "Bearer " + ts.access}), msgTokenHeaderEmpty)
	// A personal access token is a refresh token: as Bearer the JWT
	// middleware drops it and the request is anonymous.
	unauthorized(t, ts, get(map[string]string{"X-Api-Key": pat}), msgNoCredentials)
	// Three dotted parts that do not decode as JSON are no JWT: a legacy Token.
	unauthorized(t, ts, get(map[string]string{"X-Api-Key": "aaa.bbb.ccc"}), msgInvalidToken)
	unauthorized(t, ts, get(map[string]string{"X-Api-Key": "two words"}), msgTokenHeaderSpaces)

	// Header names are case-insensitive (Django's META key is HTTP_X_API_KEY
	// for any spelling): send the name in lower case, as HTTP/2 does.
	req, err := http.NewRequest(http.MethodGet, ts.http.URL+"/api/projects/", http.NoBody)
	if err != nil {
		t.Fatal(err)
	}
	req.Header["x-api-key"] = []string{legacy}
	res, err := ts.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("lower-case x-api-key: %d", res.StatusCode)
	}
}
