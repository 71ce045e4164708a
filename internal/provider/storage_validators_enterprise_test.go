package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// TestEnterprisePlanTimeValidation runs Terraform itself on bad identity
// and location values of the Enterprise kinds: each is rejected before
// anything is planned, naming the attribute and the fix; good values plan.
func TestEnterprisePlanTimeValidation(t *testing.T) {
	provider := offlineProvider
	cases := []struct {
		name, config string
		want         string // "" plans without error
	}{
		{"tenant not a uuid", `resource "labelstudio_azure_spi_import_storage" "t" {
  project   = 1
  tenant_id = "contoso.onmicrosoft.com"
}`, `(?s)tenant_id.*is not a UUID`},
		{"client not a uuid", `resource "labelstudio_azure_spi_export_storage" "t" {
  project   = 1
  client_id = "my-app"
}`, `(?s)client_id.*is not a UUID`},
		{"service principal", `resource "labelstudio_azure_spi_export_storage" "t" {
  project          = 1
  tenant_id        = "72f988bf-86f1-41af-91ab-2d7cd011db47"
  client_id        = "11111111-2222-3333-4444-555555555555"
  client_secret_wo = "s"
  client_secret_wo_version = 1
}`, ``},
		{"project number", `resource "labelstudio_gcswif_import_storage" "t" {
  project               = 1
  google_project_number = "my-project"
}`, `not a Google project number`},
		{"pool id", `resource "labelstudio_gcswif_export_storage" "t" {
  project            = 1
  google_wif_pool_id = "projects/1/locations/global/workloadIdentityPools/ls"
}`, `(?s)google_wif_pool_id.*not a workload\s+identity pool or provider ID`},
		{"reserved provider id", `resource "labelstudio_gcswif_export_storage" "t" {
  project                = 1
  google_wif_provider_id = "gcp-aws"
}`, `not starting with gcp-`},
		{"impersonated email", `resource "labelstudio_gcs_sa_import_storage" "t" {
  project                      = 1
  target_service_account_email = "label-studio"
}`, `is not a service account email`},
		{"databricks required", `resource "labelstudio_databricks_import_storage" "t" {
  project = 1
}`, `(?s)host.*is required`},
		{"databricks host without scheme", databricksWith("import", map[string]string{"host": `"dbc-1234abcd-5678.cloud.databricks.com"`}), `Invalid Databricks host`},
		{"databricks http host", databricksWith("export", map[string]string{"host": `"http://dbc-1234abcd-5678.cloud.databricks.com"`}), `Invalid Databricks host`},
		{"volume path in volume", databricksWith("import", map[string]string{"volume": `"images/2024"`}), `(?s)Invalid Unity Catalog name.*prefix`},
		{"service principal without client", databricksWith("export", map[string]string{"token": "null", "auth_type": `"dbx_sp"`,
			"client_secret_wo": `"s"`, "client_secret_wo_version": "1"}), `client_id is not set, and auth_type dbx_sp needs client_id,\s+client_secret`},
		{"unknown auth type", databricksWith("export", map[string]string{"auth_type": `"oauth"`}), `"oauth" is not an authentication method`},
		{"chunk size", databricksWith("export", map[string]string{"stream_chunk_bytes": "0"}), `stream_chunk_bytes must be at least 1`},
		{"pat with write-only token", databricksWith("import", map[string]string{"token": "null", "token_wo": `"dapi"`, "token_wo_version": "1"}), ``},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			step := resource.TestStep{Config: provider + tc.config, PlanOnly: true, ExpectNonEmptyPlan: true}
			if tc.want != "" {
				step.ExpectError = regexp.MustCompile(tc.want)
			} else {
				// A good configuration gets as far as the provider's
				// Configure, which cannot reach the unused server.
				step.ExpectError = regexp.MustCompile(`127\.0\.0\.1:1|connect|refused`)
			}
			resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: []resource.TestStep{step}})
		})
	}
}

// TestDatabricksAuthWarnsOnMissingSecret: a missing secret only warns
// (Label Studio keeps the stored one), a missing identifier is an error,
// and a write-only secret counts as set.
func TestDatabricksAuthWarnsOnMissingSecret(t *testing.T) {
	ctx := context.Background()
	s := storageSchema(ctx, kindByTypeName("databricks"), client.Export)
	objectType := s.Type().TerraformType(ctx).(tftypes.Object)
	config := func(values map[string]string) tfsdk.Config {
		attrs := map[string]tftypes.Value{}
		for name, typ := range objectType.AttributeTypes {
			attrs[name] = tftypes.NewValue(typ, nil)
		}
		for name, v := range values {
			attrs[name] = tftypes.NewValue(tftypes.String, v)
		}
		return tfsdk.Config{Schema: s, Raw: tftypes.NewValue(objectType, attrs)}
	}
	cases := []struct {
		name             string
		values           map[string]string
		errors, warnings int
	}{
		{"pat with token", map[string]string{"token": "dapi"}, 0, 0},
		{"pat without token", map[string]string{}, 0, 1},
		{"pat with write-only token", map[string]string{"auth_type": "pat", "token_wo": "dapi"}, 0, 0},
		{"dbx_sp without secret", map[string]string{"auth_type": "dbx_sp", "client_id": accClientID}, 0, 1},
		{"azure_ad_sp without ids", map[string]string{"auth_type": "azure_ad_sp", "client_secret": "s"}, 2, 0},
	}
	for _, tc := range cases {
		cfg := config(tc.values)
		var authType types.String
		cfg.GetAttribute(ctx, path.Root("auth_type"), &authType)
		resp := &validator.StringResponse{}
		databricksAuthValidator{}.ValidateString(ctx, validator.StringRequest{Path: path.Root("auth_type"), ConfigValue: authType, Config: cfg}, resp)
		if got := resp.Diagnostics.ErrorsCount(); got != tc.errors {
			t.Errorf("%s: %d errors, want %d: %v", tc.name, got, tc.errors, resp.Diagnostics)
		}
		if got := resp.Diagnostics.WarningsCount(); got != tc.warnings {
			t.Errorf("%s: %d warnings, want %d: %v", tc.name, got, tc.warnings, resp.Diagnostics)
		}
	}
}

// databricksWith is a valid Databricks storage configuration with some
// attributes replaced (HCL expressions).
func databricksWith(dir string, attrs map[string]string) string {
	all := map[string]string{"project": "1", "token": `"dapi"`, "host": `"https://dbc-1234abcd-5678.cloud.databricks.com"`,
		"catalog": `"main"`, "schema": `"raw"`, "volume": `"images"`}
	for k, v := range attrs {
		all[k] = v
	}
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"labelstudio_databricks_%s_storage\" \"t\" {\n", dir)
	for _, name := range names {
		fmt.Fprintf(&b, "  %s = %s\n", name, all[name])
	}
	b.WriteString("}")
	return b.String()
}
