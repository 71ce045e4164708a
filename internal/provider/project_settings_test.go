package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// The settings of projects/models.py that issue 21 added, with values other
// than Label Studio's defaults.
const projectExtraSettings = `
  evaluate_predictions_automatically  = true
  reveal_preannotations_interactively = true
  show_ground_truth_first             = true
  show_overlap_first                  = true
  overlap_cohort_percentage           = 40
  task_data_login                     = "annotator"
  task_data_password                  = "task-data-secret"
  control_weights = jsonencode({
    pet = { type = "Choices", overall = 0.5, labels = { Cat = 2, Dog = 1 } }
  })
`

// TestAccProject_extraSettings applies the settings, reads them back from
// the server, then changes them outside Terraform (drift): the plan shows
// every change and the apply puts the configured values back.
func TestAccProject_extraSettings(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	api := testClient(t, env)
	var projectID int64
	configured := map[string]any{
		"evaluate_predictions_automatically": true, "reveal_preannotations_interactively": true,
		"show_ground_truth_first": true, "show_overlap_first": true, "overlap_cohort_percentage": json.Number("40"),
		"task_data_login": "annotator", "task_data_password": "task-data-secret",
	}
	weights := `{"pet":{"labels":{"Cat":2,"Dog":1},"overall":0.5,"type":"Choices"}}`
	serverHolds := func(state *terraform.State) error {
		id, err := strconv.ParseInt(state.RootModule().Resources[projectAddress].Primary.ID, 10, 64)
		if err != nil {
			return err
		}
		projectID = id
		p, err := api.GetProject(t.Context(), projectID)
		if err != nil {
			return fmt.Errorf("read project %d: %w", projectID, err)
		}
		for name, want := range configured {
			if got := p.Fields[name]; got != want {
				t.Errorf("Label Studio holds %s = %#v, want %#v", name, got, want)
			}
		}
		got, _ := json.Marshal(p.Fields["control_weights"])
		if string(got) != weights {
			t.Errorf("Label Studio holds control_weights %s, want %s", got, weights)
		}
		return nil
	}
	config := petsProject(env, petsConfig, projectExtraSettings)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("overlap_cohort_percentage"), knownvalue.Int64Exact(40)),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("task_data_password"), knownvalue.StringExact("task-data-secret")),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("model_version"), knownvalue.StringExact("")),
				},
				Check: serverHolds,
			},
			{
				// Changed in Label Studio's UI.
				PreConfig: func() {
					_, err := api.UpdateProject(t.Context(), projectID, map[string]any{
						"evaluate_predictions_automatically": false, "reveal_preannotations_interactively": false,
						"show_ground_truth_first": false, "show_overlap_first": false, "overlap_cohort_percentage": 10,
						"task_data_login": "someone-else", "task_data_password": "changed-outside",
						"control_weights": map[string]any{"pet": map[string]any{"overall": 1.0, "type": "Choices", "labels": map[string]any{"Cat": 1.0, "Dog": 1.0}}},
					})
					if err != nil {
						t.Fatalf("change the project outside Terraform: %v", err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(projectAddress, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(projectAddress, tfjsonpath.New("overlap_cohort_percentage"), knownvalue.Int64Exact(40)),
						plancheck.ExpectKnownValue(projectAddress, tfjsonpath.New("show_overlap_first"), knownvalue.Bool(true)),
						plancheck.ExpectKnownValue(projectAddress, tfjsonpath.New("task_data_login"), knownvalue.StringExact("annotator")),
						plancheck.ExpectKnownValue(projectAddress, tfjsonpath.New("task_data_password"), knownvalue.StringExact("task-data-secret")),
						plancheck.ExpectKnownValue(projectAddress, tfjsonpath.New("control_weights"), knownvalue.StringRegexp(regexp.MustCompile(`"overall":\s*0.5`))),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: serverHolds,
			},
			{
				// Left out, the settings keep what Label Studio holds; a new
				// label configuration makes Label Studio derive the weights
				// again, and the plan says they will change.
				Config: petsProject(env, petsConfigWithBird, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownValue(projectAddress, tfjsonpath.New("control_weights")),
						plancheck.ExpectKnownValue(projectAddress, tfjsonpath.New("model_version"), knownvalue.StringExact("")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("control_weights"),
						knownvalue.StringExact(`{"pet":{"labels":{"Bird":1,"Cat":2,"Dog":1},"overall":0.5,"type":"Choices"}}`)),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("overlap_cohort_percentage"), knownvalue.Int64Exact(100)),
				},
			},
		},
	})
}

const petsConfigWithBird = `<View>
  <Image name="image" value="$image"/>
  <Choices name="pet" toName="image" choice="single">
    <Choice value="Cat"/>
    <Choice value="Dog"/>
    <Choice value="Bird"/>
  </Choices>
</View>`

