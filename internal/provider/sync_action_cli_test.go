package provider

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
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
func testCLIAction(t *testing.T, terraformPath, cliConfig string, features cliFeatures) {
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

	// A storage that does not exist fails the plan, before anything is
	// applied, whether the action is triggered or invoked.
	const missing = 999999
	w.writeFile("main.tf", strings.Replace(actionConfig(project, dir, ""), "labelstudio_local_import_storage.tasks.id", fmt.Sprint(missing), 1))
	for _, args := range [][]string{
		{"plan", "-var=batch=5"},
		{"plan", "-var=batch=2", "-invoke=action.labelstudio_storage_sync.tasks"},
	} {
		out = w.run(1, args...)
		expectOutput(t, out, "Storage to sync does not exist", fmt.Sprintf("storages[0] names the localfiles import storage %d", missing))
	}
	out = w.run(1, "apply", "-auto-approve", "-var=batch=5")
	expectOutput(t, out, "Storage to sync does not exist")
	if strings.Contains(out, "terraform_data.batch: Modifying") {
		t.Errorf("the apply changed terraform_data.batch although its action names a storage that does not exist:\n%s", out)
	}

	// before_destroy (Terraform 1.16+): a last export sync, then the delete.
	if features.destroyEvents {
		exports := newCLIWorkdir(t, terraformPath, cliConfig, env)
		exports.writeFile("main.tf", cliTerraformBlock+fmt.Sprintf(`
resource "labelstudio_local_export_storage" "results" {
  project = %d
  path    = %s

  lifecycle {
    action_trigger {
      events  = [before_destroy]
      actions = [action.labelstudio_storage_sync.final_export]
    }
  }
}

action "labelstudio_storage_sync" "final_export" {
  config {
    storages = [{
      kind      = "localfiles"
      direction = "export"
      id        = caller.id
    }]
  }
}
`, project, hclString(testenv.LocalDir(t, env, "action-exports"))))
		exports.run(0, "apply", "-auto-approve")
		id := exports.stateID("labelstudio_local_export_storage", "results")
		out = exports.run(0, "destroy", "-auto-approve")
		expectOutput(t, out,
			fmt.Sprintf("Action action.labelstudio_storage_sync.final_export (triggered by labelstudio_local_export_storage.results): Starting the sync of the localfiles export storage %d", id),
			"Destroy complete! Resources: 1 destroyed.")
		if _, err := c.GetStorage(t.Context(), client.StorageRef{Kind: "localfiles", Direction: client.Export, ID: id}); !errors.Is(err, client.ErrNotFound) {
			t.Errorf("the export storage is still in Label Studio after the destroy (err %v)", err)
		}
	}

	// timeouts.invoke bounds the wait.
	testenv.WriteTaskFiles(t, dir, 5, 14)
	w.writeFile("main.tf", actionConfig(project, dir, `    timeouts = { invoke = "1s" }`))
	out = w.run(1, "apply", "-auto-approve", "-var=batch=4")
	expectOutput(t, out, "within the timeout of 1s")
}
