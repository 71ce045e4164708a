package provider

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// actionConfig is a local import storage synced by the action whenever
// terraform_data.batch is created or changes (var.batch).
func actionConfig(project int64, path, timeouts string) string {
	return cliTerraformBlock + fmt.Sprintf(`
variable "batch" {
  type = string
}

resource "labelstudio_local_import_storage" "tasks" {
  project      = %d
  path         = %s
  regex_filter = ".*\\.json$"
}

action "labelstudio_storage_sync" "tasks" {
  config {
    storages = [{
      kind      = "localfiles"
      direction = "import"
      id        = labelstudio_local_import_storage.tasks.id
    }]
%s
  }
}

resource "terraform_data" "batch" {
  input = var.batch

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.labelstudio_storage_sync.tasks]
    }
  }
}
`, project, hclString(path), timeouts)
}

// testCLIAction: the sync action through the CLI: action_trigger on create
// and on update, -invoke, progress lines, a failed sync's traceback and
// timeouts.invoke.
func testCLIAction(t *testing.T, terraformPath, cliConfig string) {
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued, SyncObjectDelay: 300 * time.Millisecond})
	c := testClient(t, env)
	project := testProject(t, c)
	dir := testenv.LocalDir(t, env, "action-tasks")
	testenv.WriteTaskFiles(t, dir, 1, 2)
	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	w.writeFile("main.tf", actionConfig(project, dir, ""))
	trigger := "Action action.labelstudio_storage_sync.tasks (triggered by terraform_data.batch): "

	// -invoke before the storage exists: the CLI refuses, and says why.
	out := w.run(1, "apply", "-auto-approve", "-var=batch=1", "-invoke=action.labelstudio_storage_sync.tasks")
	expectOutput(t, out, "contains unknown values", "before using the -invoke argument")

	out = w.run(0, "apply", "-auto-approve", "-var=batch=1")
	expectOutput(t, out,
		"Actions: 1 to invoke.",
		trigger+"Starting the sync of the localfiles import storage",
		trigger+"Sync of the localfiles import storage",
		"ended completed with 2 new tasks",
		"Apply complete! Resources: 2 added, 0 changed, 0 destroyed. Actions: 1 invoked.")
	expectTaskCount(t, c, project, 2)

	// after_update: a new batch syncs the new file only.
	testenv.WriteTaskFiles(t, dir, 3, 3)
	out = w.run(0, "apply", "-auto-approve", "-var=batch=2")
	expectOutput(t, out, "ended completed with 1 new tasks", "Actions: 1 invoked.")
	expectTaskCount(t, c, project, 3)

	// Nothing changed: no sync.
	out = w.run(planNoChanges, "plan", "-detailed-exitcode", "-var=batch=2")
	expectOutput(t, out, "No changes.")

	// -invoke once the storage exists: the action alone.
	testenv.WriteTaskFiles(t, dir, 4, 4)
	out = w.run(0, "apply", "-auto-approve", "-var=batch=2", "-invoke=action.labelstudio_storage_sync.tasks")
	expectOutput(t, out,
		"Action action.labelstudio_storage_sync.tasks (triggered by CLI): Starting the sync",
		"ended completed with 1 new tasks",
		"Resources: 0 added, 0 changed, 0 destroyed. Actions: 1 invoked.")
	expectTaskCount(t, c, project, 4)

	// A failed sync is an error that quotes Label Studio's traceback.
	testenv.WriteFile(t, dir, "broken.json", []byte(`{"text": `))
	out = w.run(1, "apply", "-auto-approve", "-var=batch=3")
	expectOutput(t, out, "Storage sync failed", "Can't import JSON-formatted tasks from")
	if err := os.Remove(dir + "/broken.json"); err != nil {
		t.Fatal(err)
	}

	// timeouts.invoke bounds the wait.
	testenv.WriteTaskFiles(t, dir, 5, 14)
	w.writeFile("main.tf", actionConfig(project, dir, `    timeouts = { invoke = "1s" }`))
	out = w.run(1, "apply", "-auto-approve", "-var=batch=4")
	expectOutput(t, out, "within the timeout of 1s")
}
