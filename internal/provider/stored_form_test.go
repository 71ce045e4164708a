package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// Label Studio trims title and description and runs expert_instruction
// through bleach (label_studio/projects/serializers.py). Before the provider
// knew, such a configuration failed the apply with "Provider produced
// inconsistent result after apply"; now state keeps the configured text while
// the server holds its stored form, and the next plan is empty.
func TestAccProject_storedFormsKeepTheConfiguredValue(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	api := testClient(t, env)
	const instruction = `<p onclick="steal()">Label <b>every</b> cat.</p><a href="javascript:go()">help</a><foo>`
	config := projectConfig(env, fmt.Sprintf(`
  title              = "  Sanitised pets  "
  description        = "Cats\n"
  expert_instruction = %q
`, instruction))
	var projectID int64
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("title"), knownvalue.StringExact("  Sanitised pets  ")),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("description"), knownvalue.StringExact("Cats\n")),
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("expert_instruction"), knownvalue.StringExact(instruction)),
				},
				Check: func(st *terraform.State) error {
					id, err := strconv.ParseInt(st.RootModule().Resources[projectAddress].Primary.ID, 10, 64)
					if err != nil {
						return err
					}
					projectID = id
					p, err := api.GetProject(context.Background(), projectID)
					if err != nil {
						return err
					}
					stored, _ := p.Fields["expert_instruction"].(string)
					const want = `<p>Label <b>every</b> cat.</p><a>help</a>&lt;foo&gt;`
					if p.Title != "Sanitised pets" || stored != want {
						return fmt.Errorf("server holds title %q, instruction %q; want %q, %q", p.Title, stored, "Sanitised pets", want)
					}
					return nil
				},
			},
			{
				// Refresh and plan again: nothing to do.
				Config:            config,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("expert_instruction"), knownvalue.StringExact(instruction))},
			},
			{
				// Changed outside Terraform to something else: a real difference.
				PreConfig: func() {
					if _, err := api.UpdateProject(context.Background(), projectID, map[string]any{"expert_instruction": "<p>Other</p>"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestWarnStoredFormSaysWhatLabelStudioRemoves(t *testing.T) {
	run := func(form storedForm, value string) string {
		req := planmodifier.StringRequest{Path: path.Root("expert_instruction"), ConfigValue: types.StringValue(value), PlanValue: types.StringValue(value)}
		resp := &planmodifier.StringResponse{PlanValue: req.PlanValue}
		warnStoredForm{form: form}.PlanModifyString(context.Background(), req, resp)
		if resp.Diagnostics.HasError() || !resp.PlanValue.Equal(req.PlanValue) {
			t.Fatalf("the plan modifier changed the plan or failed: %v", resp.Diagnostics)
		}
		if len(resp.Diagnostics) == 0 {
			return ""
		}
		return resp.Diagnostics[0].Summary() + ": " + resp.Diagnostics[0].Detail()
	}
	got := run(sanitisedForm, `<a href="#" onerror=alert(1)>x</a>`)
	for _, want := range []string{"Label Studio will change expert_instruction", "removes the attribute onerror of <a>", `<a href="#">x</a>`} {
		if !strings.Contains(got, want) {
			t.Errorf("warning %q lacks %q", got, want)
		}
	}
	if got := run(sanitisedForm, `<p class="x">Fine</p>`); got != "" {
		t.Errorf("clean HTML warned: %s", got)
	}
	if got := run(trimmedForm, " Pets "); !strings.Contains(got, "removes the leading and trailing whitespace") {
		t.Errorf("title warning %q", got)
	}
}
