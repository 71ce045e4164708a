package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// deadHookURL refuses connections: every delivery to it fails.
const deadHookURL = "http://127.0.0.1:1/hook"

// projectListReadCase is one object type read from its project's list: three
// resources p<i>_<j> in each of two projects, of which p0_0 is edited and
// p0_1 deleted outside Terraform (drift), with what else the type's drift
// does and how its plan looks.
type projectListReadCase struct {
	typ     string // the resource type
	options testenv.Options
	reads   listedReads
	list    func(*client.Client, context.Context, int64) ([]client.Object, error)
	// resource is the configuration of p<i>_<j>, in project.
	resource func(i, j int, project int64) string
	// drift changes the objects outside Terraform; id gives a resource's id
	// (p0_0, p0_1 and p0_2).
	drift func(t *testing.T, c *client.Client, projects [2]int64, id func(name string) int64)
	// plan and state are the type's own checks of the drift's plan (beside
	// the edit updated, the deletion created and p1_0 left alone) and of the
	// state after its apply.
	plan  []plancheck.PlanCheck
	state []statecheck.StateCheck
	// gets is how many GETs by id the drift's plan and apply send, and why.
	gets    int
	getsWhy string
}

var projectListReadCases = []projectListReadCase{
	{
		// data_manager/api.py ViewAPI renders list and retrieve with
		// ViewSerializer: filters and ordering come from the list.
		typ: "labelstudio_view", reads: viewReads, list: (*client.Client).ListViews,
		resource: func(i, j int, project int64) string {
			return fmt.Sprintf(`
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
		},
		drift: func(t *testing.T, c *client.Client, _ [2]int64, id func(string) int64) {
			current, err := c.GetView(t.Context(), id("p0_0"))
			if err != nil {
				t.Fatal(err)
			}
			data := current.Fields["data"].(map[string]any)
			data["title"] = "renamed in the UI"
			if _, err := c.UpdateView(t.Context(), id("p0_0"), map[string]any{"data": data}); err != nil {
				t.Fatal(err)
			}
			if err := c.DeleteView(t.Context(), id("p0_1")); err != nil {
				t.Fatal(err)
			}
		},
		plan: []plancheck.PlanCheck{plancheck.ExpectResourceAction("labelstudio_view.p0_2", plancheck.ResourceActionNoop)},
		state: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("labelstudio_view.p0_0", tfjsonpath.New("title"), knownvalue.StringExact("tab 0/0")),
		},
		// The deleted view, missing from its list, in the plan (a 404),
		// and the edited one's current data, which its update merges into,
		// in the apply.
		gets: 2, getsWhy: "the deleted view, the update's current data",
	},
	{
		// webhooks/api.py renders list and detail with WebhookSerializer:
		// headers come from the list. p0_2 alone sends PROJECT_UPDATED, to
		// a receiver that is down; the others send only TASKS_CREATED, which
		// nothing here triggers. One failed delivery switches a webhook off
		// (WEBHOOK_MAX_CONSECUTIVE_FAILURES).
		typ: "labelstudio_webhook", reads: webhookReads, list: (*client.Client).ListWebhooks,
		options: testenv.Options{WebhookMaxConsecutiveFailures: 1},
		resource: func(i, j int, project int64) string {
			url, action := fmt.Sprintf("https://hooks.example.com/%d/%d", i, j), "TASKS_CREATED"
			if i == 0 && j == 2 {
				url, action = deadHookURL, "PROJECT_UPDATED"
			}
			return fmt.Sprintf(`
resource "labelstudio_webhook" "p%[1]d_%[2]d" {
  project              = %[3]d
  url                  = %[4]q
  send_for_all_actions = false
  actions              = [%[5]q]
  headers              = { Authorization = "Bearer list-read-%[1]d-%[2]d", X-Source = "terraform" }
}
`, i, j, project, url, action)
		},
		drift: func(t *testing.T, c *client.Client, projects [2]int64, id func(string) int64) {
			if _, err := c.UpdateWebhook(t.Context(), id("p0_0"), map[string]any{
				"url": "https://hooks.example.com/changed", "actions": []string{"TASKS_CREATED"},
			}); err != nil {
				t.Fatal(err)
			}
			if err := c.DeleteWebhook(t.Context(), id("p0_1")); err != nil {
				t.Fatal(err)
			}
			// The project's PATCH sends PROJECT_UPDATED to the receiver
			// that is down: Label Studio switches p0_2 off.
			if _, err := c.UpdateProject(t.Context(), projects[0], map[string]any{"description": "patched"}); err != nil {
				t.Fatal(err)
			}
			if wh, err := c.GetWebhook(t.Context(), id("p0_2")); err != nil || wh.Fields["is_active"] != false {
				t.Fatalf("after a failed delivery: %v, %v; want the webhook switched off", wh, err)
			}
		},
		plan: []plancheck.PlanCheck{plancheck.ExpectResourceAction("labelstudio_webhook.p0_2", plancheck.ResourceActionUpdate)},
		state: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("labelstudio_webhook.p0_2", tfjsonpath.New("is_active"), knownvalue.Bool(true)),
			statecheck.ExpectKnownValue("labelstudio_webhook.p0_2", tfjsonpath.New("consecutive_failures"), knownvalue.Int64Exact(0)),
			statecheck.ExpectKnownValue("labelstudio_webhook.p0_0", tfjsonpath.New("url"), knownvalue.StringExact("https://hooks.example.com/0/0")),
		},
		// The deleted one was missing from its list: read by id (404).
		gets: 1, getsWhy: "the deleted webhook",
	},
}

// TestAccReadsFromProjectLists: for each type read from its project's list
// (GET ...?project=, one per project, no GET by id), a refresh reads every
// object from those lists, the state it writes equals an import's (a GET by
// id) field by field, nested values included, and drift made outside
// Terraform is planned as before: an edit is updated back, a deleted object
// is created again, the others are left alone (but for what the type's own
// drift changed).
func TestAccReadsFromProjectLists(t *testing.T) {
	skipUnlessAcc(t)
	for _, tc := range projectListReadCases {
		t.Run(strings.TrimPrefix(tc.typ, "labelstudio_"), func(t *testing.T) {
			env := testenv.Start(t, tc.options)
			if env.Real {
				t.Skip("counts requests through the stand-in's /_dev hooks")
			}
			dev := env.Dev(t)
			c := testClient(t, env)
			projects := [2]int64{testProject(t, c), testProject(t, c)}
			var cfg strings.Builder
			cfg.WriteString(testAccProviderConfig(env))
			for i, project := range projects {
				for j := range 3 {
					cfg.WriteString(tc.resource(i, j, project))
				}
			}
			address := func(name string) string { return tc.typ + "." + name }
			ids := map[string]*int64{}
			var capture []resource.TestCheckFunc
			for _, name := range []string{"p0_0", "p0_1", "p0_2"} {
				ids[name] = new(int64)
				capture = append(capture, captureID(address(name), ids[name]))
			}
			edited, deleted := address("p0_0"), address("p0_1")

			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{Config: cfg.String(), Check: resource.ComposeAggregateTestCheckFunc(capture...)},
					{
						PreConfig:    func() { dev.ResetRequestCounts(t) },
						RefreshState: true,
						Check:        checkReadsServedByLists(t, dev, tc.reads, 2),
					},
					// An import reads by id; its state equals the refreshed one.
					{ResourceName: edited, ImportState: true, ImportStateVerify: true},
					{ResourceName: address("p1_2"), ImportState: true, ImportStateVerify: true},
					{
						PreConfig: func() {
							tc.drift(t, c, projects, func(name string) int64 { return *ids[name] })
							dev.ResetRequestCounts(t)
						},
						Config: cfg.String(),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: append([]plancheck.PlanCheck{
							plancheck.ExpectResourceAction(edited, plancheck.ResourceActionUpdate),
							plancheck.ExpectResourceAction(deleted, plancheck.ResourceActionCreate),
							plancheck.ExpectResourceAction(address("p1_0"), plancheck.ResourceActionNoop),
						}, tc.plan...)},
						ConfigStateChecks: tc.state,
						Check: resource.ComposeAggregateTestCheckFunc(
							checkProjectCounts(t, tc.reads.noun, func(ctx context.Context, project int64) ([]client.Object, error) {
								return tc.list(c, ctx, project)
							}, projects, 3, 3),
							func(*terraform.State) error {
								if _, gets, all := tc.reads.counts(t, dev); gets != tc.gets {
									return fmt.Errorf("%d GETs by id in the drift plan and apply, want %d (%s); counts %v", gets, tc.gets, tc.getsWhy, all)
								}
								return nil
							},
						),
					},
					{Config: cfg.String(), PlanOnly: true},
				},
			})
		})
	}
}

// checkProjectCounts asserts how many objects each project holds on the
// server (list gives them), so that nothing was left behind or made twice.
func checkProjectCounts[T any](t *testing.T, noun string, list func(context.Context, int64) ([]T, error), projects [2]int64, want ...int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for i, project := range projects {
			objects, err := list(t.Context(), project)
			if err != nil {
				return err
			}
			if len(objects) != want[i] {
				return fmt.Errorf("project %d holds %d %s, want %d", project, len(objects), noun, want[i])
			}
		}
		return nil
	}
}
