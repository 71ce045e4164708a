package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestEnterprisePlanTimeValidation runs Terraform itself on bad identity
// and location values of the Enterprise kinds: each is rejected before
// anything is planned, naming the attribute and the fix; good values plan.
func TestEnterprisePlanTimeValidation(t *testing.T) {
	const provider = `
provider "labelstudio" {
  url     = "http://127.0.0.1:1"
  api_key = "unused"
}
`
	const databricks = `
  host    = "https://dbc-1234abcd-5678.cloud.databricks.com"
  catalog = "main"
  schema  = "raw"
  volume  = "images"
`
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
		{"databricks host without scheme", `resource "labelstudio_databricks_import_storage" "t" {
  project = 1
  token   = "dapi"
  host    = "dbc-1234abcd-5678.cloud.databricks.com"
  catalog = "main"
  schema  = "raw"
  volume  = "images"
}`, `Invalid Databricks host`},
		{"databricks http host", `resource "labelstudio_databricks_export_storage" "t" {
  project = 1
  token   = "dapi"
  host    = "http://dbc-1234abcd-5678.cloud.databricks.com"
  catalog = "main"
  schema  = "raw"
  volume  = "images"
}`, `Invalid Databricks host`},
		{"volume path in volume", `resource "labelstudio_databricks_import_storage" "t" {
  project = 1
  token   = "dapi"
  host    = "https://dbc-1234abcd-5678.cloud.databricks.com"
  catalog = "main"
  schema  = "raw"
  volume  = "images/2024"
}`, `(?s)Invalid Unity Catalog name.*prefix`},
		{"pat without token", `resource "labelstudio_databricks_import_storage" "t" {
  project = 1` + databricks + `}`, `token is not set, and auth_type the server's default,\s+pat needs token`},
		{"service principal without secret", `resource "labelstudio_databricks_export_storage" "t" {
  project   = 1
  auth_type = "dbx_sp"
  client_id = "11111111-2222-3333-4444-555555555555"` + databricks + `}`, `client_secret is not set, and auth_type dbx_sp needs client_id,\s+client_secret`},
		{"azure ad without tenant", `resource "labelstudio_databricks_export_storage" "t" {
  project          = 1
  auth_type        = "azure_ad_sp"
  client_id        = "11111111-2222-3333-4444-555555555555"
  client_secret_wo = "s"
  client_secret_wo_version = 1` + databricks + `}`, `tenant_id is not set, and auth_type azure_ad_sp needs`},
		{"unknown auth type", `resource "labelstudio_databricks_export_storage" "t" {
  project   = 1
  auth_type = "oauth"` + databricks + `}`, `"oauth" is not an authentication method`},
		{"chunk size", `resource "labelstudio_databricks_export_storage" "t" {
  project            = 1
  token_wo           = "dapi"
  token_wo_version   = 1
  stream_chunk_bytes = 0` + databricks + `}`, `stream_chunk_bytes must be at least 1`},
		{"pat with write-only token", `resource "labelstudio_databricks_import_storage" "t" {
  project          = 1
  token_wo         = "dapi"
  token_wo_version = 1` + databricks + `}`, ``},
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
