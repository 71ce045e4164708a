package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// An upgrade of the provider must be quiet: a state written by an earlier
// provider plans without changes under this one. testdata/upgrade holds
// what the provider at commit 602a069 (before the project settings of
// issue 21) wrote: its configuration (main.tf), its state
// (terraform.tfstate) and the stand-in's snapshot of the objects it made
// (labelstudio/state.json), so that the stand-in serves them again under
// the same ids. The snapshot is the stand-in's own persistence (DataDir),
// which is why no seeding hook is needed. It is an Enterprise stand-in, so
// that the fixture holds the Enterprise kinds too.
const upgradeFixtureDir = "testdata/upgrade"

// upgradeFixtureScrubbed replaces the credentials of the storage servers of
// the recording run in the committed files; a plan without changes sends
// no write-only value and connects to no storage server.
const upgradeFixtureScrubbed = "scrubbed-test-credential"

func TestCLIUpgradeFromEarlierStatePlansClean(t *testing.T) {
	terraformPath, cliConfig := cliPrerequisites(t)
	dataDir := t.TempDir()
	copyFile(t, filepath.Join(upgradeFixtureDir, "labelstudio", "state.json"), filepath.Join(dataDir, "state.json"))
	env := testenv.Start(t, testenv.Options{Edition: "enterprise", DataDir: dataDir})
	if env.Real {
		t.Skip("the fixture's objects can only be seeded in the stand-in")
	}
	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	for _, name := range []string{"main.tf", "terraform.tfstate"} {
		copyFile(t, filepath.Join(upgradeFixtureDir, name), filepath.Join(w.dir, name))
	}
	out := w.run(planNoChanges, "plan", "-detailed-exitcode", "-out=upgrade.tfplan")
	expectOutput(t, out, "No changes.")

	// The refresh read every object of the fixture: the refreshed state
	// holds the new settings with the server's values.
	var plan struct {
		PriorState struct {
			Values struct {
				RootModule struct {
					Resources []struct {
						Address string         `json:"address"`
						Type    string         `json:"type"`
						Values  map[string]any `json:"values"`
					} `json:"resources"`
				} `json:"root_module"`
			} `json:"values"`
		} `json:"prior_state"`
	}
	if err := json.Unmarshal([]byte(w.run(0, "show", "-json", "upgrade.tfplan")), &plan); err != nil {
		t.Fatalf("decode the plan: %v", err)
	}
	want := map[string]map[string]any{
		"labelstudio_project.configured": {
			"model_version": "", "overlap_cohort_percentage": float64(100), "show_overlap_first": false, "task_data_login": nil, "task_data_password": nil,
			"control_weights": `{"sentiment":{"labels":{"Negative":1,"Positive":1},"overall":1,"type":"Choices"}}`,
		},
		"labelstudio_project.minimal": {"model_version": "", "control_weights": "{}"},
	}
	found := 0
	refreshed := map[string]bool{}
	for _, r := range plan.PriorState.Values.RootModule.Resources {
		refreshed[r.Type] = true
		for name, value := range want[r.Address] {
			found++
			if got := r.Values[name]; !reflect.DeepEqual(got, value) {
				t.Errorf("%s.%s after the refresh = %#v, want %#v", r.Address, name, got, value)
			}
		}
	}
	if found != 8 {
		t.Errorf("the plan's prior state lacks the projects of the fixture: %d of 8 values checked", found)
	}
	// Every storage kind, Community and Enterprise, in both directions.
	for _, kind := range storageKinds {
		for _, dir := range []client.Direction{client.Import, client.Export} {
			if typeName := fmt.Sprintf("labelstudio_%s_%s_storage", kind.typeName, dir); !refreshed[typeName] {
				t.Errorf("the fixture has no %s: re-record it with that kind in upgradeFixtureConfig", typeName)
			}
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatalf("read %s: %v", from, err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatalf("write %s: %v", to, err)
	}
}

// TestRecordUpgradeFixture writes testdata/upgrade with the provider binary
// in the directory LSTEST_RECORD_UPGRADE_FIXTURE (built from the commit
// the fixture stands for); it records, it checks nothing, and it is skipped
// unless asked for. Re-record it only for a new baseline:
//
//	git worktree add /tmp/baseline <commit> && (cd /tmp/baseline && go build -o /tmp/old/ .)
//	LSTEST_RECORD_UPGRADE_FIXTURE=/tmp/old TF_ACC=1 go test -run TestRecordUpgradeFixture ./internal/provider/
func TestRecordUpgradeFixture(t *testing.T) {
	oldProvider := os.Getenv("LSTEST_RECORD_UPGRADE_FIXTURE")
	if oldProvider == "" {
		t.Skip("records testdata/upgrade: set LSTEST_RECORD_UPGRADE_FIXTURE to the directory of the earlier provider binary")
	}
	cliConfig := filepath.Join(t.TempDir(), "terraformrc")
	if err := os.WriteFile(cliConfig, fmt.Appendf(nil, "provider_installation {\n  dev_overrides {\n    \"labelstudio-tf/labelstudio\" = %s\n  }\n  direct {}\n}\n", hclString(oldProvider)), 0o600); err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	env := testenv.Start(t, testenv.Options{Edition: "enterprise", DataDir: dataDir})
	config, credentials := upgradeFixtureConfig(t, env)
	w := newCLIWorkdir(t, cliUnderTest(t), cliConfig, env)
	w.writeFile("main.tf", config)
	w.run(0, "apply", "-auto-approve")

	scrub := func(text string) string {
		for _, secret := range credentials {
			text = strings.ReplaceAll(text, secret, upgradeFixtureScrubbed)
		}
		return text
	}
	if err := os.MkdirAll(filepath.Join(upgradeFixtureDir, "labelstudio"), 0o750); err != nil {
		t.Fatal(err)
	}
	snapshot, err := os.ReadFile(filepath.Join(dataDir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"main.tf":                config,
		"terraform.tfstate":      w.readFile("terraform.tfstate"),
		"labelstudio/state.json": string(snapshot),
	} {
		if err := os.WriteFile(filepath.Join(upgradeFixtureDir, name), []byte(scrub(content)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// upgradeFixtureConfig is a project with settings, a project with none,
// and one storage of each kind (Community and Enterprise) and direction on
// the first, its secrets in their write-only attributes; it returns the
// configuration and the storage servers' credentials it holds. The keyless
// Enterprise kinds use the identities of TestAccEnterpriseStorageLifecycle,
// whose token exchange the stand-in simulates; their secrets are made-up
// test values.
func upgradeFixtureConfig(t *testing.T, env *testenv.Env) (string, []string) {
	var b strings.Builder
	b.WriteString(cliTerraformBlock)
	b.WriteString(resourceBlock("labelstudio_project", "configured", map[string]string{
		"title":               hclString("Upgrade fixture"),
		"description":         hclString("written by an earlier provider"),
		"label_config":        hclString(`<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>`),
		"sampling":            hclString("Uniform sampling"),
		"maximum_annotations": "2",
		"color":               hclString("#FF8800"),
		"show_skip_button":    "false",
	}))
	b.WriteString(resourceBlock("labelstudio_project", "minimal", map[string]string{"title": hclString("Upgrade fixture, defaults")}))

	var credentials []string
	project := "labelstudio_project.configured.id"
	s3, gcs, azure, redis := testenv.S3(t), testenv.GCS(t), testenv.Azure(t), testenv.Redis(t)
	credentials = append(credentials, s3.AccessKey, s3.SecretKey)
	if redis.Password != "" {
		credentials = append(credentials, redis.Password)
	}
	for _, dir := range []client.Direction{client.Import, client.Export} {
		bucket := s3.NewBucket(t)
		gcsBucket := gcs.NewBucket(t)
		container := azure.NewContainer(t)
		s3.Put(t, bucket, "tasks/one.json", []byte(accTaskJSON))
		gcs.Put(t, gcsBucket, "tasks/one.json", []byte(accTaskJSON))
		local := testenv.LocalDir(t, env, "upgrade-"+string(dir))
		storages := map[string]map[string]string{
			"s3": {
				"bucket": hclString(bucket), "prefix": hclString("tasks"), "s3_endpoint": hclString(s3.Endpoint), "region_name": hclString(s3.Region),
				"aws_access_key_id_wo": hclString(s3.AccessKey), "aws_access_key_id_wo_version": "1",
				"aws_secret_access_key_wo": hclString(s3.SecretKey), "aws_secret_access_key_wo_version": "1",
			},
			"gcs": {
				"bucket": hclString(gcsBucket), "google_project_id": hclString("upgrade-test"),
				"google_application_credentials_wo": hclString(testCredentials), "google_application_credentials_wo_version": "1",
			},
			"azure_blob": {
				"container": hclString(container), "account_name": hclString(azure.AccountName),
				"account_key_wo": hclString(azure.AccountKey), "account_key_wo_version": "1",
			},
			"redis": {"host": hclString(redis.Host), "port": hclString(redis.Port)},
			"local": {"path": hclString(local)},
			"gcswif": withAttrs(wifIdentity(), map[string]string{
				"bucket": hclString(gcsBucket), "prefix": hclString("tasks"), "google_project_id": hclString("upgrade-test"),
				"google_application_credentials_wo": hclString(wifCredentials), "google_application_credentials_wo_version": "1",
			}),
			"gcs_sa": {
				"bucket": hclString(gcsBucket), "prefix": hclString("tasks"), "google_project_id": hclString("upgrade-test"),
				"target_service_account_email": hclString(accSAEmail),
			},
			"azure_spi": {
				"container": hclString(container), "account_name": hclString(azure.AccountName),
				"tenant_id": hclString(accTenantID), "client_id": hclString(accClientID),
				"client_secret_wo": hclString("upgrade-client-secret-0123456789"), "client_secret_wo_version": "1",
			},
			"databricks": {
				"host": hclString("https://dbc-1234abcd-5678.cloud.databricks.com"), "catalog": hclString("main"),
				"schema": hclString("labeling"), "volume": hclString("images"), "prefix": hclString("tasks"),
				"token_wo": hclString("dapi0123456789abcdef0123456789abcdef"), "token_wo_version": "1",
			},
		}
		// s3s is s3 with the role that Label Studio assumes.
		storages["s3s"] = withAttrs(storages["s3"], map[string]string{
			"role_arn": hclString("arn:aws:iam::123456789012:role/label-studio"), "external_id": hclString("upgrade-external-id"),
		})
		if redis.Password != "" {
			storages["redis"]["password_wo"] = hclString(redis.Password)
			storages["redis"]["password_wo_version"] = "1"
		}
		for _, kind := range []string{"s3", "gcs", "azure_blob", "redis", "local", "s3s", "gcswif", "gcs_sa", "azure_spi", "databricks"} {
			attrs := withAttrs(storages[kind], map[string]string{"project": project, "title": hclString(kind + " " + string(dir))})
			b.WriteString(resourceBlock(fmt.Sprintf("labelstudio_%s_%s_storage", kind, dir), kind+"_"+string(dir), attrs))
		}
	}
	return b.String(), credentials
}
