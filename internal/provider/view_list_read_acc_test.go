package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// viewListReadConfig is three tabs with filters and ordering in each of two
// projects.
func viewListReadConfig(env *testenv.Env, projects [2]int64) string {
	var b strings.Builder
	b.WriteString(testAccProviderConfig(env))
	for i, project := range projects {
		for j := range 3 {
			fmt.Fprintf(&b, `
resource "labelstudio_view" "p%[1]d_%[2]d" {
  project  = %[3]d
  title    = "tab %[1]d/%[2]d"
  type     = "grid"
  filters = {
    conjunction = "or"
    items       = [{ filter = "filter:tasks:data.text", operator = "contains", type = "String", value = jsonencode("word %[2]d") }]
  }
  ordering = ["-tasks:id"]
}
`, i, j, project)
		}
	}
	return b.String()
}

// TestAccViewReadsFromProjectLists: a refresh reads every view from its
// project's list (GET /api/dm/views/?project=, one per project, no GET by
// id; data_manager/api.py ViewAPI renders list and retrieve with
// ViewSerializer), the state it writes equals an import's (a GET by id)
// field by field, and drift made outside Terraform is planned as before: an
// edited tab is updated back, a deleted one is created again, the others
// are left alone.
func TestAccViewReadsFromProjectLists(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{})
	if env.Real {
		t.Skip("counts requests through the stand-in's /_dev hooks")
	}
	dev := env.Dev(t)
	c := testClient(t, env)
	projects := [2]int64{testProject(t, c), testProject(t, c)}
	cfg := viewListReadConfig(env, projects)
	const (
		edited  = "labelstudio_view.p0_0"
		deleted = "labelstudio_view.p0_1"
	)
	ids := map[string]*int64{edited: new(int64), deleted: new(int64)}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  resource.ComposeAggregateTestCheckFunc(captureID(edited, ids[edited]), captureID(deleted, ids[deleted])),
			},
			{
				PreConfig:    func() { dev.ResetRequestCounts(t) },
				RefreshState: true,
				Check:        checkReadsServedByLists(t, dev, viewReads, 2),
			},
			{
				// An import reads by id; its state equals the refreshed one.
				ResourceName:      edited,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				ResourceName:      "labelstudio_view.p1_2",
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				PreConfig: func() {
					current, err := c.GetView(t.Context(), *ids[edited])
					if err != nil {
						t.Fatal(err)
					}
					data := current.Fields["data"].(map[string]any)
					data["title"] = "renamed in the UI"
					if _, err := c.UpdateView(t.Context(), *ids[edited], map[string]any{"data": data}); err != nil {
						t.Fatal(err)
					}
					if err := c.DeleteView(t.Context(), *ids[deleted]); err != nil {
						t.Fatal(err)
					}
					dev.ResetRequestCounts(t)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(edited, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(deleted, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("labelstudio_view.p0_2", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("labelstudio_view.p1_0", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(edited, tfjsonpath.New("title"), knownvalue.StringExact("tab 0/0")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkProjectCounts(t, "views", c.ListViews, projects, 3, 3),
					// By id: the deleted view, missing from its list, in the
					// plan (a 404), and the edited one's current data, which
					// its update merges into, in the apply.
					func(*terraform.State) error {
						if _, gets, all := viewReads.counts(t, dev); gets != 2 {
							return fmt.Errorf("%d GETs by id in the drift plan and apply, want 2 (the deleted view, the update's current data); counts %v", gets, all)
						}
						return nil
					},
				),
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}
