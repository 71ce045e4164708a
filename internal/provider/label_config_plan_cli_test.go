package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/labelconfig"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// A label configuration that Label Studio would refuse fails the plan, with
// Label Studio's reason on label_config: Label Studio is asked at plan time
// (projects/api.py ProjectLabelConfigValidateAPI for an existing project,
// LabelConfigValidateAPI for a new one); when it cannot be asked, the
// provider checks the names offline.
func TestCLILabelConfigCheckedAtPlanTime(t *testing.T) {
	terraformPath, cliConfig := cliPrerequisites(t)

	t.Run("DropsALabelAnAnnotationUses", func(t *testing.T) {
		env := testenv.Start(t, testenv.Options{})
		c := testClient(t, env)
		w := newCLIWorkdir(t, terraformPath, cliConfig, env)
		w.writeFile("main.tf", cliTerraformBlock+labelConfigProject("Pets", petsConfig))
		w.run(0, "apply", "-auto-approve")
		id := w.stateID("labelstudio_project", "pets")
		task := importTask(t, env, c, id, `{"data": {"image": "dog.png"}}`)
		env.CreateAnnotation(t, task, []any{map[string]any{
			"from_name": "pet", "to_name": "image", "type": "choices", "value": map[string]any{"choices": []any{"Dog"}},
		}})

		// Dog is gone from the new configuration.
		withoutDog := strings.Replace(petsConfigWithBird, `    <Choice value="Dog"/>`+"\n", "", 1)
		w.writeFile("main.tf", cliTerraformBlock+labelConfigProject("Pets", withoutDog))
		env.Dev(t).ResetRequestCounts(t)
		out := w.run(1, "plan")
		t.Logf("terraform plan:\n%s", out)
		expectOutput(t, out,
			"Error: Label Studio refuses this label configuration",
			"with labelstudio_project.pets,",
			"label_config = <<-XML",
			fmt.Sprintf("POST /api/projects/%d/validate/", id),
			"These labels still exist in annotations or drafts:",
			"Dog (1 annotation)",
			`Please add labels to tag with name="pet".`,
		)
		out = w.run(1, "apply", "-auto-approve")
		expectOutput(t, out, "Dog (1 annotation)")
		if strings.Contains(out, "Modifying...") {
			t.Errorf("the apply modified the project:\n%s", out)
		}
		if n := env.Dev(t).RequestCounts(t)["PATCH /api/projects/{id}/"]; n != 0 {
			t.Errorf("Label Studio got %d project PATCHes, want none", n)
		}
		p, err := c.GetProject(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := p.Fields["label_config"].(string); !labelconfig.Same(got, petsConfig) {
			t.Errorf("Label Studio holds label_config %s, want the first one", got)
		}

		// With the label kept, the same change of configuration applies.
		w.writeFile("main.tf", cliTerraformBlock+labelConfigProject("Pets", petsConfigWithBird))
		w.run(0, "apply", "-auto-approve")
		w.run(planNoChanges, "plan", "-detailed-exitcode")
	})

	// A new project: Label Studio's create-time check.
	const toNowhere = `<View><Image name="image" value="$image"/><Choices name="pet" toName="picture"><Choice value="Cat"/></Choices></View>`
	t.Run("NewProjectAskedOfLabelStudio", func(t *testing.T) {
		env := testenv.Start(t, testenv.Options{})
		w := newCLIWorkdir(t, terraformPath, cliConfig, env)
		w.writeFile("main.tf", cliTerraformBlock+labelConfigProject("Pets", toNowhere))
		env.Dev(t).ResetRequestCounts(t)
		out := w.run(1, "plan")
		expectWords(t, out, "Error: Label Studio refuses this label configuration", "POST /api/projects/validate/",
			`toName="picture" not found in names: ['image', 'pet']`)
		if n := env.Dev(t).RequestCounts(t)["POST /api/projects/validate/"]; n != 1 {
			t.Errorf("Label Studio got %d create-time checks, want 1", n)
		}
	})

	// Label Studio does not answer the check: the provider checks offline.
	t.Run("LabelStudioDoesNotAnswer", func(t *testing.T) {
		env := testenv.Start(t, testenv.Options{})
		env.Dev(t).AddFault(t, testenv.Fault{Path: "^/api/projects/validate/$", Mode: "drop"})
		w := newCLIWorkdir(t, terraformPath, cliConfig, env)
		w.writeFile("main.tf", strings.Replace(cliTerraformBlock, `provider "labelstudio" {}`, "provider \"labelstudio\" {\n  max_retries = 0\n}", 1)+
			labelConfigProject("Pets", toNowhere))
		out := w.run(1, "plan")
		expectWords(t, out, "Error: Invalid label configuration", `toName="picture" not found in names: ['image', 'pet']`,
			"Label Studio gave no verdict on POST /api/projects/validate/")
	})

	// The provider's own configuration is not known at plan time: no client.
	t.Run("ProviderConfigurationUnknown", func(t *testing.T) {
		env := testenv.Start(t, testenv.Options{})
		w := newCLIWorkdir(t, terraformPath, cliConfig, env)
		dup := `<View><Image name="pet" value="$image"/><Choices name="pet" toName="pet"><Choice value="Cat"/></Choices></View>`
		w.writeFile("main.tf", strings.Replace(cliTerraformBlock, `provider "labelstudio" {}`,
			fmt.Sprintf("resource \"terraform_data\" \"key\" {\n  input = %s\n}\n\nprovider \"labelstudio\" {\n  api_key = terraform_data.key.output\n}", hclString(env.APIKey)), 1)+
			labelConfigProject("Pets", dup))
		out := w.run(1, "plan")
		expectWords(t, out, "Error: Invalid label configuration", "Label config contains non-unique names", "not known until apply")
	})
}

// labelConfigProject is a project named pets with this label configuration.
func labelConfigProject(title, config string) string {
	return fmt.Sprintf(`
resource "labelstudio_project" "pets" {
  title        = %s
  label_config = <<-XML
%s
  XML
}
`, hclString(title), config)
}

// expectWords is expectOutput for messages that Terraform wraps: line breaks
// and runs of spaces count as one space.
func expectWords(t *testing.T, output string, want ...string) {
	t.Helper()
	flat := strings.Join(strings.Fields(output), " ")
	for _, w := range want {
		if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
			t.Errorf("terraform output lacks %q:\n%s", w, output)
		}
	}
}
