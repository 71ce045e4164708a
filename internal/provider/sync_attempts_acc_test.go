package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// TestAccStorageSyncMaxAttempts: an import sync whose job dies midway (the
// worker loses it; Label Studio then marks the storage failed) is started
// again with max_attempts = 2; both runs are in results, and every file
// becomes one task.
func TestAccStorageSyncMaxAttempts(t *testing.T) {
	skipUnlessAcc(t)
	env, dev, c, project, ref := slowImportStorage(t, "attempts")
	config := func(maxAttempts int) string {
		return testAccProviderConfig(env) + fmt.Sprintf(`
resource "labelstudio_storage_sync" "test" {
  storages     = [{ kind = "local", direction = "import", id = %d }]
  max_attempts = %d
}
`, ref.ID, maxAttempts)
	}
	loseFirstRun := func() { loseJobOnceRunning(t, c, dev, ref) }
	attempt := func(i int, key string) tfjsonpath.Path {
		return tfjsonpath.New("results").AtSliceIndex(0).AtMapKey("attempts").AtSliceIndex(i).AtMapKey(key)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// One attempt (the default): the lost job fails the apply.
				PreConfig:   loseFirstRun,
				Config:      config(1),
				ExpectError: regexp.MustCompile(`(?s)Storage sync failed.*job was not found`),
			},
			{
				PreConfig: loseFirstRun,
				Config:    config(2),
				ConfigStateChecks: []statecheck.StateCheck{
					resultValue("status", knownvalue.StringExact("completed")),
					statecheck.ExpectKnownValue(syncName, tfjsonpath.New("results").AtSliceIndex(0).AtMapKey("attempts"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(syncName, attempt(0, "status"), knownvalue.StringExact("failed")),
					statecheck.ExpectKnownValue(syncName, attempt(0, "traceback"), knownvalue.StringRegexp(regexp.MustCompile(`job was not found`))),
					statecheck.ExpectKnownValue(syncName, attempt(1, "status"), knownvalue.StringExact("completed")),
				},
				Check: expectTasks(t, c, project, 4),
			},
		},
	})
}

// slowImportStorage is a local import storage of four files on a stand-in
// that syncs in a worker, 200 ms per file, so a run can be lost midway.
func slowImportStorage(t *testing.T, name string) (*testenv.Env, *testenv.DevClient, *client.Client, int64, client.StorageRef) {
	t.Helper()
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued, SyncObjectDelay: 200 * time.Millisecond})
	c := testClient(t, env)
	project := testProject(t, c)
	dir := testenv.LocalDir(t, env, name)
	testenv.WriteTaskFiles(t, dir, 1, 4)
	st, err := c.CreateStorage(t.Context(), "localfiles", client.Import, map[string]any{"project": project, "path": dir})
	if err != nil {
		t.Fatal(err)
	}
	dev := env.Dev(t)
	return env, dev, c, project, client.StorageRef{Kind: "localfiles", Direction: client.Import, ID: st.ID}
}

// loseJobOnceRunning makes the storage's sync job vanish once it is running,
// as when a worker dies midway through a large import; Label Studio's list
// endpoint then marks the storage failed.
func loseJobOnceRunning(t *testing.T, c *client.Client, dev *testenv.DevClient, ref client.StorageRef) {
	go func() {
		for range 200 {
			cur, err := c.GetStorage(t.Context(), ref)
			if err == nil && cur.Status == "in_progress" {
				dev.LoseJob(t, ref.Kind, string(ref.Direction), ref.ID)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
}

// TestStorageSyncActionMaxAttempts: the action restarts a failed import
// sync too, and its progress messages name each attempt.
func TestStorageSyncActionMaxAttempts(t *testing.T) {
	skipUnlessAcc(t)
	env, dev, c, project, ref := slowImportStorage(t, "action-attempts")
	h := newActionHarness(t, env)

	loseJobOnceRunning(t, c, dev, ref)
	progress, diags := h.invoke(h.config([]client.StorageRef{ref}, map[string]tftypes.Value{
		"max_attempts": tftypes.NewValue(tftypes.Number, 2),
	}))

	if hasErrors(diags) {
		t.Fatalf("the second attempt should have succeeded: %v", describeDiagnostics(diags))
	}
	all := strings.Join(progress, "\n")
	for _, want := range []string{"failed (attempt 1 of 2)", "again (attempt 2 of 2)", "ended completed", "and 2 attempts"} {
		if !strings.Contains(all, want) {
			t.Errorf("progress lacks %q:\n%s", want, all)
		}
	}
	if tasks, err := testenv.ListTasks(t.Context(), c, project); err != nil || len(tasks) != 4 {
		t.Errorf("the project holds %d tasks (%v), want 4: one per file", len(tasks), err)
	}
}
