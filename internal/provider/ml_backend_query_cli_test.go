package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/mlbackend"
)

// `terraform query` lists a project's ML backends and the webhook Label
// Studio created with one (ml/models.py create_ml_webhook);
// -generate-config-out writes configuration that imports both by identity
// and then plans clean, although every read makes Label Studio call the
// model again (Terraform 1.14+).
func TestCLIMLBackendQuery(t *testing.T) {
	terraformPath, cliConfig := cliPrerequisites(t)
	features := detectCLIFeatures(t, terraformPath)
	features.require(t, features.query, "terraform query")
	env := testenv.Start(t, testenv.Options{})
	c := testClient(t, env)
	model := testenv.MLBackend(t, mlbackend.Config{})
	project := testProject(t, c)
	backend, err := c.CreateMLBackend(t.Context(), map[string]any{
		"project": project, "url": model.URL(), "title": "yolo", "is_interactive": true,
		"extra_params": map[string]any{"threshold": 0.5},
	})
	if err != nil {
		t.Fatal(err)
	}
	hooks, err := c.ListWebhooks(t.Context(), project)
	if err != nil || len(hooks) != 1 {
		t.Fatalf("Label Studio made webhooks %v with the ML backend (err=%v), want one", hooks, err)
	}

	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	w.writeFile("main.tf", cliTerraformBlock)
	w.writeFile("models.tfquery.hcl", fmt.Sprintf(`list "labelstudio_ml_backend" "models" {
  provider         = labelstudio
  include_resource = true
  config {
    project = %[1]d
  }
}

list "labelstudio_webhook" "hooks" {
  provider         = labelstudio
  include_resource = true
  config {
    project = %[1]d
  }
}
`, project))

	out := w.run(0, "query")
	expectOutput(t, out,
		fmt.Sprintf("list.labelstudio_ml_backend.models   id=%d   yolo (%s) (id %[1]d)", backend.ID, model.URL()),
		fmt.Sprintf("list.labelstudio_webhook.hooks   id=%d   %s/webhook (id %[1]d)", hooks[0].ID, model.URL()))

	w.run(0, "query", "-generate-config-out=generated.tf")
	generated := squeezeSpaces(w.readFile("generated.tf"))
	for _, want := range []string{
		`resource "labelstudio_ml_backend" "models_0" {`,
		fmt.Sprintf("url = %q", model.URL()),
		fmt.Sprintf("identity = { id = %d }", backend.ID),
		fmt.Sprintf("url = %q", model.URL()+"/webhook"),
	} {
		if !strings.Contains(generated, want) {
			t.Errorf("generated.tf lacks %q:\n%s", want, generated)
		}
	}
	expectOutput(t, w.run(0, "plan"), "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.")
	w.run(0, "apply", "-auto-approve")
	model.SetModelVersion("0.0.2")
	expectOutput(t, w.run(planNoChanges, "plan", "-detailed-exitcode"), "No changes.")
}
