package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// `terraform query` lists a project's webhooks with one request, and
// -generate-config-out writes configuration that imports them by identity
// and then plans clean (Terraform 1.14+).
func TestCLIWebhookQuery(t *testing.T) {
	terraformPath, cliConfig := cliPrerequisites(t)
	features := detectCLIFeatures(t, terraformPath)
	features.require(t, features.query, "terraform query")
	env := testenv.Start(t, testenv.Options{})
	c := testClient(t, env)
	dev := env.Dev(t)
	project := testProject(t, c)
	other := testProjectTitled(t, c, "Other project")
	var ids []int64
	for _, body := range []map[string]any{
		{"project": project, "url": "https://hooks.example.com/tasks", "send_for_all_actions": false, "actions": []any{"TASKS_CREATED"}},
		{"project": project, "url": "https://hooks.example.com/all", "send_payload": false},
		{"project": other, "url": "https://hooks.example.com/other"},
	} {
		w, err := c.CreateWebhook(t.Context(), body)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, w.ID)
	}

	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	w.writeFile("main.tf", cliTerraformBlock)
	w.writeFile("hooks.tfquery.hcl", fmt.Sprintf(`list "labelstudio_webhook" "hooks" {
  provider         = labelstudio
  include_resource = true
  config {
    project = %d
  }
}
`, project))

	dev.ResetRequestCounts(t)
	out := w.run(0, "query")
	expectOutput(t, out,
		fmt.Sprintf("list.labelstudio_webhook.hooks   id=%d   https://hooks.example.com/tasks (id %[1]d)", ids[0]),
		fmt.Sprintf("list.labelstudio_webhook.hooks   id=%d   https://hooks.example.com/all (id %[1]d)", ids[1]))
	if strings.Contains(out, "/other") {
		t.Errorf("the project filter let the other project's webhook through:\n%s", out)
	}
	if n := dev.RequestCounts(t)["GET /api/webhooks/"]; n != 1 {
		t.Errorf("terraform query sent %d webhook list requests, want 1", n)
	}

	w.run(0, "query", "-generate-config-out=generated.tf")
	generated := squeezeSpaces(w.readFile("generated.tf"))
	for _, want := range []string{
		`resource "labelstudio_webhook" "hooks_0" {`,
		`url = "https://hooks.example.com/tasks"`,
		fmt.Sprintf("identity = { id = %d }", ids[1]),
	} {
		if !strings.Contains(generated, want) {
			t.Errorf("generated.tf lacks %q:\n%s", want, generated)
		}
	}
	expectOutput(t, w.run(0, "plan"), "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.")
	w.run(0, "apply", "-auto-approve")
	expectOutput(t, w.run(planNoChanges, "plan", "-detailed-exitcode"), "No changes.")
}
