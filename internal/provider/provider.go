// Package provider implements the labelstudio Terraform provider: a project
// resource, one resource per storage kind and direction (all served by one
// generic implementation driven by a table of kinds), data sources, and the
// storage sync resource and action.
package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/redact"
)

// Environment variables read when the provider block leaves a value out. The
// first two are the official Label Studio SDK's; the third goes with the key
// it qualifies, for setups that configure the key from the environment too.
const (
	envURL          = "LABEL_STUDIO_URL"
	envAPIKey       = "LABEL_STUDIO_API_KEY"
	envAPIKeyHeader = "LABEL_STUDIO_API_KEY_HEADER"
)

const (
	defaultRequestTimeout = 30 * time.Second
	defaultMaxRetries     = 5
)

var (
	_ provider.Provider                       = (*labelStudioProvider)(nil)
	_ provider.ProviderWithActions            = (*labelStudioProvider)(nil)
	_ provider.ProviderWithValidateConfig     = (*labelStudioProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*labelStudioProvider)(nil)
	_ provider.ProviderWithListResources      = (*labelStudioProvider)(nil)
)

// New returns a constructor for the provider, as providerserver expects.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &labelStudioProvider{version: version} }
}

type labelStudioProvider struct {
	version string
}

type providerModel struct {
	URL                types.String `tfsdk:"url"`
	APIKey             types.String `tfsdk:"api_key"`
	CACertFile         types.String `tfsdk:"ca_cert_file"`
	CACertPEM          types.String `tfsdk:"ca_cert_pem"`
	InsecureSkipVerify types.Bool   `tfsdk:"insecure_skip_verify"`
	RequestTimeout     types.String `tfsdk:"request_timeout"`
	MaxRetries         types.Int64  `tfsdk:"max_retries"`
	APIKeyHeader       types.String `tfsdk:"api_key_header"`
	Headers            types.Map    `tfsdk:"headers"`
}

func (p *labelStudioProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "labelstudio"
	resp.Version = p.version
}

func (p *labelStudioProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Label Studio projects and their cloud storage connections (import and export storages on S3, GCS, Azure Blob, Redis and local files), and syncs storages.",
		Attributes: map[string]schema.Attribute{
			"url": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Base URL of Label Studio, e.g. `https://label-studio.example.com`. Defaults to the `LABEL_STUDIO_URL` environment variable.",
			},
			"api_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "A personal access token (recommended; refreshed automatically) or a legacy token, from Account & Settings in Label Studio. Defaults to the `LABEL_STUDIO_API_KEY` environment variable.",
			},
			"api_key_header": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Where the API key is sent: `Authorization` (the default) or `X-Api-Key`, which Label Studio reads in place of `Authorization`. " +
					"Use `X-Api-Key` when a proxy in front of Label Studio takes the `Authorization` header for itself (Google IAP, an oauth2-proxy checking bearer tokens). " +
					"There Label Studio accepts a legacy token, and in recent releases a personal access token too (the provider sends the access tokens it exchanges the PAT for); older releases accept only legacy tokens in `X-Api-Key`. " +
					"Defaults to the `" + envAPIKeyHeader + "` environment variable, then `Authorization`.",
			},
			"headers": schema.MapAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Sensitive:   true,
				MarkdownDescription: "HTTP headers sent with every request to Label Studio, the token refresh included: what an authenticating proxy in front of it requires, " +
					"e.g. a Cloudflare Access service token (`CF-Access-Client-Id` and `CF-Access-Client-Secret`), or for Google IAP `Authorization = \"Bearer <OIDC token>\"` together with `api_key_header = \"X-Api-Key\"`. " +
					"Sensitive: the values never appear in plan output, state or logs. Refused: `X-Api-Key` (Label Studio reads the API key from it; set `api_key_header` instead), " +
					"`Authorization` unless `api_key_header = \"X-Api-Key\"`, and the headers the provider sets itself (`Accept`, `Content-Type`, `Host`, …).",
			},
			"ca_cert_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Path to a PEM bundle of CA certificates to trust instead of the system roots. Conflicts with `ca_cert_pem`.",
			},
			"ca_cert_pem": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "PEM bundle of CA certificates to trust instead of the system roots. Conflicts with `ca_cert_file`.",
			},
			"insecure_skip_verify": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Skip TLS certificate verification. Only for test servers with self-signed certificates; prefer `ca_cert_file`.",
			},
			"request_timeout": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Timeout of one HTTP request, as a Go duration such as `30s` or `2m`. Defaults to `30s`. Whole operations are bounded by each resource's `timeouts`.",
			},
			"max_retries": schema.Int64Attribute{
				CustomType:          wholeNumberType{},
				Optional:            true,
				MarkdownDescription: "How often a request is retried, with capped exponential backoff that honours `Retry-After`: every request after a 429 (the server did nothing), idempotent ones also after a 5xx or a network error. Defaults to 5. A create or sync start whose request may have reached the server is never sent again: the provider looks for what it made instead.",
			},
		},
	}
}

