package provider

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// validateProxySettings checks api_key_header and headers at plan time with
// the client's own rules; values unknown until apply are checked then.
func validateProxySettings(cfg providerModel, diags *diag.Diagnostics) {
	keyHeader := client.HeaderAuthorization
	switch v := cfg.APIKeyHeader; {
	case v.IsUnknown():
		return // which header carries the key decides which headers conflict
	case !v.IsNull():
		parsed, err := client.ParseAPIKeyHeader(v.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("api_key_header"), "Invalid api_key_header",
				fmt.Sprintf("%q is neither \"Authorization\" nor \"X-Api-Key\". Set \"X-Api-Key\" when a proxy in front of Label Studio takes the Authorization header for itself, or leave api_key_header out.", v.ValueString()))
			return
		}
		keyHeader = parsed
	default:
		if parsed, err := client.ParseAPIKeyHeader(os.Getenv(envAPIKeyHeader)); err == nil {
			keyHeader = parsed // a bad variable is reported by Configure
		}
	}
	if cfg.Headers.IsNull() || cfg.Headers.IsUnknown() {
		return
	}
	headers := map[string]string{}
	for name, value := range cfg.Headers.Elements() {
		str, _ := value.(types.String)
		// An unknown value is checked at apply; its name is known now.
		headers[name] = "unknown"
		if !str.IsUnknown() && !str.IsNull() {
			headers[name] = str.ValueString()
		}
	}
	addHeaderProblems(client.CheckHeaders(headers, keyHeader), keyHeader, diags)
}

// addHeaderProblems reports each refused header on its key of headers, with
// the fix.
func addHeaderProblems(problems []client.HeaderProblem, keyHeader string, diags *diag.Diagnostics) {
	for _, problem := range problems {
		at := path.Root("headers").AtMapKey(problem.Name)
		canonical := http.CanonicalHeaderKey(problem.Name)
		switch {
		case errors.Is(problem.Err, client.ErrHeaderCarriesKey) && canonical == client.HeaderXAPIKey:
			diags.AddAttributeError(at, "Header conflicts with the API key",
				fmt.Sprintf("headers sets %s, the header Label Studio reads the API key from (it replaces Authorization there). Remove it: to send api_key as X-Api-Key, set api_key_header = \"X-Api-Key\".", problem.Name))
		case errors.Is(problem.Err, client.ErrHeaderCarriesKey):
			diags.AddAttributeError(at, "Header conflicts with the API key",
				fmt.Sprintf("headers sets %s, which carries api_key (api_key_header is %s). If a proxy in front of Label Studio needs the Authorization header for itself, set api_key_header = \"X-Api-Key\" so that the key goes there instead; otherwise remove it.", problem.Name, keyHeader))
		case errors.Is(problem.Err, client.ErrHeaderReserved):
			diags.AddAttributeError(at, "Header set by the provider",
				fmt.Sprintf("headers sets %s, which the provider sets itself on every request. Remove it.", problem.Name))
		default:
			diags.AddAttributeError(at, "Invalid header",
				problem.Err.Error()+". A header name is letters, digits and punctuation such as - without spaces, each name once whatever its case; a value is one line.")
		}
	}
}

// proxySettings is where the API key goes (api_key_header, else its
// environment variable) and the extra headers, for the client.
func proxySettings(cfg providerModel, diags *diag.Diagnostics) (string, map[string]string) {
	keyHeader := cfg.APIKeyHeader.ValueString()
	if cfg.APIKeyHeader.IsNull() {
		var err error
		if keyHeader, err = client.ParseAPIKeyHeader(os.Getenv(envAPIKeyHeader)); err != nil {
			diags.AddError("Invalid "+envAPIKeyHeader,
				fmt.Sprintf("The environment variable %s is %q, neither \"Authorization\" nor \"X-Api-Key\". Fix or unset it, or set api_key_header in the provider block.", envAPIKeyHeader, os.Getenv(envAPIKeyHeader)))
			return "", nil
		}
	}
	var headers map[string]string
	if !cfg.Headers.IsNull() {
		headers = map[string]string{}
		for name, value := range cfg.Headers.Elements() {
			if str, ok := value.(types.String); ok && !str.IsNull() {
				headers[name] = str.ValueString()
			}
		}
	}
	parsed, err := client.ParseAPIKeyHeader(keyHeader)
	if err == nil {
		// The environment variable was not checked at plan time.
		addHeaderProblems(client.CheckHeaders(headers, parsed), parsed, diags)
	}
	return parsed, headers
}

// mapKnown reports that a map and all its values are known.
func mapKnown(m types.Map) bool {
	if m.IsUnknown() {
		return false
	}
	for _, value := range m.Elements() {
		if value.IsUnknown() {
			return false
		}
	}
	return true
}

// mapValues lists a map's values in the order of its keys.
func mapValues(m map[string]string) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	values := make([]string, 0, len(m))
	for _, name := range names {
		values = append(values, m[name])
	}
	return values
}
