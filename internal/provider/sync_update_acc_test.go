package provider

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// twoStorageSyncConfig is two local import storages and a sync of the
// listed ones ("a", "b").
func twoStorageSyncConfig(env *testenv.Env, project int64, dirA, dirB string, synced ...string) string {
	config := testAccProviderConfig(env)
	for name, dir := range map[string]string{"a": dirA, "b": dirB} {
		config += localStorageBlock(client.Import, name, strconv.FormatInt(project, 10), dir)
	}
	config += "\nresource \"labelstudio_storage_sync\" \"test\" {\n  storages = ["
	for _, name := range synced {
		config += fmt.Sprintf("\n    { kind = \"localfiles\", direction = \"import\", id = labelstudio_local_import_storage.%s.id },", name)
	}
	return config + "\n  ]\n}\n"
}

// TestAccStorageSyncUpdateResyncs: adding a storage to a sync resource is
// an in-place update that syncs every storage it lists again; the results
// and the project's tasks show both syncs.
func TestAccStorageSyncUpdateResyncs(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued})
	c := testClient(t, env)
	project := testProject(t, c)
	dirA := testenv.LocalDir(t, env, "update-a")
	dirB := testenv.LocalDir(t, env, "update-b")
	testenv.WriteTaskFiles(t, dirA, 1, 2)
	testenv.WriteTaskFiles(t, dirB, 10, 12)
	result := func(i int, attr string) tfjsonpath.Path {
		return tfjsonpath.New("results").AtSliceIndex(i).AtMapKey(attr)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: twoStorageSyncConfig(env, project, dirA, dirB, "a"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(syncName, result(0, "last_sync_count"), knownvalue.Int64Exact(2)),
				},
				Check: expectTasks(t, c, project, 2),
			},
			{
				PreConfig: func() { testenv.WriteTaskFiles(t, dirA, 3, 3) },
				Config:    twoStorageSyncConfig(env, project, dirA, dirB, "a", "b"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(syncName, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(syncName, tfjsonpath.New("results")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(syncName, tfjsonpath.New("results"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(syncName, result(0, "status"), knownvalue.StringExact("completed")),
					statecheck.ExpectKnownValue(syncName, result(0, "last_sync_count"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(syncName, result(1, "status"), knownvalue.StringExact("completed")),
					statecheck.ExpectKnownValue(syncName, result(1, "last_sync_count"), knownvalue.Int64Exact(3)),
				},
				Check: expectTasks(t, c, project, 6),
			},
			{
				Config:   twoStorageSyncConfig(env, project, dirA, dirB, "a", "b"),
				PlanOnly: true,
			},
		},
	})
}