func (p *labelStudioProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	resp.Diagnostics.Append(rejectNonIntegers(req.Config.Raw)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !cfg.CACertFile.IsNull() && !cfg.CACertPEM.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("ca_cert_pem"), "Conflicting CA settings",
			"Set either ca_cert_file or ca_cert_pem, not both.")
	}
	if v := cfg.CACertPEM; !v.IsNull() && !v.IsUnknown() && !x509.NewCertPool().AppendCertsFromPEM([]byte(v.ValueString())) {
		resp.Diagnostics.AddAttributeError(path.Root("ca_cert_pem"), "Invalid ca_cert_pem",
			"ca_cert_pem holds no PEM certificate that could be parsed. Give the CA certificate itself, beginning with -----BEGIN CERTIFICATE-----, e.g. ca_cert_pem = file(\"ca.pem\"), or point ca_cert_file at the file.")
	}
	if v := cfg.RequestTimeout; !v.IsNull() && !v.IsUnknown() {
		if d, err := time.ParseDuration(v.ValueString()); err != nil || d <= 0 {
			resp.Diagnostics.AddAttributeError(path.Root("request_timeout"), "Invalid request_timeout",
				fmt.Sprintf("%q is not a positive duration; use a value such as \"30s\" or \"2m\".", v.ValueString()))
		}
	}
	if v := cfg.MaxRetries; !v.IsNull() && !v.IsUnknown() && v.ValueInt64() < 0 {
		resp.Diagnostics.AddAttributeError(path.Root("max_retries"), "Invalid max_retries",
			"max_retries must be 0 or more.")
	}
	validateProxySettings(cfg, &resp.Diagnostics)
}

func (p *labelStudioProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Values that come from other resources are unknown during the first
	// plan; resources then get no client and report that themselves.
	if cfg.URL.IsUnknown() || cfg.APIKey.IsUnknown() || cfg.APIKeyHeader.IsUnknown() || !mapKnown(cfg.Headers) {
		return
	}

	url := stringOr(cfg.URL, os.Getenv(envURL))
	apiKey := stringOr(cfg.APIKey, os.Getenv(envAPIKey))
	if url == "" {
		resp.Diagnostics.AddAttributeError(path.Root("url"), "Missing Label Studio URL",
			"Set url in the provider block or the "+envURL+" environment variable, e.g. http://localhost:8080.")
	}
	if apiKey == "" {
		resp.Diagnostics.AddAttributeError(path.Root("api_key"), "Missing Label Studio API key",
			"Set api_key in the provider block or the "+envAPIKey+" environment variable. Create a personal access token under Account & Settings in Label Studio.")
	}
	apiKeyHeader, headers := proxySettings(cfg, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	ccfg := client.Config{
		URL:                url,
		APIKey:             apiKey,
		InsecureSkipVerify: cfg.InsecureSkipVerify.ValueBool(),
		RequestTimeout:     defaultRequestTimeout,
		MaxRetries:         defaultMaxRetries,
		UserAgent:          "terraform-provider-labelstudio/" + p.version + " terraform/" + req.TerraformVersion,
		APIKeyHeader:       apiKeyHeader,
		Headers:            headers,
	}
	if !cfg.RequestTimeout.IsNull() {
		d, err := time.ParseDuration(cfg.RequestTimeout.ValueString())
		if err == nil {
			ccfg.RequestTimeout = d
		}
	}
	if !cfg.MaxRetries.IsNull() {
		ccfg.MaxRetries = int(cfg.MaxRetries.ValueInt64())
		if ccfg.MaxRetries == 0 {
			ccfg.MaxRetries = -1 // the client reads 0 as "default"; the user asked for none
		}
	}
	switch {
	case !cfg.CACertPEM.IsNull():
		ccfg.CACertPEM = []byte(cfg.CACertPEM.ValueString())
	case !cfg.CACertFile.IsNull():
		pem, err := os.ReadFile(cfg.CACertFile.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("ca_cert_file"), "Cannot read the CA bundle", err.Error())
			return
		}
		ccfg.CACertPEM = pem
	}

	// A proxy may quote the headers it was sent back.
	secrets := append([]string{apiKey}, mapValues(headers)...)
	c, err := client.New(ccfg)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Label Studio provider configuration", redact.Secrets(err.Error(), secrets))
		return
	}
	if err := c.CheckAuth(ctx); err != nil {
		summary, detail := describeConfigureError(url, apiKeyHeader, err)
		resp.Diagnostics.AddError(summary, redact.Secrets(detail, secrets))
		return
	}
	warnOnOldLabelStudio(ctx, c, &resp.Diagnostics)

	data := &providerData{Client: c, URL: url}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ActionData = data
	resp.EphemeralResourceData = data
	resp.ListResourceData = data
}

