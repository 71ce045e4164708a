package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/mlbackend"
)

// queryCase is one object type's `terraform query`: seed makes its objects
// in Label Studio and says what the query must show.
type queryCase struct {
	name string
	seed func(t *testing.T, c *client.Client) queryExpectations
}

// queryExpectations is what a query of one project's objects shows.
type queryExpectations struct {
	project int64
	// lists are the list blocks of the query, "<resource type>.<name>",
	// each filtered by project.
	lists []string
	// listed are lines of the query's output; absent, when set, is text
	// that must not be in it (another project's object).
	listed []string
	absent string
	// listRequests, when set, is the route of the list request that the
	// query sends exactly once (counted by the stand-in).
	listRequests string
	// generated are lines -generate-config-out writes, spaces squeezed.
	generated []string
	// beforeReplan, when set, changes something outside Terraform that the
	// last plan must not show.
	beforeReplan func()
}

var queryCases = []queryCase{
	{
		// The generated filters and hidden columns are what the resource
		// reads back.
		name: "view",
		seed: func(t *testing.T, c *client.Client) queryExpectations {
			project, other := testProject(t, c), testProjectTitled(t, c, "Other project")
			ids := createAll(t, c.CreateView,
				map[string]any{"project": project, "data": map[string]any{
					"title": "Cats", "type": "grid", "target": "tasks",
					"filters": map[string]any{"conjunction": "or", "items": []any{
						map[string]any{"filter": "filter:tasks:data.image", "operator": "contains", "type": "String", "value": "cat"},
					}},
					"ordering":      []any{"-tasks:id"},
					"hiddenColumns": map[string]any{"explore": []any{"tasks:inner_id"}, "labeling": []any{}},
					"columnsWidth":  map[string]any{"tasks:id": 80},
				}},
				map[string]any{"project": project, "data": map[string]any{"title": "Default"}},
				map[string]any{"project": other, "data": map[string]any{"title": "Elsewhere"}},
			)
			return queryExpectations{
				project: project,
				lists:   []string{"labelstudio_view.tabs"},
				listed: []string{
					fmt.Sprintf("list.labelstudio_view.tabs   id=%d   Cats (id %[1]d)", ids[0]),
					fmt.Sprintf("list.labelstudio_view.tabs   id=%d   Default (id %[1]d)", ids[1]),
				},
				absent:       "Elsewhere",
				listRequests: "GET /api/dm/views/",
				generated: []string{
					`resource "labelstudio_view" "tabs_0" {`,
					`title = "Cats"`,
					`filter = "filter:tasks:data.image"`,
					fmt.Sprintf("identity = { id = %d }", ids[1]),
				},
			}
		},
	},
	{
		name: "webhook",
		seed: func(t *testing.T, c *client.Client) queryExpectations {
			project, other := testProject(t, c), testProjectTitled(t, c, "Other project")
			ids := createAll(t, c.CreateWebhook,
				map[string]any{"project": project, "url": "https://hooks.example.com/tasks", "send_for_all_actions": false, "actions": []any{"TASKS_CREATED"}},
				map[string]any{"project": project, "url": "https://hooks.example.com/all", "send_payload": false},
				map[string]any{"project": other, "url": "https://hooks.example.com/other"},
			)
			return queryExpectations{
				project: project,
				lists:   []string{"labelstudio_webhook.hooks"},
				listed: []string{
					fmt.Sprintf("list.labelstudio_webhook.hooks   id=%d   https://hooks.example.com/tasks (id %[1]d)", ids[0]),
					fmt.Sprintf("list.labelstudio_webhook.hooks   id=%d   https://hooks.example.com/all (id %[1]d)", ids[1]),
				},
				absent:       "/other",
				listRequests: "GET /api/webhooks/",
				generated: []string{
					`resource "labelstudio_webhook" "hooks_0" {`,
					`url = "https://hooks.example.com/tasks"`,
					fmt.Sprintf("identity = { id = %d }", ids[1]),
				},
			}
		},
	},
	{
		// The ML backend and the webhook Label Studio created with it
		// (ml/models.py create_ml_webhook) are both imported; the re-plan
		// is clean although every read makes Label Studio call the model
		// again, which now answers another model version.
		name: "ml_backend",
		seed: func(t *testing.T, c *client.Client) queryExpectations {
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
			return queryExpectations{
				project: project,
				lists:   []string{"labelstudio_ml_backend.models", "labelstudio_webhook.hooks"},
				listed: []string{
					fmt.Sprintf("list.labelstudio_ml_backend.models   id=%d   yolo (%s) (id %[1]d)", backend.ID, model.URL()),
					fmt.Sprintf("list.labelstudio_webhook.hooks   id=%d   %s/webhook (id %[1]d)", hooks[0].ID, model.URL()),
				},
				generated: []string{
					`resource "labelstudio_ml_backend" "models_0" {`,
					fmt.Sprintf("url = %q", model.URL()),
					fmt.Sprintf("identity = { id = %d }", backend.ID),
					fmt.Sprintf("url = %q", model.URL()+"/webhook"),
				},
				beforeReplan: func() { model.SetModelVersion("0.0.2") },
			}
		},
	},
}

