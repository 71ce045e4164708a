package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

const viewAddress = "labelstudio_view.test"

func viewConfig(env *testenv.Env, body string) string {
	return testAccProviderConfig(env) + fmt.Sprintf(`
resource "labelstudio_project" "test" {
  title = "Views"
}

resource "labelstudio_project" "other" {
  title = "Other views"
}

resource "labelstudio_view" "test" {
%s
}
`, body)
}

// viewBody is a view of the test project with the given filters line.
func viewBody(title, filters string) string {
	return fmt.Sprintf(`
  project  = labelstudio_project.test.id
  title    = %q
  type     = "grid"
  %s
  ordering = ["-tasks:created_at"]
  hidden_columns = {
    explore  = ["tasks:inner_id", "tasks:data.text"]
    labeling = ["tasks:inner_id"]
  }
`, title, filters)
}

const (
	// Three kinds of value, each written as users write it: a string, a
	// number and a {min, max} range whose keys jsonencode sorts.
	viewFiltersHCL = `filters = {
    conjunction = "and"
    items = [
      { filter = "filter:tasks:data.image", operator = "contains", type = "String", value = jsonencode("cat") },
      { filter = "filter:tasks:total_annotations", operator = "equal", type = "Number", value = jsonencode(0) },
      { filter = "filter:tasks:id", operator = "in", type = "Number", value = jsonencode({ min = 1, max = 7 }) },
    ]
  }`
	viewFiltersChangedHCL = `filters = {
    conjunction = "or"
    items = [
      { filter = "filter:tasks:data.image", operator = "not_contains", type = "String", value = jsonencode("dog") },
    ]
  }`
)

// The view's lifecycle against the stand-in, which reshapes a view as
// Label Studio does (data_manager/serializers.py ViewSerializer: filters
// lifted into a filter group, ordering into its own column, both put back
// on read): what is applied reads back unchanged after apply and after a
// refresh, an update keeps what the UI stores in the tab, and changes
// made outside Terraform show as drift.
func TestAccView_lifecycle(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	api := testClient(t, env)
	ctx := context.Background()
	var viewID int64
	sameID := statecheck.CompareValue(compare.ValuesSame())

	created := viewConfig(env, viewBody("Cats", viewFiltersHCL))
	updated := viewConfig(env, viewBody("Dogs", viewFiltersChangedHCL))
	noFilters := viewConfig(env, viewBody("Dogs", ""))
	otherProject := strings.Replace(noFilters, "labelstudio_project.test.id", "labelstudio_project.other.id", 1)

	server := func(check func(data map[string]any) error) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			id, err := strconv.ParseInt(s.RootModule().Resources[viewAddress].Primary.Attributes["id"], 10, 64)
			if err != nil {
				return err
			}
			v, err := api.GetView(ctx, id)
			if err != nil {
				return err
			}
			data, _ := v.Fields["data"].(map[string]any)
			return check(data)
		}
	}
	holds := func(key string, want string) resource.TestCheckFunc {
		return server(func(data map[string]any) error {
			got, _ := json.Marshal(data[key])
			if string(got) != want {
				return fmt.Errorf("Label Studio holds data.%s = %s, want %s", key, got, want)
			}
			return nil
		})
	}
	outside := func(change func(data map[string]any)) func() {
		return func() {
			v, err := api.GetView(ctx, viewID)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := v.Fields["data"].(map[string]any)
			change(data)
			if _, err := api.UpdateView(ctx, viewID, map[string]any{"data": data}); err != nil {
				t.Fatal(err)
			}
		}
	}
	emptyAfterRefresh := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	expectUpdate := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(viewAddress, plancheck.ResourceActionUpdate)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := api.GetView(ctx, viewID); !errors.Is(err, client.ErrNotFound) {
				return fmt.Errorf("view %d still exists after destroy (err=%v)", viewID, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config:           created,
				ConfigPlanChecks: emptyAfterRefresh,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(viewAddress, tfjsonpath.New("id"), recordInt64(&viewID)),
					sameID.AddStateValue(viewAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(viewAddress, tfjsonpath.New("order"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(viewAddress, tfjsonpath.New("target"), knownvalue.StringExact("tasks")),
					statecheck.ExpectKnownValue(viewAddress, tfjsonpath.New("filters").AtMapKey("items").AtSliceIndex(2).AtMapKey("value"),
						knownvalue.StringExact(`{"max":7,"min":1}`)),
				},
				Check: resource.ComposeTestCheckFunc(
					holds("title", `"Cats"`), holds("type", `"grid"`), holds("ordering", `["-tasks:created_at"]`),
					holds("hiddenColumns", `{"explore":["tasks:inner_id","tasks:data.text"],"labeling":["tasks:inner_id"]}`),
					holds("filters", `{"conjunction":"and","items":[`+
						`{"child_filters":[],"filter":"filter:tasks:data.image","operator":"contains","type":"String","value":"cat"},`+
						`{"child_filters":[],"filter":"filter:tasks:total_annotations","operator":"equal","type":"Number","value":0},`+
						`{"child_filters":[],"filter":"filter:tasks:id","operator":"in","type":"Number","value":{"max":7,"min":1}}]}`),
				),
			},
			{
				// terraform refresh, then a plan of the same configuration
				// (the plan -refresh-only case): nothing to change.
				RefreshState: true,
			},
			{Config: created, PlanOnly: true},
			{
				ResourceName:      viewAddress,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				ResourceName:    viewAddress,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				Config:          created,
			},
			{
				// The UI's own settings (a column width) survive an update of
				// title and filters.
				PreConfig:        outside(func(data map[string]any) { data["columnsWidth"] = map[string]any{"tasks:id": 120} }),
				Config:           updated,
				ConfigPlanChecks: expectUpdate,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(viewAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(viewAddress, tfjsonpath.New("title"), knownvalue.StringExact("Dogs")),
				},
				Check: resource.ComposeTestCheckFunc(
					holds("title", `"Dogs"`), holds("columnsWidth", `{"tasks:id":120}`),
					holds("filters", `{"conjunction":"or","items":[{"child_filters":[],"filter":"filter:tasks:data.image","operator":"not_contains","type":"String","value":"dog"}]}`),
				),
			},
			{
				// Edited in the UI: drift, and apply puts the configuration back.
				PreConfig: outside(func(data map[string]any) {
					data["title"] = "Renamed in the UI"
					data["filters"] = map[string]any{"conjunction": "and", "items": []any{
						map[string]any{"filter": "filter:tasks:id", "operator": "greater", "type": "Number", "value": 3},
					}}
				}),
				Config:           updated,
				ConfigPlanChecks: expectUpdate,
				Check: resource.ComposeTestCheckFunc(holds("title", `"Dogs"`),
					holds("filters", `{"conjunction":"or","items":[{"child_filters":[],"filter":"filter:tasks:data.image","operator":"not_contains","type":"String","value":"dog"}]}`)),
			},
			{
				// Removing filters clears them: Label Studio keeps a filter
				// group until it is given an empty one.
				Config:           noFilters,
				ConfigPlanChecks: expectUpdate,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(viewAddress, tfjsonpath.New("filters"), knownvalue.Null()),
				},
				Check: server(func(data map[string]any) error {
					filters, _ := data["filters"].(map[string]any)
					if items, _ := filters["items"].([]any); len(items) != 0 {
						return fmt.Errorf("Label Studio still holds filters %v", filters)
					}
					return nil
				}),
			},
			{
				// Deleted outside Terraform: created again.
				PreConfig: func() {
					if err := api.DeleteView(ctx, viewID); err != nil {
						t.Fatal(err)
					}
				},
				Config: noFilters,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(viewAddress, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(viewAddress, tfjsonpath.New("id"), recordInt64(&viewID)),
				},
				Check: holds("title", `"Dogs"`),
			},
			{
				// Label Studio cannot move a view: a new project replaces it.
				Config: otherProject,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(viewAddress, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(viewAddress, tfjsonpath.New("id"), recordInt64(&viewID)),
				},
			},
		},
	})
}

