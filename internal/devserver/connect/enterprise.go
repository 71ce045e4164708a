//go:build !localfiles_only

package connect

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// The Enterprise kinds authenticate without static keys (Workload Identity
// Federation, service-account impersonation, an Entra service principal, a
// Databricks principal). That exchange needs Google's, Microsoft's or
// Databricks' token services, which cannot run here, so the stand-in
// simulates it: the identity fields must be present and well formed, and
// the storage then reaches the emulator with the server's own emulator
// credentials (none for fake-gcs-server, AZURE_BLOB_ACCOUNT_KEY for
// Azurite). Bucket, container and prefix are checked for real.
func init() {
	registry["gcswif"] = func(env Env) Connector { return keyless{Connector: gcsConnector{env: env}, authenticate: wifIdentity} }
	registry["gcs_sa"] = func(env Env) Connector {
		return keyless{Connector: gcsConnector{env: env}, authenticate: impersonatedIdentity}
	}
	registry["azure_spi"] = func(env Env) Connector {
		return keyless{Connector: azureConnector{env: env}, authenticate: servicePrincipalIdentity}
	}
	registry["databricks"] = func(Env) Connector {
		return keyless{Connector: databricksConnector{}, authenticate: databricksIdentity}
	}
}

// keyless runs the simulated authentication before every storage call.
type keyless struct {
	Connector
	authenticate func(Settings) error
}

func (k keyless) Validate(ctx context.Context, s Settings, dir Direction) error {
	if err := k.authenticate(s); err != nil {
		return err
	}
	return k.Connector.Validate(ctx, s, dir)
}

func (k keyless) List(ctx context.Context, s Settings) ([]Object, error) {
	if err := k.authenticate(s); err != nil {
		return nil, err
	}
	return k.Connector.List(ctx, s)
}

func (k keyless) Read(ctx context.Context, s Settings, key string) ([]byte, error) {
	if err := k.authenticate(s); err != nil {
		return nil, err
	}
	return k.Connector.Read(ctx, s, key)
}

func (k keyless) Write(ctx context.Context, s Settings, key string, data []byte) error {
	if err := k.authenticate(s); err != nil {
		return err
	}
	return k.Connector.Write(ctx, s, key, data)
}

func (k keyless) Delete(ctx context.Context, s Settings, key string) error {
	if err := k.authenticate(s); err != nil {
		return err
	}
	return k.Connector.Delete(ctx, s, key)
}

var (
	uuidPattern          = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	projectNumberPattern = regexp.MustCompile(`^[0-9]{1,20}$`)
	// Google's rule for pool and provider IDs: 4 to 32 lowercase letters,
	// digits and hyphens.
	wifIDPattern = regexp.MustCompile(`^[a-z0-9-]{4,32}$`)
	emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// requireField is the simulated token service's refusal of a missing or
// malformed identity field.
func requireField(s Settings, name, what string, pattern *regexp.Regexp) error {
	v := s.String(name)
	if v == "" {
		return &Error{Field: name, Message: fmt.Sprintf("%s is required to authenticate.", what)}
	}
	if pattern != nil && !pattern.MatchString(v) {
		return &Error{Field: name, Message: fmt.Sprintf("%s %q is not valid.", what, v)}
	}
	return nil
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func wifIdentity(s Settings) error {
	return firstError(
		requireField(s, "google_project_number", "Google project number", projectNumberPattern),
		requireField(s, "google_wif_pool_id", "Google WIF pool ID", wifIDPattern),
		requireField(s, "google_wif_provider_id", "Google WIF provider ID", wifIDPattern),
		requireField(s, "google_service_account_email", "Google service account email", emailPattern),
	)
}

func impersonatedIdentity(s Settings) error {
	return requireField(s, "target_service_account_email", "Service account email to impersonate", emailPattern)
}

func servicePrincipalIdentity(s Settings) error {
	return firstError(
		requireField(s, "tenant_id", "Azure Tenant ID", uuidPattern),
		requireField(s, "client_id", "Azure Blob Service Principal Client ID", uuidPattern),
		requireField(s, "client_secret", "Azure Blob Service Principal Client Secret", nil),
	)
}

func databricksIdentity(s Settings) error {
	host, err := url.Parse(s.String("host"))
	if err != nil || host.Scheme != "https" || host.Host == "" {
		return &Error{Field: "host", Message: "Databricks workspace base URL must start with https:// and name the workspace host."}
	}
	for _, part := range []string{"catalog", "schema", "volume"} {
		if v := s.String(part); v == "" || strings.ContainsAny(v, "/. ") {
			return &Error{Field: part, Message: fmt.Sprintf("UC %s name %q is not valid: it may not be empty or contain '/', '.' or spaces.", part, v)}
		}
	}
	switch authType := s.String("auth_type"); authType {
	case "", "pat":
		return requireField(s, "token", "Databricks personal access token", nil)
	case "dbx_sp":
		return firstError(
			requireField(s, "client_id", "Service principal client ID", nil),
			requireField(s, "client_secret", "Service principal client secret", nil))
	case "azure_ad_sp":
		return firstError(
			requireField(s, "tenant_id", "Azure AD tenant ID", uuidPattern),
			requireField(s, "client_id", "Service principal client ID", uuidPattern),
			requireField(s, "client_secret", "Service principal client secret", nil))
	default:
		return &Error{Field: "auth_type", Message: fmt.Sprintf("%q is not a valid choice.", authType)}
	}
}

// databricksConnector stands for a Unity Catalog volume. No Databricks
// Files API emulator exists, and one written here would only test the
// stand-in against itself, so the connection check succeeds once the
// simulated authentication does and every object operation fails with a
// message that says why.
type databricksConnector struct{}

var errNoDatabricks = &Error{Message: "The stand-in has no Databricks Files API: volumes cannot be listed, read or written here."}

func (databricksConnector) Validate(context.Context, Settings, Direction) error { return nil }

func (databricksConnector) List(context.Context, Settings) ([]Object, error) {
	return nil, errNoDatabricks
}

func (databricksConnector) Read(context.Context, Settings, string) ([]byte, error) {
	return nil, errNoDatabricks
}

func (databricksConnector) Write(context.Context, Settings, string, []byte) error {
	return errNoDatabricks
}

func (databricksConnector) Delete(context.Context, Settings, string) error { return errNoDatabricks }

// BlobURL is the volume path of the object.
func (databricksConnector) BlobURL(s Settings, key string) string {
	return fmt.Sprintf("dbfs:/Volumes/%s/%s/%s/%s", s.String("catalog"), s.String("schema"), s.String("volume"), key)
}