// createAll creates each body with create and returns the ids.
func createAll(t *testing.T, create func(context.Context, map[string]any) (*client.Object, error), bodies ...map[string]any) []int64 {
	t.Helper()
	ids := make([]int64, len(bodies))
	for i, body := range bodies {
		object, err := create(t.Context(), body)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = object.ID
	}
	return ids
}

// `terraform query` lists a project's objects (and no other project's), and
// -generate-config-out writes configuration that imports them by identity
// and then plans clean (Terraform 1.14+).
func TestCLIQuery(t *testing.T) {
	terraformPath, cliConfig := cliPrerequisites(t)
	features := detectCLIFeatures(t, terraformPath)
	features.require(t, features.query, "terraform query")
	for _, tc := range queryCases {
		t.Run(tc.name, func(t *testing.T) {
			env := testenv.Start(t, testenv.Options{})
			c := testClient(t, env)
			want := tc.seed(t, c)

			w := newCLIWorkdir(t, terraformPath, cliConfig, env)
			w.writeFile("main.tf", cliTerraformBlock)
			var query strings.Builder
			for _, list := range want.lists {
				typ, name, _ := strings.Cut(list, ".")
				fmt.Fprintf(&query, `list %q %q {
  provider         = labelstudio
  include_resource = true
  config {
    project = %d
  }
}
`, typ, name, want.project)
			}
			w.writeFile("objects.tfquery.hcl", query.String())

			var dev *testenv.DevClient
			if want.listRequests != "" {
				dev = env.Dev(t)
				dev.ResetRequestCounts(t)
			}
			out := w.run(0, "query")
			expectOutput(t, out, want.listed...)
			if want.absent != "" && strings.Contains(out, want.absent) {
				t.Errorf("the project filter let the other project's %s through:\n%s", tc.name, out)
			}
			if dev != nil {
				if n := dev.RequestCounts(t)[want.listRequests]; n != 1 {
					t.Errorf("terraform query sent %d %s requests, want 1", n, want.listRequests)
				}
			}

			w.run(0, "query", "-generate-config-out=generated.tf")
			generated := squeezeSpaces(w.readFile("generated.tf"))
			for _, line := range want.generated {
				if !strings.Contains(generated, line) {
					t.Errorf("generated.tf lacks %q:\n%s", line, generated)
				}
			}
			expectOutput(t, w.run(0, "plan"), "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.")
			w.run(0, "apply", "-auto-approve")
			if want.beforeReplan != nil {
				want.beforeReplan()
			}
			expectOutput(t, w.run(planNoChanges, "plan", "-detailed-exitcode"), "No changes.")
		})
	}
}
