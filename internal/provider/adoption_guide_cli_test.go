package provider

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// adoptionGuide is the guide the AdoptionGuide scenario follows.
const adoptionGuide = "../../templates/guides/bring-an-existing-label-studio-under-terraform.md.tmpl"

// guideStep is the code block that follows `<!-- guide-step: NAME -->` in
// the adoption guide, without its fences.
func guideStep(t *testing.T, name string) string {
	t.Helper()
	guide, err := os.ReadFile(adoptionGuide)
	if err != nil {
		t.Fatalf("read the guide: %v", err)
	}
	step := regexp.MustCompile("(?s)<!-- guide-step: " + regexp.QuoteMeta(name) + " -->\\s*```[a-z]*\\n(.*?)```")
	m := step.FindSubmatch(guide)
	if m == nil {
		t.Fatalf("the guide has no code block after <!-- guide-step: %s -->", name)
	}
	return string(m[1])
}

// testCLIAdoptionGuide follows "Bring an existing Label Studio under
// Terraform" with its own code blocks: list, generate, import, clean plan,
// then the secrets as write-only attributes.
func testCLIAdoptionGuide(t *testing.T, terraformPath, cliConfig string) {
	env := testenv.Start(t, testenv.Options{})
	c := testClient(t, env)
	f := createQueryFixture(t, env, c)
	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	w.env = append(w.env, "TF_VAR_aws_access_key_id="+f.secrets[0], "TF_VAR_aws_secret_access_key="+f.secrets[1])
	w.writeFile("main.tf", cliTerraformBlock)

	// 1. List: the guide's query file, with the fixture's project id.
	query := strings.Replace(guideStep(t, "query"), "project = 42", fmt.Sprintf("project = %d", f.project), 1)
	w.writeFile("adopt.tfquery.hcl", query)
	out := w.run(0, "query")
	expectOutput(t, out,
		fmt.Sprintf("Street scenes (id %d)", f.project),
		fmt.Sprintf("Dashcam uploads (id %d)", f.s3Import))

	// 2. Generate.
	w.run(0, "query", "-generate-config-out=generated.tf")
	generated := w.readFile("generated.tf")
	rejectSecrets(t, "generated.tf", generated, f.secrets)

	// 4. Import, 5. clean plan.
	out = w.run(0, "plan")
	expectOutput(t, out, "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.")
	w.run(0, "apply", "-auto-approve")
	out = w.run(planNoChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out, "No changes.")

	// 6. Secrets: the guide's lines replace the generated null ones in the
	// storage's block.
	secrets := guideStep(t, "secrets")
	for _, line := range strings.Split(strings.TrimSpace(secrets), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		generatedNull := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(name) + `\s*=\s*null( # sensitive)?\n`)
		if !generatedNull.MatchString(generated) {
			t.Fatalf("generated.tf has no %s = null line to replace", name)
		}
		generated = generatedNull.ReplaceAllString(generated, "")
	}
	storageBlock := regexp.MustCompile(`(?s)(resource "labelstudio_s3_import_storage" "street_0" \{\n.*?)(\n\}\n)`)
	if !storageBlock.MatchString(generated) {
		t.Fatalf("generated.tf has no labelstudio_s3_import_storage.street_0 block:\n%s", generated)
	}
	withSecrets := storageBlock.ReplaceAllString(generated, "${1}\n"+strings.ReplaceAll(secrets, "$", "$$")+"${2}")
	w.writeFile("generated.tf", withSecrets)
	w.writeFile("variables.tf", guideStep(t, "variables"))
	out = w.run(planChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out, "labelstudio_s3_import_storage.street_0 will be updated in-place", "Plan: 0 to add, 1 to change, 0 to destroy.")
	rejectSecrets(t, "terraform plan", out, f.secrets)
	w.run(0, "apply", "-auto-approve")
	out = w.run(planNoChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out, "No changes.")
	rejectSecrets(t, "terraform.tfstate", w.readFile("terraform.tfstate"), f.secrets)
}
