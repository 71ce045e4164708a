package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// `terraform query` lists a project's views with one request, and
// -generate-config-out writes configuration that imports them by identity
// and then plans clean: the generated filters and hidden columns are what
// the resource reads back (Terraform 1.14+).
func TestCLIViewQuery(t *testing.T) {
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
		{"project": project, "data": map[string]any{
			"title": "Cats", "type": "grid", "target": "tasks",
			"filters": map[string]any{"conjunction": "or", "items": []any{
				map[string]any{"filter": "filter:tasks:data.image", "operator": "contains", "type": "String", "value": "cat"},
			}},
			"ordering":      []any{"-tasks:id"},
			"hiddenColumns": map[string]any{"explore": []any{"tasks:inner_id"}, "labeling": []any{}},
			"columnsWidth":  map[string]any{"tasks:id": 80},
		}},
		{"project": project, "data": map[string]any{"title": "Default"}},
		{"project": other, "data": map[string]any{"title": "Elsewhere"}},
	} {
		v, err := c.CreateView(t.Context(), body)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v.ID)
	}

	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	w.writeFile("main.tf", cliTerraformBlock)
	w.writeFile("views.tfquery.hcl", fmt.Sprintf(`list "labelstudio_view" "tabs" {
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
		fmt.Sprintf("list.labelstudio_view.tabs   id=%d   Cats (id %[1]d)", ids[0]),
		fmt.Sprintf("list.labelstudio_view.tabs   id=%d   Default (id %[1]d)", ids[1]))
	if strings.Contains(out, "Elsewhere") {
		t.Errorf("the project filter let the other project's view through:\n%s", out)
	}
	if n := dev.RequestCounts(t)["GET /api/dm/views/"]; n != 1 {
		t.Errorf("terraform query sent %d view list requests, want 1", n)
	}

	w.run(0, "query", "-generate-config-out=generated.tf")
	generated := squeezeSpaces(w.readFile("generated.tf"))
	for _, want := range []string{
		`resource "labelstudio_view" "tabs_0" {`,
		`title = "Cats"`,
		`filter = "filter:tasks:data.image"`,
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
