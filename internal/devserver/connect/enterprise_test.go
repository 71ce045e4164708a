package connect_test

import (
	"context"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver/connect"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// TestKeylessKinds checks the Enterprise kinds against the emulators: the
// simulated authentication refuses missing or malformed identity fields
// (naming the field), and once it passes, the bucket or container and the
// prefix are checked, listed and written for real.
func TestKeylessKinds(t *testing.T) {
	ctx := context.Background()
	gcs := testenv.GCS(t)
	// One bucket per GCS kind: each case writes an export object.
	bucket, saBucket := gcs.NewBucket(t), gcs.NewBucket(t)
	gcs.Put(t, bucket, "tasks/one.json", []byte(`{}`))
	gcs.Put(t, saBucket, "tasks/one.json", []byte(`{}`))
	azure := testenv.Azure(t)
	container := azure.NewContainer(t)
	azure.Put(t, container, "tasks/one.json", []byte(`{}`))
	env := connect.Env{GCSEndpoint: gcs.Endpoint, AzureEndpoint: azure.Endpoint, AzureAccountName: azure.AccountName, AzureAccountKey: azure.AccountKey}
	const tenant, client = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", "11111111-2222-3333-4444-555555555555"

	cases := []struct {
		kind      string
		identity  connect.Settings
		badField  string
		badValue  any
		location  connect.Settings
		missing   connect.Settings
		wantError string
	}{
		{
			kind: "gcswif",
			identity: connect.Settings{"google_project_number": "123456789012", "google_wif_pool_id": "label-studio",
				"google_wif_provider_id": "aws-provider", "google_service_account_email": "ls@p.iam.gserviceaccount.com"},
			badField: "google_wif_pool_id", badValue: "Pool_ID",
			location:  connect.Settings{"bucket": bucket, "prefix": "tasks"},
			missing:   connect.Settings{"bucket": bucket, "prefix": "videos"},
			wantError: "No blobs found in " + bucket + "/videos or prefix doesn't exist",
		},
		{
			kind:     "gcs_sa",
			identity: connect.Settings{"target_service_account_email": "ls@p.iam.gserviceaccount.com"},
			badField: "target_service_account_email", badValue: "not-an-email",
			location:  connect.Settings{"bucket": saBucket, "prefix": "tasks"},
			missing:   connect.Settings{"bucket": saBucket, "prefix": "videos"},
			wantError: "No blobs found in " + saBucket + "/videos or prefix doesn't exist",
		},
		{
			kind:     "azure_spi",
			identity: connect.Settings{"tenant_id": tenant, "client_id": client, "client_secret": "s3cret"},
			badField: "tenant_id", badValue: "contoso.onmicrosoft.com",
			location:  connect.Settings{"container": container, "prefix": "tasks"},
			missing:   connect.Settings{"container": "lstest-no-such-container"},
			wantError: "'Container not found: lstest-no-such-container'",
		},
	}
	for _, tc := range cases {
		t.Run(tc.kind, func(t *testing.T) {
			c := connector(t, tc.kind, env)
			settings := func(extra ...connect.Settings) connect.Settings {
				out := connect.Settings{}
				for _, part := range append([]connect.Settings{tc.identity}, extra...) {
					for k, v := range part {
						out[k] = v
					}
				}
				return out
			}
			if err := c.Validate(ctx, settings(tc.location), connect.Import); err != nil {
				t.Fatalf("valid identity and location: %v", err)
			}
			wantKeys(t, keys(t, c, settings(tc.location, connect.Settings{"recursive_scan": true})), "tasks/one.json")
			wantError(t, c.Validate(ctx, settings(tc.missing), connect.Import), tc.wantError, false)
			if err := c.Write(ctx, settings(tc.location), "7", []byte(`{"id":7}`)); err != nil {
				t.Errorf("export write: %v", err)
			}

			bad := settings(tc.location, connect.Settings{tc.badField: tc.badValue})
			err := c.Validate(ctx, bad, connect.Import)
			if ce := asConnectError(t, err); ce.Field != tc.badField {
				t.Errorf("malformed %s: error on %q: %v", tc.badField, ce.Field, err)
			}
			delete(bad, tc.badField)
			if ce := asConnectError(t, c.Validate(ctx, bad, connect.Export)); ce.Field != tc.badField {
				t.Errorf("missing %s: error on %q", tc.badField, ce.Field)
			}
			if _, err := c.List(ctx, bad); err == nil {
				t.Errorf("list without %s succeeded", tc.badField)
			}
		})
	}
}

func TestDatabricksFieldChecks(t *testing.T) {
	ctx := context.Background()
	c := connector(t, "databricks", connect.Env{})
	base := func() connect.Settings {
		return connect.Settings{"host": "https://dbc-1234.cloud.databricks.com", "catalog": "main", "schema": "raw",
			"volume": "images", "auth_type": "pat", "token": "dapi123"}
	}
	if err := c.Validate(ctx, base(), connect.Import); err != nil {
		t.Fatalf("valid PAT settings: %v", err)
	}
	for _, tc := range []struct {
		change connect.Settings
		field  string
	}{
		{connect.Settings{"host": "dbc-1234.cloud.databricks.com"}, "host"},
		{connect.Settings{"host": "http://dbc-1234.cloud.databricks.com"}, "host"},
		{connect.Settings{"volume": "images/2024"}, "volume"},
		{connect.Settings{"token": nil}, "token"},
		{connect.Settings{"auth_type": "dbx_sp"}, "client_id"},
		{connect.Settings{"auth_type": "azure_ad_sp", "client_id": "x", "client_secret": "y"}, "tenant_id"},
	} {
		s := base()
		for k, v := range tc.change {
			s[k] = v
		}
		if ce := asConnectError(t, c.Validate(ctx, s, connect.Export)); ce.Field != tc.field {
			t.Errorf("%v: error on %q (%s), want %q", tc.change, ce.Field, ce.Message, tc.field)
		}
	}
	if _, err := c.List(ctx, base()); err == nil {
		t.Error("listing a volume succeeded without a Files API")
	}
}

func asConnectError(t *testing.T, err error) *connect.Error {
	t.Helper()
	ce, ok := err.(*connect.Error)
	if !ok {
		t.Fatalf("error = %v (%T), want *connect.Error", err, err)
	}
	return ce
}
