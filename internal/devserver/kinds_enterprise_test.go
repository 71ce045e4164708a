package devserver

import (
	"net/http"
	"testing"
)

// TestEnterpriseKeylessKinds serves the Enterprise kinds of the API
// reference (testdata/openapi.yml; every answer is checked against it):
// created in both directions with their defaults, secrets never returned,
// required fields and choices enforced, and absent from Community.
func TestEnterpriseKeylessKinds(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.Edition = "enterprise"; c.SyncOnTargetStorageCreation = false })
	community := newTestServer(t, nil)
	project := ts.createProject("")
	databricks := map[string]any{"host": "https://dbc-1.cloud.databricks.com", "catalog": "main", "schema": "raw", "volume": "images", "token": "dapi-secret"}
	cases := []struct {
		kind    string
		body    map[string]any
		secrets []string
		want    map[string]any
	}{
		{"gcswif", map[string]any{"bucket": "b", "google_project_number": "123", "google_wif_pool_id": "pool", "google_wif_provider_id": "prov",
			"google_service_account_email": "sa@p.iam.gserviceaccount.com", "google_application_credentials": "{}"},
			[]string{"google_application_credentials"}, map[string]any{"google_wif_pool_id": "pool"}},
		{"gcs_sa", map[string]any{"bucket": "b", "target_service_account_email": "sa@p.iam.gserviceaccount.com"},
			nil, map[string]any{"target_service_account_email": "sa@p.iam.gserviceaccount.com"}},
		{"azure_spi", map[string]any{"container": "c", "account_name": "acct", "tenant_id": "t", "client_id": "c", "client_secret": "s", "user_delegation_key": "k"},
			[]string{"account_name", "client_secret", "user_delegation_key"}, map[string]any{"tenant_id": "t"}},
		{"databricks", databricks, []string{"token", "client_secret"},
			map[string]any{"auth_type": "pat", "verify_tls": true, "request_timeout_s": float64(30), "host": "https://dbc-1.cloud.databricks.com"}},
	}
	for _, tc := range cases {
		for _, dir := range []string{dirImport, dirExport} {
			body := map[string]any{"project": project}
			for k, v := range tc.body {
				body[k] = v
			}
			created := ts.createStorage(tc.kind, dir, body)
			if created["type"] != tc.kind {
				t.Errorf("%s %s: type %v", tc.kind, dir, created["type"])
			}
			for k, v := range tc.want {
				if created[k] != v {
					t.Errorf("%s %s: %s = %v, want %v", tc.kind, dir, k, created[k], v)
				}
			}
			for _, name := range tc.secrets {
				if _, leaked := created[name]; leaked {
					t.Errorf("%s %s returned the secret %s", tc.kind, dir, name)
				}
			}
			if r := community.do(http.MethodPost, storagePath(tc.kind, dir, 0, ""), body); r.status != http.StatusNotFound {
				t.Errorf("%s %s on community: %d", tc.kind, dir, r.status)
			}
		}
	}
	for _, field := range []string{"host", "catalog", "schema", "volume"} {
		body := map[string]any{"project": project}
		for k, v := range databricks {
			if k != field {
				body[k] = v
			}
		}
		if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/storages/databricks/", body), field); len(got) != 1 || got[0] != msgFieldRequired {
			t.Errorf("databricks without %s: %v", field, got)
		}
	}
	body := map[string]any{"project": project, "auth_type": "oauth"}
	for k, v := range databricks {
		body[k] = v
	}
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/storages/export/databricks", body), "auth_type"); len(got) != 1 || got[0] != `"oauth" is not a valid choice.` {
		t.Errorf("databricks auth_type oauth: %v", got)
	}
}
