package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// TestAccQuickstartExample applies examples/quickstart as a newcomer would,
// so that the example cannot rot: it must apply, plan empty afterwards and
// destroy cleanly.
func TestAccQuickstartExample(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	tasks := testenv.LocalDir(t, env, "tasks")
	testenv.WriteFile(t, tasks, "review-1.json", []byte(`{"data": {"text": "Great battery life."}}`))
	testenv.WriteFile(t, tasks, "review-2.json", []byte(`{"data": {"text": "Arrived late."}}`))
	testenv.LocalDir(t, env, "annotations")

	// The example configures the provider from the environment and names it
	// by its registry source, labelstudio-tf/labelstudio.
	t.Setenv("LABEL_STUDIO_URL", env.URL)
	t.Setenv("LABEL_STUDIO_API_KEY", env.APIKey)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "labelstudio-tf")

	resource.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			// On the step, not the case: the example has its own provider block.
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			ConfigDirectory:          config.StaticDirectory("../../examples/quickstart"),
			ConfigVariables:          config.Variables{"document_root": config.StringVariable(env.DocumentRoot)},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("project_id", knownvalue.NotNull()),
				statecheck.ExpectKnownOutputValue("import_sync_status", knownvalue.StringExact("completed")),
				statecheck.ExpectKnownOutputValue("tasks_imported", knownvalue.Int64Exact(2)),
				// Creating the export storage starts a sync; it must not fail
				// (on a Label Studio with a worker it may still be running).
				statecheck.ExpectKnownValue("labelstudio_local_export_storage.annotations", tfjsonpath.New("status"),
					knownvalue.StringRegexp(regexp.MustCompile(`^(queued|in_progress|completed)$`))),
			},
		}},
	})
}
