package provider

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// Identities of the keyless kinds. The stand-in simulates the token
// exchange from them (internal/devserver/API.md 11) and then reaches the
// emulators with its own credentials.
const (
	accTenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	accClientID = "11111111-2222-3333-4444-555555555555"
	accSAEmail  = "label-studio@acc-test.iam.gserviceaccount.com"
)

var enterprise = testenv.Options{Edition: "enterprise"}

// wifCredentials is a credential configuration of the kind gcloud writes for
// a workload identity pool; its secret stretches are unique to it, so the
// scans of state find them and nothing else.
var wifCredentials = mustJSON(map[string]string{
	"type":          "external_account",
	"token_url":     "https://sts.googleapis.com/v1/token",
	"subject_token": "wifSubjectTokenPoiuytrewq",
})

// TestAccEnterpriseStorageLifecycle is TestAccStorageLifecycle for the
// Enterprise kinds with keyless authentication, on the stand-in's
// enterprise edition with fake-gcs-server and Azurite behind it.
func TestAccEnterpriseStorageLifecycle(t *testing.T) {
	for _, dir := range []client.Direction{client.Import, client.Export} {
		for _, tc := range []storageAccCase{
			{kind: "gcswif", dir: dir, setup: gcsKeylessFixture(dir, wifIdentity()), options: enterprise},
			{kind: "gcs_sa", dir: dir, setup: gcsKeylessFixture(dir, map[string]string{"target_service_account_email": hclString(accSAEmail)}), options: enterprise},
			{kind: "azure_spi", dir: dir, setup: azureSPIFixture(dir), options: enterprise},
			{kind: "databricks", dir: dir, setup: databricksFixture(dir), options: enterprise},
		} {
			t.Run(tc.kind+"_"+string(dir), func(t *testing.T) { testAccStorageLifecycle(t, tc) })
		}
	}
}

func wifIdentity() map[string]string {
	return map[string]string{
		"google_project_number":        hclString("123456789012"),
		"google_wif_pool_id":           hclString("label-studio"),
		"google_wif_provider_id":       hclString("label-studio-aws"),
		"google_service_account_email": hclString(accSAEmail),
	}
}

// gcsKeylessFixture is gcsFixture with an identity instead of a key; the
// WIF credential configuration (a secret of gcswif) moves to its
// write-only twin on update.
func gcsKeylessFixture(dir client.Direction, identity map[string]string) func(t *testing.T, env *testenv.Env, project int64) storageFixture {
	return func(t *testing.T, _ *testenv.Env, _ int64) storageFixture {
		srv := testenv.GCS(t)
		bucket := srv.NewBucket(t)
		srv.Put(t, bucket, "tasks/one.json", []byte(accTaskJSON))
		var secrets map[string]string
		if _, wif := identity["google_wif_pool_id"]; wif {
			secrets = map[string]string{"google_application_credentials": wifCredentials}
		}
		return objectStoreFixture(dir, withAttrs(identity, map[string]string{"bucket": hclString(bucket), "google_project_id": hclString("acc-test")}), secrets)
	}
}

func azureSPIFixture(dir client.Direction) func(t *testing.T, env *testenv.Env, project int64) storageFixture {
	return func(t *testing.T, _ *testenv.Env, _ int64) storageFixture {
		srv := testenv.Azure(t)
		container := srv.NewContainer(t)
		srv.Put(t, container, "tasks/one.json", []byte(accTaskJSON))
		identity := map[string]string{
			"container": hclString(container),
			"tenant_id": hclString(accTenantID),
			"client_id": hclString(accClientID),
		}
		fx := objectStoreFixture(dir, withAttrs(identity, map[string]string{"account_name": hclString(srv.AccountName)}),
			map[string]string{"client_secret": "acc-client-secret-0123456789"})
		// account_name is never returned: an import configuration lacks it.
		fx.imported = withAttrs(identity, objectStoreAttrs(dir, false))
		return fx
	}
}

// databricksFixture: no Databricks emulator exists, so the stand-in checks
// the fields and the simulated authentication only.
func databricksFixture(dir client.Direction) func(t *testing.T, env *testenv.Env, project int64) storageFixture {
	return func(t *testing.T, _ *testenv.Env, _ int64) storageFixture {
		const token, spSecret = "dapi0123456789abcdef0123456789abcdef", "dose0123456789abcdef"
		volume := map[string]string{
			"host":    hclString("https://dbc-1234abcd-5678.cloud.databricks.com"),
			"catalog": hclString("main"),
			"schema":  hclString("labeling"),
			"volume":  hclString("images"),
			"title":   hclString("created by terraform"),
		}
		// The update switches from a token to a Databricks service
		// principal, with its secret write-only.
		update := withAttrs(volume, map[string]string{
			"title":             hclString("updated by terraform"),
			"description":       hclString("managed by terraform"),
			"prefix":            hclString("tasks"),
			"regex_filter":      hclString(`.*\.json`),
			"auth_type":         hclString("dbx_sp"),
			"client_id":         hclString(accClientID),
			"verify_tls":        "false",
			"request_timeout_s": "120",
			"client_secret_wo":  hclString(spSecret), "client_secret_wo_version": "1",
		})
		if dir == client.Import {
			update["recursive_scan"] = "true"
		} else {
			update["can_delete_objects"] = "true"
		}
		return storageFixture{
			create:   withAttrs(volume, map[string]string{"token": hclString(token)}),
			update:   update,
			secrets:  []string{token, spSecret},
			imported: volume,
		}
	}
}

