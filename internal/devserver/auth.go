package devserver

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Label Studio's 401 messages (API.md 10).
const (
	msgNoCredentials = "Authentication credentials were not provided."
	msgInvalidToken  = "Invalid token."
	// DRF's TokenAuthentication on a Token header without exactly one credential.
	msgTokenHeaderEmpty  = "Invalid token header. No credentials provided."
	msgTokenHeaderSpaces = "Invalid token header. Token string should not contain spaces."
	msgLegacyDisabled    = "Authentication token no longer valid: legacy token authentication has been disabled for this organization"
	msgBadRefreshToken   = "Token is invalid or expired"
	personalTokenTTL     = 200 * 365 * 24 * time.Hour // Label Studio's PATs practically never expire
	bootstrapUserID      = 1
	bootstrapUserEmail   = "admin@labelstudio.local"
	bootstrapUserName    = "admin"
	tokenTypeRefresh     = "refresh"
	tokenTypeAccess      = "access"
	legacyTokenHexBytes  = 20
)

// jwtClaims are the claims of the tokens this server signs, the same ones
// Label Studio's simplejwt tokens carry (HS256, integer exp and iat).
type jwtClaims struct {
	TokenType string `json:"token_type"`
	Exp       int64  `json:"exp"`
	Iat       int64  `json:"iat"`
	JTI       string `json:"jti"`
	UserID    int64  `json:"user_id"`
}

var _ jwt.Claims = jwtClaims{}

func (c jwtClaims) GetExpirationTime() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.Exp, 0)), nil
}
func (c jwtClaims) GetIssuedAt() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.Iat, 0)), nil
}
func (c jwtClaims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }
func (c jwtClaims) GetIssuer() (string, error)              { return "", nil }
func (c jwtClaims) GetSubject() (string, error)             { return "", nil }
func (c jwtClaims) GetAudience() (jwt.ClaimStrings, error)  { return nil, nil }

func (s *Server) signJWT(c jwtClaims) (string, error) {
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.st.JWTSecret)
	if err != nil {
		return "", fmt.Errorf("devserver: sign token: %w", err)
	}
	return token, nil
}

var errBadJWT = errors.New("invalid token")

