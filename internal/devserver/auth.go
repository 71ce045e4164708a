package devserver

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Label Studio's 401 messages (API.md 10).
const (
	msgNoCredentials    = "Authentication credentials were not provided."
	msgInvalidToken     = "Invalid token."
	msgLegacyDisabled   = "Authentication token no longer valid: legacy token authentication has been disabled for this organization"
	msgBadRefreshToken  = "Token is invalid or expired"
	personalTokenTTL    = 200 * 365 * 24 * time.Hour // Label Studio's PATs practically never expire
	bootstrapUserID     = 1
	bootstrapUserEmail  = "admin@labelstudio.local"
	bootstrapUserName   = "admin"
	tokenTypeRefresh    = "refresh"
	tokenTypeAccess     = "access"
	legacyTokenHexBytes = 20
)

// jwtClaims are the claims of the tokens this server signs, the same ones
// Label Studio's simplejwt tokens carry.
type jwtClaims struct {
	TokenType string `json:"token_type"`
	Exp       int64  `json:"exp"`
	Iat       int64  `json:"iat"`
	JTI       string `json:"jti"`
	UserID    int64  `json:"user_id"`
}

var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

func (s *Server) signJWT(c jwtClaims) (string, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("devserver: encode claims: %w", err)
	}
	unsigned := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, s.st.JWTSecret)
	mac.Write([]byte(unsigned))
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}

var errBadJWT = errors.New("invalid token")

// parseJWT checks the signature, the expiry and the token type.
func (s *Server) parseJWT(token, wantType string, now time.Time) (jwtClaims, error) {
	var c jwtClaims
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != jwtHeader {
		return c, errBadJWT
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return c, errBadJWT
	}
	mac := hmac.New(sha256.New, s.st.JWTSecret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return c, errBadJWT
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(payload, &c) != nil {
		return c, errBadJWT
	}
	if c.TokenType != wantType || now.Unix() >= c.Exp {
		return c, errBadJWT
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

// authenticate applies Label Studio's authentication classes in order:
// Bearer access JWT, then legacy Token (X-Api-Key rewritten to it).
func (s *Server) authenticate(r *http.Request) *apiError {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		if key := r.Header.Get("X-Api-Key"); key != "" {
			authz = "Token " + key
		}
	}
	scheme, credential, _ := strings.Cut(strings.TrimSpace(authz), " ")
	credential = strings.TrimSpace(credential)
	switch strings.ToLower(scheme) {
	case "bearer":
		// The JWT middleware drops a bad Bearer token silently, so the
		// request is simply anonymous.
		if _, err := s.parseJWT(credential, tokenTypeAccess, time.Now()); err == nil {
			return nil
		}
	case "token":
		s.mu.Lock()
		valid := credential != "" && hmac.Equal([]byte(credential), []byte(s.st.LegacyToken))
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
