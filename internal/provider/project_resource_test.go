package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/labelconfig"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

const projectAddress = "labelstudio_project.test"

// petsConfig is the labeling configuration the tests start from; the
// reformatted copy below means exactly the same.
const petsConfig = `<View>
  <Image name="image" value="$image"/>
  <Choices name="pet" toName="image" choice="single">
    <Choice value="Cat"/>
    <Choice value="Dog"/>
  </Choices>
</View>`

const petsConfigReformatted = `<View><Image value="$image"   name="image"></Image><Choices choice="single" toName="image" name="pet"><Choice value="Cat"/><Choice value="Dog"/></Choices></View>`

func projectConfig(env *testenv.Env, body string) string {
	return testAccProviderConfig(env) + fmt.Sprintf(`
resource "labelstudio_project" "test" {
%s
}
`, body)
}

func petsProject(env *testenv.Env, labelConfig string, settings string) string {
	return projectConfig(env, fmt.Sprintf(`
  title        = "Pets"
  description  = "Cats and dogs"
  label_config = <<-XML
%s
XML
%s`, labelConfig, settings))
}

// recordInt64 is a state check that remembers a value for a later step.
func recordInt64(into *int64) knownvalue.Check {
	return knownvalue.Int64Func(func(v int64) error {
		*into = v
		return nil
	})
}

func TestAccProject_lifecycle(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	api := testClient(t, env)
	var projectID int64
	sameID := statecheck.CompareValue(compare.ValuesSame())

	updatedSettings := `
  maximum_annotations = 3
  sampling            = "Uniform sampling"
  skip_queue          = "IGNORE_SKIPPED"
  show_skip_button    = false
  show_instruction    = true
  expert_instruction  = "<p>Pick the animal.</p>"
  color               = "#FF8800"
`

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			_, err := api.GetProject(context.Background(), projectID)
			if !errors.Is(err, client.ErrNotFound) {
				return fmt.Errorf("project %d still exists after destroy (err=%v)", projectID, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				// Create: every setting left out takes Label Studio's default.
				Config: petsProject(env, petsConfig, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("id"), recordInt64(&projectID)),
					sameID.AddStateValue(projectAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("title"), knownvalue.StringExact("Pets")),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("label_config"), knownvalue.StringExact(petsConfig+"\n")),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("maximum_annotations"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("sampling"), knownvalue.StringExact("Sequential sampling")),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("skip_queue"), knownvalue.StringExact("REQUEUE_FOR_OTHERS")),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("show_skip_button"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("created_at"), knownvalue.NotNull()),
				},
			},
			{
				// The server may store the document without the heredoc's
				// final newline; what matters is that it means the same.
				ResourceName:            projectAddress,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"label_config"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("imported %d resources, want 1", len(states))
					}
					if imported := states[0].Attributes["label_config"]; !labelconfig.Same(imported, petsConfig) {
						return fmt.Errorf("imported label_config %q does not mean the configured one", imported)
					}
					return nil
				},
			},
			{
				// Update in place: same project, new settings.
				Config: petsProject(env, petsConfig, updatedSettings),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(projectAddress, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(projectAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("maximum_annotations"), knownvalue.Int64Exact(3)),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("sampling"), knownvalue.StringExact("Uniform sampling")),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("skip_queue"), knownvalue.StringExact("IGNORE_SKIPPED")),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("show_skip_button"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("color"), knownvalue.StringExact("#FF8800")),
				},
			},
			{
				// The same document formatted differently is no change.
				Config: petsProject(env, petsConfigReformatted, updatedSettings),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Reformatted outside Terraform (an export/import round trip,
				// the UI's editor): still no change.
				PreConfig: func() {
					_, err := api.UpdateProject(context.Background(), projectID, map[string]any{"label_config": petsConfigReformatted})
					if err != nil {
						t.Fatalf("reformatting label_config outside Terraform: %v", err)
					}
				},
				Config: petsProject(env, petsConfig, updatedSettings),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Changed outside Terraform: the plan puts it back, in place.
				PreConfig: func() {
					_, err := api.UpdateProject(context.Background(), projectID, map[string]any{
						"title": "Renamed in the UI", "maximum_annotations": 7,
					})
					if err != nil {
						t.Fatalf("changing the project outside Terraform: %v", err)
					}
				},
				Config: petsProject(env, petsConfig, updatedSettings),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(projectAddress, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(projectAddress, tfjsonpath.New("title"), knownvalue.StringExact("Pets")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(projectAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("title"), knownvalue.StringExact("Pets")),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("maximum_annotations"), knownvalue.Int64Exact(3)),
				},
			},
			{
				// Deleted outside Terraform: the plan creates it again.
				PreConfig: func() {
					if err := api.DeleteProject(context.Background(), projectID); err != nil {
						t.Fatalf("deleting the project outside Terraform: %v", err)
					}
				},
				Config: petsProject(env, petsConfig, updatedSettings),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(projectAddress, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("id"), recordInt64(&projectID)),
				},
			},
		},
	})
}

