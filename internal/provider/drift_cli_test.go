package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/syncengine"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// cliDriftConfig is the examples' layout: a project, a local import storage
// synced by labelstudio_storage_sync, and a local export storage.
func cliDriftConfig(tasksDir, annotationsDir string) string {
	return cliTerraformBlock + fmt.Sprintf(`
resource "labelstudio_project" "reviews" {
  title = "Reviews"
  label_config = <<-XML
    <View>
      <Text name="review" value="$text"/>
      <Choices name="sentiment" toName="review" choice="single">
        <Choice value="Positive"/>
        <Choice value="Negative"/>
      </Choices>
    </View>
  XML
}

resource "labelstudio_local_import_storage" "tasks" {
  project      = labelstudio_project.reviews.id
  title        = "Review tasks"
  path         = %s
  regex_filter = ".*\\.json$"
}

resource "labelstudio_local_export_storage" "annotations" {
  project = labelstudio_project.reviews.id
  title   = "Review annotations"
  path    = %s
}

resource "labelstudio_storage_sync" "tasks" {
  storages = [{
    kind      = labelstudio_local_import_storage.tasks.type
    direction = "import"
    id        = labelstudio_local_import_storage.tasks.id
  }]
}
`, hclString(tasksDir), hclString(annotationsDir))
}

// testCLIDrift is a CI drift check: `terraform plan -detailed-exitcode`
// stays 0 when only sync bookkeeping moved, turns 2 with an in-place update
// for a storage edited outside Terraform and with a create for one deleted
// outside, and is 0 again after apply.
func testCLIDrift(t *testing.T, terraformPath, cliConfig string) {
	env := testenv.Start(t, testenv.Options{})
	c := testClient(t, env)
	tasksDir := testenv.LocalDir(t, env, "cli-drift-tasks")
	annotationsDir := testenv.LocalDir(t, env, "cli-drift-annotations")
	testenv.WriteTaskFiles(t, tasksDir, 1, 2)
	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	w.writeFile("main.tf", cliDriftConfig(tasksDir, annotationsDir))

	out := w.run(0, "apply", "-auto-approve")
	expectOutput(t, out, "Apply complete! Resources: 4 added, 0 changed, 0 destroyed.")
	project := w.stateID("labelstudio_project", "reviews")
	tasks := client.StorageRef{Kind: "localfiles", Direction: client.Import, ID: w.stateID("labelstudio_local_import_storage", "tasks")}
	annotations := client.StorageRef{Kind: "localfiles", Direction: client.Export, ID: w.stateID("labelstudio_local_export_storage", "annotations")}
	t.Cleanup(func() {
		// Normally the destroy at the end removes it; this covers a failure.
		if err := c.DeleteProject(context.Background(), project); err != nil && !errors.Is(err, client.ErrNotFound) {
			t.Errorf("delete project %d: %v", project, err)
		}
	})
	expectTaskCount(t, c, project, 2)
	out = w.run(planNoChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out, "No changes.")

	// A sync started outside Terraform moves only bookkeeping.
	testenv.WriteTaskFiles(t, tasksDir, 3, 3)
	syncOutsideTerraform(t, c, tasks)
	expectTaskCount(t, c, project, 3)
	out = w.run(planNoChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out, "No changes.")

	// Edited outside: repaired in place, never replaced.
	if _, err := c.UpdateStorage(t.Context(), tasks, map[string]any{"title": "renamed in the UI", "path": tasksDir}); err != nil {
		t.Fatalf("edit the import storage outside terraform: %v", err)
	}
	out = w.run(planChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out,
		"labelstudio_local_import_storage.tasks will be updated in-place",
		"~ update in-place",
		`~ title`,
		"Plan: 0 to add, 1 to change, 0 to destroy.")
	if strings.Contains(out, "must be replaced") {
		t.Errorf("the edited storage is replaced, not updated in place:\n%s", out)
	}
	out = w.run(0, "apply", "-auto-approve")
	expectOutput(t, out, "Apply complete! Resources: 0 added, 1 changed, 0 destroyed.")
	st, err := c.GetStorage(t.Context(), tasks)
	if err != nil {
		t.Fatalf("read the import storage: %v", err)
	}
	if st.Title == nil || *st.Title != "Review tasks" {
		t.Errorf("import storage title after apply = %v, want %q", st.Title, "Review tasks")
	}

	// Deleted outside: created again.
	if err := c.DeleteStorage(t.Context(), annotations); err != nil {
		t.Fatalf("delete the export storage outside terraform: %v", err)
	}
	out = w.run(planChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out,
		"labelstudio_local_export_storage.annotations will be created",
		"Plan: 1 to add, 0 to change, 0 to destroy.")
	out = w.run(0, "apply", "-auto-approve")
	expectOutput(t, out, "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.")
	out = w.run(planNoChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out, "No changes.")

	out = w.run(0, "destroy", "-auto-approve")
	expectOutput(t, out, "Destroy complete! Resources: 4 destroyed.")
	if _, err := c.GetProject(t.Context(), project); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("project %d after destroy: GET gave %v, want not found", project, err)
	}
}

// syncOutsideTerraform starts a sync the way the UI does and waits until it
// has completed.
func syncOutsideTerraform(t *testing.T, c *client.Client, ref client.StorageRef) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	st, err := c.SyncStorage(ctx, ref)
	if err != nil {
		t.Fatalf("sync outside terraform: %v", err)
	}
	for !syncengine.IsFinal(st.Status) {
		select {
		case <-ctx.Done():
			t.Fatalf("sync outside terraform still %q: %v", st.Status, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
		if st, err = c.GetStorage(ctx, ref); err != nil {
			t.Fatalf("read the storage during its sync: %v", err)
		}
	}
	if st.Status != syncengine.StatusCompleted {
		t.Fatalf("sync outside terraform ended %q", st.Status)
	}
}

func expectTaskCount(t *testing.T, c *client.Client, project int64, want int) {
	t.Helper()
	if err := expectTasks(t, c, project, want)(nil); err != nil {
		t.Error(err)
	}
}
