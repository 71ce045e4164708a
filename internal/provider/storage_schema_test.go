package provider

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// storageSchemas returns every storage resource's schema by type name, as
// the provider serves them.
func storageSchemas(t *testing.T) map[string]schema.Schema {
	t.Helper()
	ctx := context.Background()
	out := map[string]schema.Schema{}
	for _, newResource := range storageResources() {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "labelstudio"}, &meta)
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("%s: schema diagnostics: %v", meta.TypeName, resp.Diagnostics)
		}
		if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Fatalf("%s: invalid schema: %v", meta.TypeName, diags)
		}
		out[meta.TypeName] = resp.Schema
	}
	return out
}

func TestStorageResourceTypeNames(t *testing.T) {
	schemas := storageSchemas(t)
	var got []string
	for name := range schemas {
		got = append(got, name)
	}
	sort.Strings(got)
	want := []string{
		"labelstudio_azure_blob_export_storage", "labelstudio_azure_blob_import_storage",
		"labelstudio_azure_spi_export_storage", "labelstudio_azure_spi_import_storage",
		"labelstudio_databricks_export_storage", "labelstudio_databricks_import_storage",
		"labelstudio_gcs_export_storage", "labelstudio_gcs_import_storage",
		"labelstudio_gcs_sa_export_storage", "labelstudio_gcs_sa_import_storage",
		"labelstudio_gcswif_export_storage", "labelstudio_gcswif_import_storage",
		"labelstudio_local_export_storage", "labelstudio_local_import_storage",
		"labelstudio_redis_export_storage", "labelstudio_redis_import_storage",
		"labelstudio_s3_export_storage", "labelstudio_s3_import_storage",
		"labelstudio_s3s_export_storage", "labelstudio_s3s_import_storage",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d storage resources %v, want %v", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("resource types = %v, want %v", got, want)
		}
	}
}

func TestStorageSchemaFieldsPerKindAndDirection(t *testing.T) {
	schemas := storageSchemas(t)
	has := func(typeName, attr string) bool {
		_, ok := schemas[typeName].Attributes[attr]
		return ok
	}
	cases := []struct {
		typeName string
		present  []string
		absent   []string
	}{
		{"labelstudio_s3_import_storage",
			[]string{"bucket", "prefix", "presign", "presign_ttl", "recursive_scan", "aws_access_key_id", "aws_access_key_id_wo", "aws_access_key_id_wo_version", "aws_session_token_wo", "aws_sse_kms_key_id", "region_name", "s3_endpoint", "regex_filter", "use_blob_urls", "synchronizable", "timeouts", "meta"},
			[]string{"can_delete_objects", "role_arn"}},
		{"labelstudio_s3_export_storage",
			[]string{"bucket", "can_delete_objects", "aws_secret_access_key_wo"},
			[]string{"presign", "presign_ttl", "recursive_scan"}},
		{"labelstudio_s3s_import_storage",
			[]string{"role_arn", "external_id", "legacy_auth", "bucket", "presign"},
			[]string{"can_delete_objects"}},
		{"labelstudio_gcs_import_storage",
			[]string{"google_project_id", "google_application_credentials", "google_application_credentials_wo", "presign", "recursive_scan"},
			[]string{"can_delete_objects"}},
		{"labelstudio_azure_blob_export_storage",
			[]string{"container", "account_name", "account_key", "account_key_wo", "can_delete_objects"},
			[]string{"account_name_wo", "presign"}},
		{"labelstudio_redis_import_storage",
			[]string{"host", "port", "db", "path", "password", "password_wo", "password_wo_version"},
			[]string{"presign", "presign_ttl", "recursive_scan", "prefix", "can_delete_objects"}},
		{"labelstudio_local_import_storage",
			[]string{"path", "recursive_scan", "regex_filter"},
			[]string{"presign", "presign_ttl", "can_delete_objects"}},
		{"labelstudio_local_export_storage",
			[]string{"path", "can_delete_objects"},
			[]string{"recursive_scan", "presign"}},
	}
	for _, tc := range cases {
		for _, attr := range tc.present {
			if !has(tc.typeName, attr) {
				t.Errorf("%s lacks %s", tc.typeName, attr)
			}
		}
		for _, attr := range tc.absent {
			if has(tc.typeName, attr) {
				t.Errorf("%s must not have %s", tc.typeName, attr)
			}
		}
	}
}