// TestAccProject_modelVersionFollowsLabelStudio: a model_version that Label
// Studio set (a prediction's version, picked in the UI) never shows as a
// difference while model_version is left out, and switching
// show_collab_predictions off, which makes Label Studio empty it, applies
// cleanly.
func TestAccProject_modelVersionFollowsLabelStudio(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	api := testClient(t, env)
	var projectID int64
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: petsProject(env, petsConfig, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("id"), recordInt64(&projectID)),
				},
			},
			{
				PreConfig: func() {
					importTask(t, env, api, projectID, `{"data": {"image": "cat.png"}, "predictions": [{"model_version": "pets-v1", "result": []}]}`)
					if _, err := api.UpdateProject(t.Context(), projectID, map[string]any{"model_version": "pets-v1"}); err != nil {
						t.Fatalf("pick the model version outside Terraform: %v", err)
					}
				},
				Config: petsProject(env, petsConfig, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("model_version"), knownvalue.StringExact("pets-v1")),
				},
			},
			{
				Config: petsProject(env, petsConfig, "  show_collab_predictions = false\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectUnknownValue(projectAddress, tfjsonpath.New("model_version"))},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("model_version"), knownvalue.StringExact("")),
				},
			},
		},
	})
}

// importTask makes one task in the project from a task document, the way
// Label Studio imports tasks: a local-files import storage and its sync.
// It returns the task's id.
func importTask(t *testing.T, env *testenv.Env, c *client.Client, project int64, taskJSON string) int64 {
	t.Helper()
	dir := testenv.LocalDir(t, env, fmt.Sprintf("tasks-of-%d", project))
	testenv.WriteFile(t, dir, "task.json", []byte(taskJSON))
	st, err := c.CreateStorage(t.Context(), "localfiles", client.Import, map[string]any{"project": project, "path": dir, "use_blob_urls": false})
	if err != nil {
		t.Fatalf("create the task storage: %v", err)
	}
	if _, err := c.SyncStorage(t.Context(), client.StorageRef{Kind: "localfiles", Direction: client.Import, ID: st.ID}); err != nil {
		t.Fatalf("sync the task storage: %v", err)
	}
	tasks, err := testenv.ListTasks(t.Context(), c, project)
	if err != nil || len(tasks) != 1 {
		t.Fatalf("project %d has tasks %v (%v), want the one imported", project, tasks, err)
	}
	return tasks[0].ID
}

// TestCheckControlWeights: configured weights must be what Label Studio
// would store for the label configuration.
func TestCheckControlWeights(t *testing.T) {
	cases := []struct {
		name, weights string
		ok            bool
	}{
		{"as stored", `{"pet":{"type":"Choices","overall":0.5,"labels":{"Cat":2,"Dog":1.0}}}`, true},
		{"a label missing", `{"pet":{"type":"Choices","overall":1,"labels":{"Cat":1}}}`, false},
		{"an unknown tag", `{"pet":{"type":"Choices","overall":1,"labels":{"Cat":1,"Dog":1}},"other":{"type":"Labels","overall":1,"labels":{}}}`, false},
		{"the wrong type", `{"pet":{"type":"Labels","overall":1,"labels":{"Cat":1,"Dog":1}}}`, false},
		{"empty", `{}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			config := objectValue{typ: tftypes.Object{AttributeTypes: map[string]tftypes.Type{"control_weights": tftypes.String, "label_config": tftypes.String}}, attrs: map[string]tftypes.Value{
				"control_weights": tftypes.NewValue(tftypes.String, tc.weights),
				"label_config":    tftypes.NewValue(tftypes.String, petsConfig),
			}}
			var diags diag.Diagnostics
			checkControlWeights(config, &diags)
			if diags.HasError() == tc.ok {
				t.Errorf("checkControlWeights(%s): %v, want ok=%v", tc.weights, diags, tc.ok)
			}
		})
	}
}

// TestAccProject_taskDataPasswordWriteOnly sends task_data_password through
// its write-only twin: Label Studio holds each version's value, and no form
// of either value is ever in state.
func TestAccProject_taskDataPasswordWriteOnly(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	api := testClient(t, env)
	first, second := "wo-first-password-4711", "wo-second-password-0815"
	withPassword := func(password string, version int) string {
		return petsProject(env, petsConfig, fmt.Sprintf(`
  task_data_login               = "annotator"
  task_data_password_wo         = %q
  task_data_password_wo_version = %d
`, password, version))
	}
	serverHolds := func(want string) resource.TestCheckFunc {
		return func(state *terraform.State) error {
			id, err := strconv.ParseInt(state.RootModule().Resources[projectAddress].Primary.ID, 10, 64)
			if err != nil {
				return err
			}
			p, err := api.GetProject(t.Context(), id)
			if err != nil {
				return fmt.Errorf("read project %d: %w", id, err)
			}
			if got := p.Fields["task_data_password"]; got != want {
				return fmt.Errorf("Label Studio holds another task_data_password than the configured write-only one (version %s)", state.RootModule().Resources[projectAddress].Primary.Attributes["task_data_password_wo_version"])
			}
			return nil
		}
	}
	noPasswordInState := checkNoSecretInState([]string{first, second})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: withPassword(first, 1),
				Check:  resource.ComposeTestCheckFunc(serverHolds(first), noPasswordInState, resource.TestCheckNoResourceAttr(projectAddress, "task_data_password")),
			},
			{
				// A new value without a new version is not sent.
				Config:             withPassword(second, 1),
				PlanOnly:           true,
				ExpectNonEmptyPlan: false,
			},
			{
				Config: withPassword(second, 2),
				Check:  resource.ComposeTestCheckFunc(serverHolds(second), noPasswordInState),
			},
		},
	})
}
