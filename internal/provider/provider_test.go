package provider

import (
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

const providerTestProject = "labelstudio_project.test"

// expectProjectTitle is the state check that the project exists with title.
func expectProjectTitle(title string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(providerTestProject, tfjsonpath.New("title"), knownvalue.StringExact(title))
}

// TestAccProvider_personalAccessTokenOutlivesAccessTokens runs several
// Terraform commands with access tokens that expire after two seconds: the
// provider must exchange the personal access token again whenever its access
// token expires (or is rejected), and the user never sees it.
func TestAccProvider_personalAccessTokenOutlivesAccessTokens(t *testing.T) {
	const accessTokenTTL = 2 * time.Second
	env := testenv.Start(t, testenv.Options{UsePAT: true, AccessTokenTTL: accessTokenTTL})
	provider := testAccProviderConfig(env)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            provider + projectsConfig("PAT project"),
				ConfigStateChecks: []statecheck.StateCheck{expectProjectTitle("PAT project")},
			},
			{
				// Not a timing assertion: the wait only makes sure every
				// access token issued so far has expired.
				PreConfig: func() { time.Sleep(accessTokenTTL + time.Second) },
				Config:    provider + projectsConfig("PAT project renamed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(providerTestProject, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{expectProjectTitle("PAT project renamed")},
			},
			{
				PreConfig: func() { time.Sleep(accessTokenTTL + time.Second) },
				Config:    provider + projectsConfig("PAT project renamed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					if env.Real {
						return nil // a real Label Studio has no request counts
					}
					// Proof that the PAT path ran rather than a legacy token:
					// the stand-in issued access tokens more than once.
					refreshes := env.Dev(t).RequestCounts(t)["POST /api/token/refresh/"]
					if refreshes < 2 {
						return fmt.Errorf("the stand-in issued %d access tokens, want several", refreshes)
					}
					return nil
				},
			},
		},
	})
}

// TestAccProvider_rejectedAPIKey checks the diagnostic for a wrong key: it
// says what to fix, appears once however many resources the configuration
// has, and does not repeat the key.
//
// ExpectError can only match a pattern (Go's regexp cannot say "exactly
// once"), so this test reads the error in ErrorCheck instead, which
// terraform-plugin-testing calls with a failing step's error when the step
// has no ExpectError. What it cannot see is the order of Terraform's output.
func TestAccProvider_rejectedAPIKey(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	const wrongKey = "wrong-key-3f9c1e"
	const summary = "Label Studio rejected the API key"
	checked := false

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		ErrorCheck: func(err error) error {
			checked = true
			text := err.Error()
			var problems []string
			if n := strings.Count(text, summary); n != 1 {
				problems = append(problems, fmt.Sprintf("%q appears %d times, want once", summary, n))
			}
			for _, want := range []string{"api_key", "LABEL_STUDIO_API_KEY"} {
				if !strings.Contains(text, want) {
					problems = append(problems, fmt.Sprintf("does not name %s", want))
				}
			}
			if strings.Contains(text, "..") {
				problems = append(problems, "has a doubled full stop")
			}
			if strings.Contains(text, wrongKey) {
				problems = append(problems, "repeats the API key")
			}
			if len(problems) > 0 {
				return fmt.Errorf("the error %s:\n%s", strings.Join(problems, "; "), text)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: providerBlock(env.URL, wrongKey) + projectsConfig("one", "two", "three"),
			},
		},
	})
	if !checked {
		t.Fatal("terraform applied with a wrong API key and reported no error")
	}
}

// closedLoopbackURL is the address of a loopback port nothing listens on.
func closedLoopbackURL(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := listener.Addr().String()
	if err := listener.Close(); err != nil {
		t.Fatalf("close listener: %v", err)
	}
	return "http://" + addr
}

func TestAccProvider_unreachableURL(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerBlock(closedLoopbackURL(t), "some-key", `max_retries = 0`, `request_timeout = "2s"`) +
					projectsConfig("unreachable"),
				ExpectError: regexp.MustCompile(`Cannot reach Label Studio(.|\n)*Check\s+url\s+\(or\s+LABEL_STUDIO_URL\)`),
			},
		},
	})
}

func TestAccProvider_urlIsNotLabelStudio(t *testing.T) {
	notLabelStudio := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = fmt.Fprint(w, "<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>")
	}))
	t.Cleanup(notLabelStudio.Close)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      providerBlock(notLabelStudio.URL, "some-key", `max_retries = 0`) + projectsConfig("not label studio"),
				ExpectError: regexp.MustCompile(`The URL does not look like Label Studio`),
			},
		},
	})
}

// TestAccProvider_environmentFallback leaves the provider block empty: url
// and api_key come from the official SDK's environment variables. It sets
// them with t.Setenv, so it cannot run in parallel.
func TestAccProvider_environmentFallback(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	t.Setenv(envURL, env.URL)
	t.Setenv(envAPIKey, env.APIKey)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            providerBlock("", "") + projectsConfig("from the environment"),
				ConfigStateChecks: []statecheck.StateCheck{expectProjectTitle("from the environment")},
			},
		},
	})
}

// TestAccProvider_invalidSettings checks that Terraform rejects a bad
// provider block at plan time, naming the setting to fix.
func TestAccProvider_invalidSettings(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	const pemBundle = "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n"
	cases := []struct {
		setting string
		want    string
	}{
		{`request_timeout = "soon"`, `Invalid request_timeout(.|\n)*"soon" is not a positive duration`},
		{`request_timeout = "-5s"`, `Invalid request_timeout`},
		{"ca_cert_file = \"/nonexistent/ca.pem\"\n  ca_cert_pem = \"" + pemBundle + "\"", `Conflicting CA settings(.|\n)*Set either ca_cert_file or ca_cert_pem, not both`},
		{`max_retries = -1`, `Invalid max_retries(.|\n)*max_retries must be 0 or more`},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      testAccProviderConfig(env, c.setting) + projectsConfig("never created"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(c.want),
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// TestAccProvider_tls puts Label Studio behind HTTPS with a self-signed
// certificate: trusted through ca_cert_pem it works, untrusted it fails
// with the certificate problem in the message, and insecure_skip_verify
// turns the check off.
func TestAccProvider_tls(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	backend, err := url.Parse(env.URL)
	if err != nil {
		t.Fatalf("parse %s: %v", env.URL, err)
	}
	proxy := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(backend))
	t.Cleanup(proxy.Close)
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: proxy.Certificate().Raw}))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerBlock(proxy.URL, env.APIKey, `max_retries = 0`) + projectsConfig("behind TLS"),
				ExpectError: regexp.MustCompile(
					`Cannot reach Label Studio(.|\n)*certificate(.|\n)*is not trusted(.|\n)*x509(.|\n)*ca_cert_file\s+or\s+ca_cert_pem`),
			},
			{
				Config:            providerBlock(proxy.URL, env.APIKey, "ca_cert_pem = "+hclString(caPEM)) + projectsConfig("behind TLS"),
				ConfigStateChecks: []statecheck.StateCheck{expectProjectTitle("behind TLS")},
			},
			{
				Config:            providerBlock(proxy.URL, env.APIKey, "insecure_skip_verify = true") + projectsConfig("behind TLS, unverified"),
				ConfigStateChecks: []statecheck.StateCheck{expectProjectTitle("behind TLS, unverified")},
			},
		},
	})
}