// Label Studio keeps a locked tab as it is and answers the update with it
// (data_manager/serializers.py ViewSerializer.update): the apply fails
// with what to do instead of storing what was not written, and succeeds
// once the tab is unlocked.
func TestAccView_locked(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	api := testClient(t, env)
	var viewID int64
	lock := func(locked bool) func() {
		return func() {
			if _, err := api.UpdateView(context.Background(), viewID, map[string]any{"is_locked": locked}); err != nil {
				t.Fatal(err)
			}
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: viewConfig(env, viewBody("Cats", viewFiltersHCL)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(viewAddress, tfjsonpath.New("id"), recordInt64(&viewID)),
				},
			},
			{
				PreConfig:   lock(true),
				Config:      viewConfig(env, viewBody("Dogs", viewFiltersHCL)),
				ExpectError: regexp.MustCompile(`(?s)view [0-9]+ is locked in Label Studio.*Unlock the tab`),
			},
			{
				PreConfig: lock(false),
				Config:    viewConfig(env, viewBody("Dogs", viewFiltersHCL)),
				Check:     resource.TestCheckResourceAttr(viewAddress, "title", "Dogs"),
			},
		},
	})
}

// A view imported by its identity (Terraform 1.12+) plans clean.
func TestAccView_importByIdentity(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	config := viewConfig(env, viewBody("Cats", viewFiltersHCL))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		Steps: []resource.TestStep{
			{Config: config},
			{
				ResourceName:    viewAddress,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				Config:          config,
			},
		},
	})
}

// Label Studio's own representation of a view made in the UI of a recent
// release (every filter item with an empty child_filters list, settings the
// resource does not manage, no type or target) reads as the attributes
// configured for it.
func TestViewFieldsOfAViewMadeInTheUI(t *testing.T) {
	fields := decodeJSONObject(t, `{"id": 3, "project": 1, "order": 2, "data": {"title": "Default", "columnsWidth": {},
		"filters": {"conjunction": "and", "items": [{"filter": "filter:tasks:id", "operator": "greater", "type": "Number", "value": 3, "child_filters": []}]},
		"ordering": ["tasks:id"]}}`)
	got := viewFields(&client.View{ID: 3, Fields: fields})
	want := map[string]any{
		"id": json.Number("3"), "project": json.Number("1"), "order": json.Number("2"),
		"title": "Default", "type": "list", "target": "tasks", "hidden_columns": nil,
		"filters": map[string]any{"conjunction": "and", "items": []any{
			map[string]any{"filter": "filter:tasks:id", "operator": "greater", "type": "Number", "value": json.Number("3")},
		}},
		"ordering": []any{"tasks:id"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("viewFields:\n got %#v\nwant %#v", got, want)
	}
	// Filters whose group has no items are none.
	fields["data"].(map[string]any)["filters"] = map[string]any{"conjunction": "or", "items": []any{}}
	if got := viewFields(&client.View{ID: 3, Fields: fields})["filters"]; got != nil {
		t.Errorf("an empty filter group reads as %#v, want none", got)
	}
}

func decodeJSONObject(t *testing.T, text string) map[string]any {
	t.Helper()
	v, err := decodeJSONText(text)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("not a JSON object: %s", text)
	}
	return m
}