// parseJWT checks the signature (HS256 only), the expiry and the token type.
func (s *Server) parseJWT(token, wantType string, now time.Time) (jwtClaims, error) {
	var c jwtClaims
	_, err := jwt.ParseWithClaims(token, &c,
		func(*jwt.Token) (any, error) { return s.st.JWTSecret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil || c.TokenType != wantType {
		return jwtClaims{}, errBadJWT
	}
	return c, nil
}

// MintPersonalAccessToken issues a personal access token (a JWT refresh
// token) for the bootstrap user.
func (s *Server) MintPersonalAccessToken() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.mintPATLocked(time.Now())
	if err != nil {
		return "", err
	}
	return rec.Token, nil
}

func (s *Server) mintPATLocked(now time.Time) (*patRecord, error) {
	jti := newUUID()
	exp := now.Add(personalTokenTTL)
	token, err := s.signJWT(jwtClaims{TokenType: tokenTypeRefresh, Exp: exp.Unix(), Iat: now.Unix(), JTI: jti, UserID: bootstrapUserID})
	if err != nil {
		return nil, err
	}
	rec := &patRecord{Token: token, CreatedAt: isoTime(now), ExpiresAt: isoTime(exp)}
	s.st.Tokens[jti] = rec
	if err := s.persistLocked(); err != nil {
		return nil, err
	}
	return rec, nil
}

// authenticate applies Label Studio's authentication in order: the X-Api-Key
// middleware, then a Bearer access JWT, then a legacy Token (DRF's
// TokenAuthentication, whose header parsing and messages it follows).
func (s *Server) authenticate(r *http.Request) *apiError {
	authz := authorizationFromXAPIKey(r.Header)
	parts := strings.Fields(authz)
	if len(parts) == 0 {
		return &apiError{status: http.StatusUnauthorized, detail: msgNoCredentials}
	}
	switch strings.ToLower(parts[0]) {
	case "bearer":
		// The JWT middleware drops a bad Bearer token silently, so the
		// request is simply anonymous.
		if len(parts) == 2 {
			if _, err := s.parseJWT(parts[1], tokenTypeAccess, time.Now()); err == nil {
				return nil
			}
		}
	case "token":
		switch {
		case len(parts) == 1:
			return &apiError{status: http.StatusUnauthorized, detail: msgTokenHeaderEmpty}
		case len(parts) > 2:
			return &apiError{status: http.StatusUnauthorized, detail: msgTokenHeaderSpaces}
		}
		s.mu.Lock()
		valid := hmac.Equal([]byte(parts[1]), []byte(s.st.LegacyToken))
		s.mu.Unlock()
		if !valid {
			return &apiError{status: http.StatusUnauthorized, detail: msgInvalidToken}
		}
		if !s.cfg.LegacyTokensEnabled {
			return &apiError{status: http.StatusUnauthorized, detail: msgLegacyDisabled}
		}
		return nil
	}
	return &apiError{status: http.StatusUnauthorized, detail: msgNoCredentials}
}

// authorizationFromXAPIKey is the Authorization header Label Studio acts on,
// after its XApiKeySupportMiddleware (label_studio/core/middleware.py): an
// X-Api-Key header, when present at all (even empty), supersedes
// Authorization; its value becomes "Bearer <value>" when it is formatted as
// a JWT (label_studio/jwt_auth/token_format.py, is_jwt_formatted), else
// "Token <value>". A personal access token is a JWT too, but only access
// tokens authenticate as Bearer, so through X-Api-Key as elsewhere a client
// exchanges its PAT first.
func authorizationFromXAPIKey(h http.Header) string {
	values, present := h[http.CanonicalHeaderKey("X-Api-Key")]
	if !present {
		return h.Get("Authorization")
	}
	key := ""
	if len(values) > 0 {
		key = values[0]
	}
	if isJWTFormatted(key) {
		return "Bearer " + key
	}
	return "Token " + key
}

// isJWTFormatted is PyJWT's decode without signature verification, as
// is_jwt_formatted uses it: three base64url segments, the header and the
// payload JSON objects. Neither the signature nor a claim is checked.
func isJWTFormatted(token string) bool {
	segments := strings.Split(token, ".")
	if len(segments) != 3 {
		return false
	}
	for i, segment := range segments {
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(segment, "="))
		if err != nil {
			return false
		}
		if i == 2 {
			break
		}
		var object map[string]any
		if json.Unmarshal(raw, &object) != nil || object == nil {
			return false
		}
	}
	return true
}

// handleTokenRefresh exchanges a personal access token for an access token.
func (s *Server) handleTokenRefresh(w http.ResponseWriter, r *http.Request, _ routeParams) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	refresh, ok := body["refresh"].(string)
	if !ok || refresh == "" {
		return fieldError("refresh", "This field is required.")
	}
	now := time.Now()
	claims, err := s.parseJWT(refresh, tokenTypeRefresh, now)
	s.mu.Lock()
	_, known := s.st.Tokens[claims.JTI]
	s.mu.Unlock()
	if err != nil || !known {
		return &apiError{status: http.StatusUnauthorized, detail: msgBadRefreshToken}
	}
	access, err := s.signJWT(jwtClaims{TokenType: tokenTypeAccess, Exp: now.Add(s.cfg.AccessTokenTTL).Unix(), Iat: now.Unix(), JTI: newUUID(), UserID: claims.UserID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"access": access})
	return nil
}

// handleTokenCreate mints a personal access token for the caller.
func (s *Server) handleTokenCreate(w http.ResponseWriter, _ *http.Request, _ routeParams) error {
	s.mu.Lock()
	rec, err := s.mintPATLocked(time.Now())
	s.mu.Unlock()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rec)
	return nil
}

// handleTokenList lists the personal access tokens issued, oldest first.
func (s *Server) handleTokenList(w http.ResponseWriter, _ *http.Request, _ routeParams) error {
	s.mu.Lock()
	list := make([]*patRecord, 0, len(s.st.Tokens))
	for _, rec := range s.st.Tokens {
		copied := *rec
		list = append(list, &copied)
	}
	s.mu.Unlock()
	sortByCreation(list)
	writeJSON(w, http.StatusOK, list)
	return nil
}

// randomSecret returns n random bytes.
func randomSecret(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("devserver: no randomness: %w", err)
	}
	return b, nil
}

// newLegacyToken returns a 40-hex legacy token like Label Studio's.
func newLegacyToken() (string, error) {
	b, err := randomSecret(legacyTokenHexBytes)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
