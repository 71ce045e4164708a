package provider

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// batchedProjectsConfig is twelve projects with settings of their own.
func batchedProjectsConfig(env *testenv.Env) string {
	var b strings.Builder
	b.WriteString(testAccProviderConfig(env))
	for i := range 12 {
		fmt.Fprintf(&b, `
resource "labelstudio_project" "p%[1]d" {
  title               = "Batched %[1]d"
  description         = "read with the others"
  expert_instruction  = "<b>label</b> carefully"
  maximum_annotations = %[2]d
  sampling            = "Uniform sampling"
  color               = "#00AA%02[1]d"
  label_config        = "<View><Text name=\"t\" value=\"$text\"/><Choices name=\"c\" toName=\"t\"><Choice value=\"yes\"/></Choices></View>"
}
`, i, i%3+1)
	}
	return b.String()
}

// TestAccProjectReadsBatched: project reads made while another is in flight
// go out together as GET /api/projects/?ids= (projects/api.py,
// ProjectFilterSet), and the state they write equals an import's (a GET by
// id); drift is planned as before: an edit is updated, a project deleted
// outside Terraform created again.
func TestAccProjectReadsBatched(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{})
	if env.Real {
		t.Skip("counts requests through the stand-in's /_dev hooks")
	}
	dev := env.Dev(t)
	c := testClient(t, env)
	cfg := batchedProjectsConfig(env)
	var edited, deleted int64

	// The refresh's first read is held long enough for the others, which
	// Terraform sends at the same time, to wait for it and go out together.
	holdFirstRead := func() {
		dev.ResetRequestCounts(t)
		dev.AddFault(t, testenv.Fault{Method: http.MethodGet, Path: `^/api/projects/[0-9]+/$`, Mode: "slow", DelayMS: 3000, Count: 1})
	}
	// checkBatched: some reads went out together, and (for a refresh alone)
	// the 12 reads cost fewer than 12 requests.
	checkBatched := func(refreshOnly bool) resource.TestCheckFunc {
		return func(*terraform.State) error {
			dev.ClearFaults(t)
			lists, gets, all := projectReads.counts(t, dev)
			t.Logf("12 project reads: %d lists by ids, %d GETs by id", lists, gets)
			if lists == 0 || refreshOnly && gets+lists >= 12 {
				return fmt.Errorf("12 project reads: %d lists by ids and %d GETs by id; want the reads batched (counts %v)", lists, gets, all)
			}
			return nil
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  resource.ComposeAggregateTestCheckFunc(captureID("labelstudio_project.p4", &edited), captureID("labelstudio_project.p7", &deleted)),
			},
			{PreConfig: holdFirstRead, RefreshState: true, Check: checkBatched(true)},
			// Imports read by id alone; their state equals the refreshed
			// one. Of any two projects, at least one came from a list.
			{ResourceName: "labelstudio_project.p4", ImportState: true, ImportStateVerify: true},
			{ResourceName: "labelstudio_project.p7", ImportState: true, ImportStateVerify: true},
			{
				PreConfig: func() {
					if _, err := c.UpdateProject(t.Context(), edited, map[string]any{"title": "Edited outside"}); err != nil {
						t.Fatal(err)
					}
					if err := c.DeleteProject(t.Context(), deleted); err != nil {
						t.Fatal(err)
					}
					holdFirstRead()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("labelstudio_project.p4", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("labelstudio_project.p7", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("labelstudio_project.p0", plancheck.ResourceActionNoop),
				}},
				Check: checkBatched(false),
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}
