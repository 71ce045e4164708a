package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// TestAccProvider_proxySettingsRejected checks that Terraform refuses, at
// plan time and naming the attribute and the fix, headers that would fight
// the API key for its header or that the provider sets itself, and an
// unknown api_key_header.
func TestAccProvider_proxySettingsRejected(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	cases := []struct {
		settings []string
		want     string
	}{
		{[]string{`headers = { Authorization = "Bearer proxy-token" }`},
			`Header conflicts with the API key(.|\n)*headers\s+sets\s+Authorization,\s+which\s+carries(.|\n)*api_key_header\s+=\s+"X-Api-Key"`},
		{[]string{`api_key_header = "X-Api-Key"`, `headers = { "x-api-key" = "another-key" }`},
			`Header conflicts with the API key(.|\n)*headers\s+sets\s+x-api-key,\s+the\s+header\s+Label\s+Studio\s+reads\s+the\s+API\s+key\s+from`},
		{[]string{`headers = { "X-Api-Key" = "another-key" }`},
			`Header conflicts with the API key(.|\n)*set\s+api_key_header\s+=\s+"X-Api-Key"`},
		{[]string{`headers = { Host = "label-studio.internal" }`},
			`Header set by the provider(.|\n)*headers\s+sets\s+Host`},
		{[]string{`headers = { "CF Access" = "secret" }`},
			`Invalid header(.|\n)*"CF Access"\s+is\s+not\s+a\s+valid\s+HTTP\s+header\s+name`},
		{[]string{`api_key_header = "Proxy-Authorization"`},
			`Invalid api_key_header(.|\n)*"Proxy-Authorization"\s+is\s+neither\s+"Authorization"\s+nor\s+"X-Api-Key"`},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      providerBlock(env.URL, env.APIKey, c.settings...) + projectsConfig("never created"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(c.want),
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// TestAccProvider_apiKeyHeaderFromEnvironment sets LABEL_STUDIO_API_KEY_HEADER
// with t.Setenv, so it cannot run in parallel.
func TestAccProvider_apiKeyHeaderFromEnvironment(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	t.Setenv(envAPIKeyHeader, "Bogus")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      providerBlock(env.URL, env.APIKey) + projectsConfig("never created"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`Invalid LABEL_STUDIO_API_KEY_HEADER(.|\n)*"Bogus",\s+neither\s+"Authorization"\s+nor\s+"X-Api-Key"`),
		}},
	})
}
