package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// bookkeepingKept are the plan checks that an update of the synced local
// import storage shows its sync bookkeeping as it is, not as unknown.
func bookkeepingKept(address string, tasks int64) []plancheck.PlanCheck {
	return []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
		plancheck.ExpectKnownValue(address, tfjsonpath.New(attrStatus), knownvalue.StringExact("completed")),
		plancheck.ExpectKnownValue(address, tfjsonpath.New(attrLastSyncCount), knownvalue.Int64Exact(tasks)),
		plancheck.ExpectKnownValue(address, tfjsonpath.New(attrLastSync), knownvalue.NotNull()),
		plancheck.ExpectKnownValue(address, tfjsonpath.New(attrMeta), knownvalue.NotNull()),
		plancheck.ExpectKnownValue(address, tfjsonpath.New(attrTraceback), knownvalue.Null()),
		plancheck.ExpectKnownValue(address, tfjsonpath.New(attrLastSyncJob), knownvalue.Null()),
	}
}

// TestAccLocalImportStorage_updateKeepsBookkeepingInPlan: after a sync, an
// in-place update (a changed title, then a title changed outside
// Terraform) plans status, last_sync, last_sync_count, last_sync_job, meta
// and traceback with their values, so the plan shows only the title.
func TestAccLocalImportStorage_updateKeepsBookkeepingInPlan(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	c := testClient(t, env)
	project := testProject(t, c)
	dir := testenv.LocalDir(t, env, "bookkeeping")
	for i := 1; i <= 2; i++ {
		testenv.WriteFile(t, dir, fmt.Sprintf("task-%d.json", i), []byte(fmt.Sprintf(`{"data": {"text": "task %d"}}`, i)))
	}
	const address = "labelstudio_local_import_storage.test"
	config := func(title string) string {
		untitled := localStorageBlock(client.Import, "test", strconv.FormatInt(project, 10), dir)
		titled := resourceBlock("labelstudio_local_import_storage", "test", map[string]string{
			"project": strconv.FormatInt(project, 10), "path": hclString(dir), "title": hclString(title),
		})
		full := localSyncConfig(env, client.Import, project, dir, "")
		if !strings.Contains(full, untitled) {
			t.Fatalf("the sync configuration no longer holds the storage block this test titles:\n%s", full)
		}
		return strings.Replace(full, untitled, titled, 1)
	}
	var storageID int64

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config("first"),
				Check:  captureID(address, &storageID),
			},
			{
				// The refresh reads the sync's results; the update keeps them.
				Config:           config("second"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: bookkeepingKept(address, 2)},
			},
			{
				PreConfig: func() {
					ref := client.StorageRef{Kind: "localfiles", Direction: client.Import, ID: storageID}
					if _, err := c.UpdateStorage(t.Context(), ref, map[string]any{"title": "changed in the UI", "path": dir}); err != nil {
						t.Fatalf("change the title outside Terraform: %v", err)
					}
				},
				Config:             config("second"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPostRefresh: bookkeepingKept(address, 2)},
			},
			{
				// Applying the drift plan succeeds with the planned values.
				Config:           config("second"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: bookkeepingKept(address, 2)},
			},
		},
	})
}

