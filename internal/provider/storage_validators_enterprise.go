package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// Google: a project number is digits; pool and provider IDs are 4 to
	// 32 lowercase letters, digits and hyphens, and "gcp-" is reserved.
	googleProjectNumberPattern = regexp.MustCompile(`^[0-9]{1,20}$`)
	wifIDPattern               = regexp.MustCompile(`^[a-z0-9-]{4,32}$`)
	emailPattern               = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

func googleProjectNumberValidator() validator.String {
	return patternValidator("a Google project number", googleProjectNumberPattern,
		"is not a Google project number: use the digits shown as Project number on the project's dashboard (gcloud projects describe PROJECT_ID --format='value(projectNumber)'), not the project ID.")
}

func serviceAccountEmailValidator() validator.String {
	return patternValidator("a service account email", emailPattern,
		"is not a service account email: use the account's full address, e.g. label-studio@my-project.iam.gserviceaccount.com.")
}

func positiveValidator() validator.Int64 {
	return int64Check{desc: "at least 1", check: func(v int64, resp *validator.Int64Response, req validator.Int64Request) {
		if v < 1 {
			resp.Diagnostics.AddAttributeError(req.Path, "Value must be positive",
				fmt.Sprintf("%s must be at least 1; got %d. Leave it unset to use the server's default.", req.Path, v))
		}
	}}
}

func patternValidator(desc string, pattern *regexp.Regexp, advice string) validator.String {
	return stringCheck{desc: desc, check: func(v string, resp *validator.StringResponse, req validator.StringRequest) {
		if !pattern.MatchString(v) {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), fmt.Sprintf("%q %s", v, advice))
		}
	}}
}

func uuidValidator() validator.String {
	return stringCheck{desc: "a UUID", check: func(v string, resp *validator.StringResponse, req validator.StringRequest) {
		if uuidPattern.MatchString(v) {
			return
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(),
			fmt.Sprintf("%q is not a UUID. Microsoft Entra shows tenant and application (client) IDs as UUIDs such as 72f988bf-86f1-41af-91ab-2d7cd011db47 on the app registration's Overview page; a domain name such as contoso.onmicrosoft.com is not accepted.", v))
	}}
}

func wifIDValidator() validator.String {
	return stringCheck{desc: "a workload identity pool or provider ID", check: func(v string, resp *validator.StringResponse, req validator.StringRequest) {
		if wifIDPattern.MatchString(v) && !strings.HasPrefix(v, "gcp-") && !strings.HasPrefix(v, "-") && !strings.HasSuffix(v, "-") {
			return
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(),
			fmt.Sprintf("%q is not a workload identity pool or provider ID: use the ID (not the display name or the full projects/.../workloadIdentityPools/... name), 4 to 32 lowercase letters, digits and hyphens, not starting with gcp-.", v))
	}}
}

func httpsURLValidator() validator.String {
	return stringCheck{desc: "an https URL", check: func(v string, resp *validator.StringResponse, req validator.StringRequest) {
		u, err := url.Parse(v)
		if err == nil && u.Scheme == "https" && u.Host != "" && (u.Path == "" || u.Path == "/") {
			return
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Databricks host",
			fmt.Sprintf("%q is not a workspace base URL: write https:// and the workspace host only, e.g. https://dbc-1234abcd-5678.cloud.databricks.com (no path; the volume goes into catalog, schema and volume).", v))
	}}
}

// unityCatalogNameValidator checks one part of /Volumes/<catalog>/<schema>/<volume>:
// Unity Catalog names cannot hold '/', '.', spaces or control characters.
func unityCatalogNameValidator() validator.String {
	return stringCheck{desc: "a Unity Catalog name", check: func(v string, resp *validator.StringResponse, req validator.StringRequest) {
		bad := v == "" || len(v) > 255 || strings.ContainsFunc(v, func(r rune) bool { return r == '/' || r == '.' || r == ' ' || r < 0x20 || r == 0x7f })
		if !bad {
			return
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Unity Catalog name",
			fmt.Sprintf("%q is not a Unity Catalog %s name: it must be 1 to 255 characters without '/', '.', spaces or control characters. Give each part of /Volumes/<catalog>/<schema>/<volume> in its own attribute, and folders inside the volume in prefix.", v, req.Path))
	}}
}

// databricksAuthValidator checks, on auth_type, that the credentials of the
// chosen method are configured (each secret either as the attribute or its
// write-only twin). Unset auth_type is the server's default, a token. A
// missing identifier is an error; a missing secret only warns, because
// Label Studio keeps the stored one (an imported storage has no secret in
// its configuration).
type databricksAuthValidator struct{}

func (databricksAuthValidator) Description(context.Context) string {
	return "pat, dbx_sp or azure_ad_sp, with that method's credentials"
}

func (v databricksAuthValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

var databricksAuthNeeds = map[string][]string{
	"pat":         {"token"},
	"dbx_sp":      {"client_id", "client_secret"},
	"azure_ad_sp": {"tenant_id", "client_id", "client_secret"},
}

func (databricksAuthValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsUnknown() {
		return
	}
	method, named := "pat", "the server's default, pat"
	if !req.ConfigValue.IsNull() {
		method = req.ConfigValue.ValueString()
		named = method
	}
	needs, ok := databricksAuthNeeds[method]
	if !ok {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid auth_type",
			fmt.Sprintf("%q is not an authentication method: use pat (a personal access token in token), dbx_sp (a Databricks service principal) or azure_ad_sp (an Azure AD service principal).", method))
		return
	}
	for _, name := range needs {
		set, known, secret := false, true, false
		for _, attrName := range []string{name, writeOnlyName(name)} {
			var v types.String
			if diags := req.Config.GetAttribute(ctx, path.Root(attrName), &v); diags.HasError() {
				continue // not a secret: no write-only twin
			}
			secret = secret || attrName != name
			known = known && !v.IsUnknown()
			set = set || (!v.IsNull() && !v.IsUnknown() && v.ValueString() != "")
		}
		if set || !known {
			continue
		}
		if !secret {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Missing Databricks credentials",
				fmt.Sprintf("%s is not set, and auth_type %s needs %s: set %s.", name, named, strings.Join(needs, ", "), name))
			continue
		}
		resp.Diagnostics.AddAttributeWarning(path.Root(name), "Databricks secret not configured",
			fmt.Sprintf("%s is not set, and auth_type %s needs %s. Label Studio keeps the %s it already holds (an imported storage), but a new storage fails its connection check: set %s (or %s with %s).",
				name, named, strings.Join(needs, ", "), name, name, writeOnlyName(name), versionName(name)))
	}
}