// TestAccEnterpriseKindsOnCommunity: on Community Edition every Enterprise
// kind fails with an error that names the edition it needs, and the
// Community resource to use where there is one.
func TestAccEnterpriseKindsOnCommunity(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{})
	if env.Real {
		t.Skip("the edition of a real Label Studio is not the test's to choose")
	}
	project := strconv.FormatInt(testProject(t, testClient(t, env)), 10)
	cases := []struct {
		kind  string
		dir   client.Direction
		attrs map[string]string
		want  string
	}{
		{"gcswif", client.Import, withAttrs(wifIdentity(), map[string]string{"bucket": hclString("b")}),
			`(?s)labelstudio_gcswif_import_storage needs Label Studio\s+Enterprise.*labelstudio_gcs_import_storage`},
		{"gcs_sa", client.Export, map[string]string{"bucket": hclString("b"), "target_service_account_email": hclString(accSAEmail)},
			`(?s)labelstudio_gcs_sa_export_storage needs Label Studio\s+Enterprise.*labelstudio_gcs_export_storage`},
		{"azure_spi", client.Import, map[string]string{"container": hclString("c"), "tenant_id": hclString(accTenantID)},
			`(?s)labelstudio_azure_spi_import_storage needs Label Studio\s+Enterprise.*labelstudio_azure_blob_import_storage`},
		{"databricks", client.Export, map[string]string{"host": hclString("https://dbc-1.cloud.databricks.com"), "catalog": hclString("main"),
			"schema": hclString("raw"), "volume": hclString("images"), "token": hclString("dapi")},
			`labelstudio_databricks_export_storage needs Label Studio\s+Enterprise`},
	}
	for _, tc := range cases {
		t.Run(tc.kind, func(t *testing.T) {
			typeName := fmt.Sprintf("labelstudio_%s_%s_storage", tc.kind, tc.dir)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      storageConfig(env, typeName, withAttrs(map[string]string{"project": project}, tc.attrs)),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccDatabricksSwitchesBackToToken: removing client_id and tenant_id
// from the configuration clears them on the server, which stores "" and
// refuses null for them.
func TestAccDatabricksSwitchesBackToToken(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, enterprise)
	c := testClient(t, env)
	skipUnlessServerOffers(t, env, c, "databricks", client.Import)
	project := testProject(t, c)
	volume := map[string]string{
		"project": strconv.FormatInt(project, 10),
		"host":    hclString("https://adb-1234567890123456.7.azuredatabricks.net"),
		"catalog": hclString("main"), "schema": hclString("labeling"), "volume": hclString("images"),
	}
	entra := storageConfig(env, "labelstudio_databricks_import_storage", withAttrs(volume, map[string]string{
		"auth_type": hclString("azure_ad_sp"), "tenant_id": hclString(accTenantID), "client_id": hclString(accClientID),
		"client_secret": hclString("entra-secret"),
	}))
	token := storageConfig(env, "labelstudio_databricks_import_storage", withAttrs(volume, map[string]string{
		"auth_type": hclString("pat"), "token": hclString("dapi-token"),
	}))
	ref := client.StorageRef{Kind: "databricks", Direction: client.Import}
	serverHolds := func(want map[string]string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			st, err := c.GetStorage(t.Context(), ref)
			if err != nil {
				return err
			}
			for name, value := range want {
				if got, _ := st.Fields[name].(string); got != value {
					return fmt.Errorf("server %s = %v, want %q", name, st.Fields[name], value)
				}
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: entra, Check: resource.ComposeAggregateTestCheckFunc(
				captureID("labelstudio_databricks_import_storage.test", &ref.ID),
				serverHolds(map[string]string{"auth_type": "azure_ad_sp", "tenant_id": accTenantID, "client_id": accClientID}))},
			{Config: token, Check: serverHolds(map[string]string{"auth_type": "pat", "tenant_id": "", "client_id": ""})},
			{Config: token, PlanOnly: true},
		},
	})
}

// TestAccEnterpriseStorageSyncEndToEnd is TestAccStorageSyncEndToEnd for
// the keyless kinds the stand-in can sync: objects become tasks, and
// annotations become objects, on fake-gcs-server and Azurite. databricks
// is left out: no Databricks Files API can run here.
func TestAccEnterpriseStorageSyncEndToEnd(t *testing.T) {
	skipUnlessAcc(t)
	gcsKeyless := func(identity map[string]string) func(t *testing.T, env *testenv.Env, dir client.Direction) syncTarget {
		return func(t *testing.T, env *testenv.Env, dir client.Direction) syncTarget {
			target := gcsSyncTarget(t, env, dir)
			for k, v := range identity {
				target.attrs[k] = v
			}
			return target
		}
	}
	for _, tc := range []syncTargetCase{
		{kind: "gcswif", edition: "enterprise", setup: gcsKeyless(wifIdentity())},
		{kind: "gcs_sa", edition: "enterprise", setup: gcsKeyless(map[string]string{"target_service_account_email": hclString(accSAEmail)})},
		{kind: "azure_spi", edition: "enterprise", setup: func(t *testing.T, _ *testenv.Env, _ client.Direction) syncTarget {
			srv := testenv.Azure(t)
			container := srv.NewContainer(t)
			return objectStoreTarget(srv, container, map[string]string{
				"container": hclString(container), "account_name": hclString(srv.AccountName),
				"tenant_id": hclString(accTenantID), "client_id": hclString(accClientID), "client_secret": hclString("e2e-client-secret"),
			})
		}},
	} {
		t.Run(tc.kind+"_import", func(t *testing.T) { testSyncImportEndToEnd(t, tc) })
		t.Run(tc.kind+"_export", func(t *testing.T) { testSyncExportEndToEnd(t, tc) })
	}
}