// TestCLILocalPathCanonicalFormWarning plans local storages whose path
// Label Studio would rewrite: the plan warns once per storage and names the
// canonical form; a canonical path gets no warning.
func TestCLILocalPathCanonicalFormWarning(t *testing.T) {
	terraformPath, cliConfig := cliPrerequisites(t)
	env := testenv.Start(t, testenv.Options{})
	dir := testenv.LocalDir(t, env, "canonical")
	const summary = "Local path is not in canonical form"

	for _, tc := range []struct {
		name, path string
		warn       bool
	}{
		{name: "trailing slash", path: dir + "/", warn: true},
		{name: "double slash", path: strings.Replace(dir, "/", "//", 2)[1:], warn: true},
		{name: "dot segment", path: dir + "/./sub/..", warn: true},
		{name: "canonical", path: dir},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newCLIWorkdir(t, terraformPath, cliConfig, env)
			w.writeFile("main.tf", cliTerraformBlock+fmt.Sprintf(`
resource "labelstudio_local_import_storage" "test" {
  project = 1
  path    = %s
}

resource "labelstudio_local_export_storage" "test" {
  project = 1
  path    = %s
}
`, hclString(tc.path), hclString(tc.path)))
			// The JSON view lists every diagnostic, unconsolidated.
			out := w.run(planChanges, "plan", "-detailed-exitcode", "-json")
			var warnings []string
			for _, line := range strings.Split(out, "\n") {
				var msg struct {
					Type       string `json:"type"`
					Diagnostic struct {
						Summary, Detail, Address string
					} `json:"diagnostic"`
				}
				if json.Unmarshal([]byte(line), &msg) == nil && msg.Type == "diagnostic" && msg.Diagnostic.Summary == summary {
					warnings = append(warnings, msg.Diagnostic.Address)
					if !strings.Contains(msg.Diagnostic.Detail, fmt.Sprintf("Write path = %q.", dir)) {
						t.Errorf("the warning does not name the canonical path %s: %s", dir, msg.Diagnostic.Detail)
					}
				}
			}
			sort.Strings(warnings)
			want := []string{}
			if tc.warn {
				want = []string{"labelstudio_local_export_storage.test", "labelstudio_local_import_storage.test"}
			}
			if strings.Join(warnings, ",") != strings.Join(want, ",") {
				t.Errorf("path warnings for %v, want one each for %v:\n%s", warnings, want, out)
			}
		})
	}
}

// TestCLIImportedStorageUpdatePlanShowsOnlyThePath imports a synced local
// storage of each direction whose configuration spells the path with a
// trailing slash: the plan's one in-place change is the path, with the sync
// bookkeeping kept at its state values (no "(known after apply)" line), and
// applying it gives the planned values and a clean re-plan.
func TestCLIImportedStorageUpdatePlanShowsOnlyThePath(t *testing.T) {
	terraformPath, cliConfig := cliPrerequisites(t)
	env := testenv.Start(t, testenv.Options{})
	c := testClient(t, env)

	for _, dir := range []client.Direction{client.Import, client.Export} {
		t.Run(string(dir), func(t *testing.T) {
			project := testProject(t, c)
			path := testenv.LocalDir(t, env, "imported-"+string(dir))
			testenv.WriteFile(t, path, "task-1.json", []byte(`{"data": {"text": "one"}}`))
			st, err := c.CreateStorage(t.Context(), "localfiles", dir, map[string]any{"project": project, "path": path, "use_blob_urls": false})
			if err != nil {
				t.Fatalf("create the storage outside Terraform: %v", err)
			}
			if dir == client.Import {
				if _, err := c.SyncStorage(t.Context(), client.StorageRef{Kind: "localfiles", Direction: dir, ID: st.ID}); err != nil {
					t.Fatalf("sync the storage: %v", err)
				}
			} // an export storage is synced by its create

			address := fmt.Sprintf("labelstudio_local_%s_storage.test", dir)
			w := newCLIWorkdir(t, terraformPath, cliConfig, env)
			w.writeFile("main.tf", cliTerraformBlock+fmt.Sprintf(`
resource "labelstudio_local_%s_storage" "test" {
  project       = %d
  path          = %s
  use_blob_urls = false
}
`, dir, project, hclString(path+"/")))
			w.run(0, "import", address, fmt.Sprint(st.ID))

			plan := w.run(planChanges, "plan", "-detailed-exitcode")
			expectOutput(t, plan, "Plan: 0 to add, 1 to change, 0 to destroy.")
			if !regexp.MustCompile(`~ path +` + regexp.QuoteMeta(fmt.Sprintf("= %q -> %q", path, path+"/"))).MatchString(plan) {
				t.Errorf("the plan does not change path from %q to %q:\n%s", path, path+"/", plan)
			}
			if strings.Contains(plan, "known after apply") {
				t.Errorf("the update plan after the import shows values as unknown; want only the path to change:\n%s", plan)
			}
			if n := strings.Count(plan, "\n      ~ "); n != 1 {
				t.Errorf("the update plan changes %d attributes, want 1 (path):\n%s", n, plan)
			}

			w.run(0, "apply", "-auto-approve")
			w.run(planNoChanges, "plan", "-detailed-exitcode")
		})
	}
}
