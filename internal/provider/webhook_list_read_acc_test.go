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

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// deadHookURL refuses connections: every delivery to it fails.
const deadHookURL = "http://127.0.0.1:1/hook"

// webhookListReadConfig is three webhooks with headers in each of two
// projects. p0_2 alone sends PROJECT_UPDATED, to a receiver that is down;
// the others send only TASKS_CREATED, which nothing here triggers.
func webhookListReadConfig(env *testenv.Env, projects [2]int64) string {
	var b strings.Builder
	b.WriteString(testAccProviderConfig(env))
	for i, project := range projects {
		for j := range 3 {
			url, action := fmt.Sprintf("https://hooks.example.com/%d/%d", i, j), "TASKS_CREATED"
			if i == 0 && j == 2 {
				url, action = deadHookURL, "PROJECT_UPDATED"
			}
			fmt.Fprintf(&b, `
resource "labelstudio_webhook" "p%[1]d_%[2]d" {
  project              = %[3]d
  url                  = %[4]q
  send_for_all_actions = false
  actions              = [%[5]q]
  headers              = { Authorization = "Bearer list-read-%[1]d-%[2]d", X-Source = "terraform" }
}
`, i, j, project, url, action)
		}
	}
	return b.String()
}

// TestAccWebhookReadsFromProjectLists: a refresh reads every webhook from
// its project's list (GET /api/webhooks/?project=, one per project, no GET
// by id; webhooks/api.py renders list and detail with WebhookSerializer),
// the state it writes equals an import's (a GET by id) field by field,
// headers included, and drift made outside Terraform is planned as before:
// an edit and a webhook switched off by failed deliveries are updated, a
// deleted one is created again, the others are left alone.
func TestAccWebhookReadsFromProjectLists(t *testing.T) {
	skipUnlessAcc(t)
	// One failed delivery switches a webhook off (WEBHOOK_MAX_CONSECUTIVE_FAILURES).
	env := testenv.Start(t, testenv.Options{WebhookMaxConsecutiveFailures: 1})
	if env.Real {
		t.Skip("counts requests through the stand-in's /_dev hooks")
	}
	dev := env.Dev(t)
	c := testClient(t, env)
	projects := [2]int64{testProject(t, c), testProject(t, c)}
	cfg := webhookListReadConfig(env, projects)
	const (
		edited  = "labelstudio_webhook.p0_0"
		deleted = "labelstudio_webhook.p0_1"
		off     = "labelstudio_webhook.p0_2"
	)
	ids := map[string]*int64{edited: new(int64), deleted: new(int64), off: new(int64)}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  resource.ComposeAggregateTestCheckFunc(captureID(edited, ids[edited]), captureID(deleted, ids[deleted]), captureID(off, ids[off])),
			},
			{
				PreConfig:    func() { dev.ResetRequestCounts(t) },
				RefreshState: true,
				Check:        checkReadsServedByLists(t, dev, webhookReads, 2),
			},
			{
				// An import reads by id; its state equals the refreshed one,
				// headers included.
				ResourceName:      edited,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				ResourceName:      "labelstudio_webhook.p1_2",
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				PreConfig: func() {
					if _, err := c.UpdateWebhook(t.Context(), *ids[edited], map[string]any{
						"url": "https://hooks.example.com/changed", "actions": []string{"TASKS_CREATED"},
					}); err != nil {
						t.Fatal(err)
					}
					if err := c.DeleteWebhook(t.Context(), *ids[deleted]); err != nil {
						t.Fatal(err)
					}
					// The project's PATCH sends PROJECT_UPDATED to the
					// receiver that is down: Label Studio switches it off.
					if _, err := c.UpdateProject(t.Context(), projects[0], map[string]any{"description": "patched"}); err != nil {
						t.Fatal(err)
					}
					if wh, err := c.GetWebhook(t.Context(), *ids[off]); err != nil || wh.Fields["is_active"] != false {
						t.Fatalf("after a failed delivery: %v, %v; want the webhook switched off", wh, err)
					}
					dev.ResetRequestCounts(t)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(edited, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(deleted, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(off, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("labelstudio_webhook.p1_0", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(off, tfjsonpath.New("is_active"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(off, tfjsonpath.New("consecutive_failures"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(edited, tfjsonpath.New("url"), knownvalue.StringExact("https://hooks.example.com/0/0")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkProjectCounts(t, "webhooks", c.ListWebhooks, projects, 3, 3),
					// The deleted one was missing from its list: read by id (404).
					func(*terraform.State) error {
						if _, gets, all := webhookReads.counts(t, dev); gets != 1 {
							return fmt.Errorf("%d GETs by id in the drift plan, want 1 (the deleted webhook); counts %v", gets, all)
						}
						return nil
					},
				),
			},
			{Config: cfg, PlanOnly: true},
		},
	})
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
