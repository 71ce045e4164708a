package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestCheckHeaders(t *testing.T) {
	for _, tc := range []struct {
		name      string
		headers   map[string]string
		keyHeader string
		wantName  string // "" when the headers are accepted
		want      error
	}{
		{"service token", map[string]string{"CF-Access-Client-Id": "a", "CF-Access-Client-Secret": "b"}, HeaderAuthorization, "", nil},
		{"proxy takes Authorization", map[string]string{"Authorization": "Bearer x"}, HeaderXAPIKey, "", nil},
		{"Authorization carries the key", map[string]string{"authorization": "Bearer x"}, HeaderAuthorization, "authorization", ErrHeaderCarriesKey},
		{"X-Api-Key carries the key", map[string]string{"X-API-KEY": "key-value-1"}, HeaderXAPIKey, "X-API-KEY", ErrHeaderCarriesKey},
		{"X-Api-Key would replace Authorization", map[string]string{"X-Api-Key": "key-value-2"}, HeaderAuthorization, "X-Api-Key", ErrHeaderCarriesKey},
		{"set by the client", map[string]string{"content-type": "text/plain"}, HeaderAuthorization, "content-type", ErrHeaderReserved},
		{"Host", map[string]string{"Host": "example.com"}, HeaderAuthorization, "Host", ErrHeaderReserved},
		{"bad name", map[string]string{"CF Access": "value-3"}, HeaderAuthorization, "CF Access", ErrHeaderInvalid},
		{"line break in value", map[string]string{"X-Token": "a\r\nX-Other: b"}, HeaderAuthorization, "X-Token", ErrHeaderInvalid},
		{"same name twice", map[string]string{"X-Token": "value-4", "x-token": "value-5"}, HeaderAuthorization, "x-token", ErrHeaderInvalid},
	} {
		problems := CheckHeaders(tc.headers, tc.keyHeader)
		if tc.want == nil {
			if len(problems) > 0 {
				t.Errorf("%s: refused: %v", tc.name, problems[0].Err)
			}
			continue
		}
		if len(problems) != 1 || problems[0].Name != tc.wantName || !errors.Is(problems[0].Err, tc.want) {
			t.Errorf("%s: %+v, want %s refused with %v", tc.name, problems, tc.wantName, tc.want)
			continue
		}
		for _, value := range tc.headers {
			if strings.Contains(problems[0].Err.Error(), value) {
				t.Errorf("%s: the message quotes a header value: %v", tc.name, problems[0].Err)
			}
		}
	}
}

func TestAPIKeyHeaderSetting(t *testing.T) {
	for value, want := range map[string]string{"": HeaderAuthorization, "authorization": HeaderAuthorization, "X-API-Key": HeaderXAPIKey, " x-api-key ": HeaderXAPIKey} {
		if got, err := ParseAPIKeyHeader(value); err != nil || got != want {
			t.Errorf("ParseAPIKeyHeader(%q) = %q, %v; want %q", value, got, err, want)
		}
	}
	if _, err := New(Config{URL: "http://localhost", APIKey: "k", APIKeyHeader: "Proxy-Authorization"}); err == nil {
		t.Error("New accepted the API key in Proxy-Authorization")
	}
	if _, err := New(Config{URL: "http://localhost", APIKey: "k", Headers: map[string]string{"Authorization": "Bearer x"}}); !errors.Is(err, ErrHeaderCarriesKey) {
		t.Errorf("New with Authorization among the headers: %v, want ErrHeaderCarriesKey", err)
	}
}

// TestServerErrorsNeverShowTheClientsOwnSecrets: a server (or a proxy in
// front of it) that quotes the request's headers back in its error has the
// API key and every configured header value scrubbed from the error text,
// in every field the error shows.
func TestServerErrorsNeverShowTheClientsOwnSecrets(t *testing.T) {
	const apiKey = "legacy-token-0123456789"
	headers := map[string]string{"CF-Access-Client-Id": "client-id.access", "CF-Access-Client-Secret": "s3cr3t/value+with=signs"}
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		quoted := fmt.Sprintf("%s %s %s", r.Header.Get("Authorization"), r.Header.Get("CF-Access-Client-Id"), r.Header.Get("CF-Access-Client-Secret"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		body, _ := json.Marshal(map[string]any{
			"status_code":       400,
			"detail":            "bad request with " + quoted,
			"validation_errors": map[string]any{"title": []string{"headers were " + quoted}},
			"exc_info":          "Traceback...\nValueError: " + url.QueryEscape(quoted),
		})
		_, _ = w.Write(body)
	})
	c, _ := newTestClient(t, srv.URL, apiKey, func(cfg *Config) { cfg.Headers = headers })

	_, err := c.GetProject(t.Context(), 1)
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("GetProject: %v, want an *APIError", err)
	}
	text := fmt.Sprintf("%s | %s | %v | %s", err.Error(), apiErr.Detail, apiErr.ValidationErrors, apiErr.Exception)
	if !strings.Contains(text, "bad request with") {
		t.Fatalf("the server's message is gone from the error: %s", text)
	}
	for _, secret := range []string{apiKey, headers["CF-Access-Client-Id"], headers["CF-Access-Client-Secret"], url.QueryEscape(headers["CF-Access-Client-Secret"])} {
		if strings.Contains(text, secret) {
			t.Errorf("the error shows the secret %q: %s", secret, text)
		}
	}
}
