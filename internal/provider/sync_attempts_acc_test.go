package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

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
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued, SyncObjectDelay: 200 * time.Millisecond})
	dev := env.Dev(t)
	c := testClient(t, env)
	project := testProject(t, c)
	dir := testenv.LocalDir(t, env, "attempts")
	writeTaskFiles(t, dir, 1, 4)
	st, err := c.CreateStorage(t.Context(), "localfiles", client.Import, map[string]any{"project": project, "path": dir})
	if err != nil {
		t.Fatal(err)
	}
	ref := client.StorageRef{Kind: "localfiles", Direction: client.Import, ID: st.ID}
	config := func(maxAttempts int) string {
		return testAccProviderConfig(env) + fmt.Sprintf(`
resource "labelstudio_storage_sync" "test" {
  storages     = [{ kind = "local", direction = "import", id = %d }]
  max_attempts = %d
}
`, st.ID, maxAttempts)
	}
	// loseFirstRun makes the first run's job vanish once it is running.
	loseFirstRun := func() {
		go func() {
			for range 200 {
				cur, err := c.GetStorage(t.Context(), ref)
				if err == nil && cur.Status == "in_progress" {
					dev.LoseJob(t, "localfiles", "import", st.ID)
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
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