func TestAccProject_defaultsOnly(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: projectConfig(env, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("title"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("label_config"), knownvalue.StringExact("<View></View>")),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("color"), knownvalue.StringExact("#FFFFFF")),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("is_published"), knownvalue.Bool(false)),
				},
			},
			{
				ResourceName:      projectAddress,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

func TestAccProject_rejectedInput(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	tests := map[string]struct {
		body string
		want *regexp.Regexp
	}{
		"label_config is not XML": {
			body: `label_config = "<View><Image name=\"image\" value=\"$image\"></View>"`,
			want: regexp.MustCompile(`Invalid label configuration`),
		},
		"duplicate names are refused by the server at plan time on label_config": {
			body: `label_config = "<View><Image name=\"x\" value=\"$image\"/><Text name=\"x\" value=\"$text\"/></View>"`,
			want: regexp.MustCompile(`Label Studio refuses this label configuration[\s\S]*POST /api/projects/validate/[\s\S]*non-unique`),
		},
		"title too short": {
			body: `title = "ab"`,
			want: regexp.MustCompile(`title string length must be between 3 and 50`),
		},
		"unknown sampling": {
			body: `sampling = "Random sampling"`,
			want: regexp.MustCompile(`sampling value must be one of`),
		},
		"maximum_annotations below one": {
			body: `maximum_annotations = 0`,
			want: regexp.MustCompile(`maximum_annotations value must be at least 1`),
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      projectConfig(env, tt.body),
					ExpectError: tt.want,
				}},
			})
		})
	}
}

func TestAccProject_importRejectsNonNumericID(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:        projectConfig(env, `title = "Pets"`),
			ResourceName:  projectAddress,
			ImportState:   true,
			ImportStateId: "pets",
			ExpectError:   regexp.MustCompile(`Expected a project ID such as 42`),
		}},
	})
}

func TestAddProjectAPIError(t *testing.T) {
	t.Run("field errors go on their attributes", func(t *testing.T) {
		var diags diag.Diagnostics
		addProjectAPIError(&diags, "create", "Cannot create the Label Studio project", &client.APIError{
			StatusCode: 400, Method: "POST", Path: "/api/projects/", Detail: "Validation error",
			ValidationErrors: map[string][]string{
				"label_config":     {"Label config contains non-unique names"},
				"workspace":        {"Invalid pk."},
				"non_field_errors": {"Something else."},
			},
		})
		if len(diags) != 2 {
			t.Fatalf("got %d diagnostics, want 2: %v", len(diags), diags)
		}
		withPath, ok := diags[0].(diag.DiagnosticWithPath)
		if !ok || !withPath.Path().Equal(path.Root("label_config")) {
			t.Errorf("first diagnostic is not on label_config: %v", diags[0])
		}
		if want := "Label Studio rejected label_config: Label config contains non-unique names (POST /api/projects/ answered 400)"; diags[0].Detail() != want {
			t.Errorf("label_config detail = %q, want %q", diags[0].Detail(), want)
		}
		if want := "workspace: Invalid pk.; Something else. (POST /api/projects/ answered 400)"; diags[1].Detail() != want {
			t.Errorf("general detail = %q, want %q", diags[1].Detail(), want)
		}
	})
	t.Run("no empty general error when every message has an attribute", func(t *testing.T) {
		var diags diag.Diagnostics
		addProjectAPIError(&diags, "update", "Cannot update the Label Studio project", &client.APIError{
			StatusCode: 400, Method: "PATCH", Path: "/api/projects/1/", Detail: "Validation error",
			ValidationErrors: map[string][]string{"title": {"Ensure this field has at least 3 characters."}},
		})
		if len(diags) != 1 || diags.ErrorsCount() != 1 {
			t.Fatalf("got %v, want one error on title", diags)
		}
	})
	t.Run("other errors keep their text", func(t *testing.T) {
		var diags diag.Diagnostics
		addProjectAPIError(&diags, "read", "Cannot read the Label Studio project", errors.New("connection refused"))
		if len(diags) != 1 || diags[0].Detail() != "connection refused" {
			t.Fatalf("got %v", diags)
		}
	})
}
