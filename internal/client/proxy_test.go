package client_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// proxyCredentials are what testenv.AuthProxy is told to require: a bearer
// token of its own in Authorization (as Google IAP) and a service token (as
// Cloudflare Access).
func proxyCredentials() map[string]string {
	return map[string]string{
		"Authorization":           "Bearer proxy-identity-token-Kq8vZt3Lw",
		"CF-Access-Client-Id":     "client-id-7Hj2Nc9Xp.access",
		"CF-Access-Client-Secret": "client-secret-Rm4Ty6Ub1Qs",
	}
}

// TestClientThroughAuthenticatingProxy runs the client against the stand-in
// behind a proxy that requires its own headers and takes Authorization for
// itself: with the headers and the key in X-Api-Key every call passes, the
// token refresh of a personal access token included; without them the
// proxy's refusal comes back as what it is.
func TestClientThroughAuthenticatingProxy(t *testing.T) {
	for _, tc := range []struct {
		name string
		pat  bool
	}{{"legacy token", false}, {"personal access token", true}} {
		t.Run(tc.name, func(t *testing.T) {
			env := testenv.Start(t, testenv.Options{UsePAT: tc.pat})
			if env.Real {
				t.Skip("the proxy is put in front of the stand-in")
			}
			proxy := testenv.StartAuthProxy(t, env.URL, proxyCredentials())
			c, err := client.New(client.Config{URL: proxy.URL, APIKey: env.APIKey, APIKeyHeader: "x-api-key", Headers: proxyCredentials()})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.CheckAuth(t.Context()); err != nil {
				t.Fatalf("CheckAuth through the proxy: %v", err)
			}
			project, err := c.CreateProject(t.Context(), map[string]any{"title": "behind a proxy"})
			if err != nil {
				t.Fatalf("CreateProject through the proxy: %v", err)
			}
			if _, err := c.GetProject(t.Context(), project.ID); err != nil {
				t.Fatalf("GetProject through the proxy: %v", err)
			}
			refreshed := false
			for _, r := range proxy.Requests() {
				if r.Refused {
					t.Errorf("the proxy refused %s %s", r.Method, r.Path)
				}
				if strings.HasPrefix(r.Path, "/api/token/refresh") {
					refreshed = true
					continue
				}
				if !r.XAPIKey {
					t.Errorf("%s %s carried no X-Api-Key", r.Method, r.Path)
				}
			}
			if refreshed != tc.pat {
				t.Errorf("token refresh through the proxy: %v, want %v", refreshed, tc.pat)
			}

			// The proxy's own 401 is not Label Studio's.
			partial := proxyCredentials()
			delete(partial, "CF-Access-Client-Secret")
			c, err = client.New(client.Config{URL: proxy.URL, APIKey: env.APIKey, APIKeyHeader: client.HeaderXAPIKey, Headers: partial})
			if err != nil {
				t.Fatal(err)
			}
			err = c.CheckAuth(t.Context())
			var apiErr *client.APIError
			if !errors.As(err, &apiErr) || !errors.Is(err, client.ErrUnauthorized) || apiErr.FromLabelStudio() {
				t.Fatalf("without the proxy's secret: %v, want the proxy's own 401", err)
			}
			for _, secret := range proxyCredentials() {
				if strings.Contains(err.Error(), strings.TrimPrefix(secret, "Bearer ")) {
					t.Errorf("the error quotes a header value: %v", err)
				}
			}

			// Past a proxy that takes Authorization, a key sent there never
			// reaches Label Studio, which answers as to an anonymous request.
			serviceToken := proxyCredentials()
			delete(serviceToken, "Authorization")
			viaServiceToken := testenv.StartAuthProxy(t, env.URL, serviceToken)
			c, err = client.New(client.Config{URL: viaServiceToken.URL, APIKey: env.APIKey, Headers: serviceToken})
			if err != nil {
				t.Fatal(err)
			}
			err = c.CheckAuth(t.Context())
			if !errors.As(err, &apiErr) || !apiErr.FromLabelStudio() || !strings.Contains(err.Error(), "Authentication credentials were not provided.") {
				t.Fatalf("key in Authorization behind the proxy: %v, want Label Studio's anonymous 401", err)
			}
		})
	}
}