func TestStorageSchemaSecretsAndDefaults(t *testing.T) {
	schemas := storageSchemas(t)
	for typeName, s := range schemas {
		for name, a := range s.Attributes {
			if a.GetMarkdownDescription() == "" && name != attrTimeouts {
				t.Errorf("%s.%s has no description", typeName, name)
			}
		}
	}
	for _, kind := range storageKinds {
		for _, dir := range []client.Direction{client.Import, client.Export} {
			s := schemas["labelstudio_"+storageTypeName(kind, dir)]
			for _, f := range kind.fieldsFor(dir) {
				if !f.secret {
					continue
				}
				stateful := s.Attributes[f.name].(schema.StringAttribute)
				if !stateful.Sensitive || !stateful.Optional || stateful.Computed {
					t.Errorf("%s %s: secret must be Optional+Sensitive, not Computed", kind.typeName, f.name)
				}
				wo := s.Attributes[writeOnlyName(f.name)].(schema.StringAttribute)
				if !wo.WriteOnly || !wo.Sensitive {
					t.Errorf("%s %s_wo must be WriteOnly and Sensitive", kind.typeName, f.name)
				}
			}
		}
	}

	redisImport := schemas["labelstudio_redis_import_storage"].Attributes["db"].(schema.Int64Attribute)
	redisExport := schemas["labelstudio_redis_export_storage"].Attributes["db"].(schema.Int64Attribute)
	if !redisImport.Computed || !redisExport.Computed || redisImport.Default == nil || redisExport.Default == nil {
		t.Fatal("redis db must be Optional+Computed with the server default")
	}
	ctx := context.Background()
	for _, tc := range []struct {
		attr schema.Int64Attribute
		want int64
	}{{redisImport, 1}, {redisExport, 2}} {
		var resp = defaultInt64(ctx, tc.attr)
		if resp != tc.want {
			t.Errorf("redis db default = %d, want %d", resp, tc.want)
		}
	}
	if a := schemas["labelstudio_s3_import_storage"].Attributes["presign_ttl"].(schema.Int64Attribute); defaultInt64(ctx, a) != 1 {
		t.Errorf("presign_ttl default = %d, want 1", defaultInt64(ctx, a))
	}
	if a := schemas["labelstudio_azure_blob_import_storage"].Attributes["account_name"].(schema.StringAttribute); a.Sensitive {
		t.Error("account_name is not a secret and must stay visible in plans")
	}
	project := schemas["labelstudio_s3_import_storage"].Attributes["project"].(schema.Int64Attribute)
	if len(project.PlanModifiers) != 1 {
		t.Error("project must require replacement")
	}
}

func defaultInt64(ctx context.Context, a schema.Int64Attribute) int64 {
	var resp defaults.Int64Response
	a.Default.DefaultInt64(ctx, defaults.Int64Request{}, &resp)
	return resp.PlanValue.ValueInt64()
}

// TestStorageDescriptionMentionsWriteOnlyOnlyWithSecrets: a kind without
// secrets (local files) must not point users at *_wo attributes it lacks.
func TestStorageDescriptionMentionsWriteOnlyOnlyWithSecrets(t *testing.T) {
	schemas := storageSchemas(t)
	for _, kind := range storageKinds {
		for _, dir := range []client.Direction{client.Import, client.Export} {
			typeName := "labelstudio_" + storageTypeName(kind, dir)
			hasWriteOnly := false
			for name := range schemas[typeName].Attributes {
				hasWriteOnly = hasWriteOnly || strings.HasSuffix(name, "_wo")
			}
			if mentions := strings.Contains(schemas[typeName].MarkdownDescription, "_wo"); mentions != hasWriteOnly {
				t.Errorf("%s: description mentions _wo attributes: %v; has them: %v", typeName, mentions, hasWriteOnly)
			}
		}
	}
}