func (p *labelStudioProvider) Resources(_ context.Context) []func() resource.Resource {
	var all []func() resource.Resource
	all = append(all, objectResources()...)
	all = append(all, storageResources()...)
	all = append(all, syncResources()...)
	return all
}

func (p *labelStudioProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return dataSources()
}

func (p *labelStudioProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{newS3PreviewEphemeral}
}

func (p *labelStudioProvider) Actions(_ context.Context) []func() action.Action {
	return syncActions()
}

func (p *labelStudioProvider) ListResources(_ context.Context) []func() list.ListResource {
	return listResources()
}

func stringOr(v types.String, fallback string) string {
	if v.IsNull() || v.ValueString() == "" {
		return fallback
	}
	return v.ValueString()
}

// describeConfigureError turns the one configure-time request's failure into
// one diagnostic that says what to fix.
func describeConfigureError(url, apiKeyHeader string, err error) (summary, detail string) {
	reason := strings.TrimRight(err.Error(), ".") // the detail adds its own full stop
	var certErr *tls.CertificateVerificationError
	var apiErr *client.APIError
	isAPIError := errors.As(err, &apiErr)
	switch {
	case isAPIError && (errors.Is(err, client.ErrUnauthorized) || errors.Is(err, client.ErrForbidden)) && !apiErr.FromLabelStudio():
		return "A proxy in front of Label Studio refused the request",
			fmt.Sprintf("%s answered %d, not in Label Studio's error format: %s. An authenticating proxy (Cloudflare Access, Google IAP, oauth2-proxy) seems to stand in front of Label Studio: set what it requires for programmatic access in headers (for Cloudflare Access a service token: CF-Access-Client-Id and CF-Access-Client-Secret), and if it takes the Authorization header for itself set api_key_header = \"X-Api-Key\".", url, apiErr.StatusCode, reason)
	case isAPIError && apiErr.StatusCode >= 300 && apiErr.StatusCode < 400:
		return "Label Studio redirected the request",
			fmt.Sprintf("%s answered %d: %s. If that is the sign-in page of a proxy in front of Label Studio (Cloudflare Access, Google IAP, oauth2-proxy), set what it requires for programmatic access in headers; otherwise set url (or %s) to the address it redirects to.", url, apiErr.StatusCode, reason, envURL)
	case errors.Is(err, client.ErrUnauthorized):
		return "Label Studio rejected the API key",
			fmt.Sprintf("%s answered 401: %s. Check api_key (or %s): use a personal access token from Account & Settings, or a legacy token with legacy tokens enabled for the organization.%s", url, reason, envAPIKey, keyHeaderAdvice(apiKeyHeader))
	case errors.Is(err, client.ErrForbidden):
		return "The API key may not use this Label Studio",
			fmt.Sprintf("%s answered 403: %s. The token's user needs access to the organization.", url, reason)
	case errors.Is(err, client.ErrNotFound):
		return "The URL does not look like Label Studio",
			fmt.Sprintf("%s has no Label Studio API (404): %s. Check url (or %s): it is the address of the Label Studio UI, without /api.", url, reason, envURL)
	case errors.As(err, &certErr):
		// The server is up; "check that it is running" would mislead.
		return "Cannot reach Label Studio",
			fmt.Sprintf("The TLS certificate of %s is not trusted: %s. If a private CA signed it, set ca_cert_file or ca_cert_pem to that CA; insecure_skip_verify is only for test servers.", url, reason)
	default:
		return "Cannot reach Label Studio",
			fmt.Sprintf("Request to %s failed: %s. Check url (or %s) and that the server is running.", url, reason, envURL)
	}
}

// keyHeaderAdvice is what to check about where the key went when Label
// Studio refused it.
func keyHeaderAdvice(apiKeyHeader string) string {
	if apiKeyHeader == client.HeaderXAPIKey {
		return " Through X-Api-Key (api_key_header) Label Studio accepts a legacy token, and in recent releases a personal access token; older releases accept only a legacy token there."
	}
	return " If a proxy in front of Label Studio takes the Authorization header for itself, the key never arrives: set api_key_header = \"X-Api-Key\"."
}
