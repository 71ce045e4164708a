package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

var (
	exampleVariable = regexp.MustCompile(`(?m)^variable "([a-z0-9_]+)"`)
	exampleFile     = regexp.MustCompile(`file\("\$\{path\.module\}/([^"]+)"\)`)
)

// TestStorageExamplesPlan plans every storage resource's documentation
// example (with the project example it refers to) against the stand-in, so
// the examples cannot drift from the schemas and validators.
func TestStorageExamplesPlan(t *testing.T) {
	project, err := os.ReadFile("../../examples/resources/labelstudio_project/resource.tf")
	if err != nil {
		t.Fatalf("project example: %v", err)
	}
	for _, kind := range storageKinds {
		for _, dir := range []client.Direction{client.Import, client.Export} {
			typeName := "labelstudio_" + storageTypeName(kind, dir)
			t.Run(typeName, func(t *testing.T) {
				example, err := os.ReadFile(filepath.Join("..", "..", "examples", "resources", typeName, "resource.tf"))
				if err != nil {
					t.Fatalf("example: %v", err)
				}
				variables := config.Variables{}
				for _, m := range exampleVariable.FindAllStringSubmatch(string(example), -1) {
					variables[m[1]] = config.StringVariable("example-" + m[1])
				}
				// The example runs from its own directory, beside stand-ins for
				// the files it reads (a service-account key is JSON).
				dir := t.TempDir()
				for _, m := range exampleFile.FindAllStringSubmatch(string(example), -1) {
					if err := os.WriteFile(filepath.Join(dir, m[1]), []byte(`{"type": "service_account"}`), 0o600); err != nil {
						t.Fatal(err)
					}
				}
				env := testenv.Start(t, testenv.Options{Edition: "enterprise"})
				main := testAccProviderConfig(env) + string(project) + string(example)
				if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(main), 0o600); err != nil {
					t.Fatal(err)
				}
				resource.UnitTest(t, resource.TestCase{
					Steps: []resource.TestStep{{
						// With a configuration directory the factories go on the step.
						ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
						ConfigDirectory:          config.StaticDirectory(dir),
						ConfigVariables:          variables,
						PlanOnly:                 true,
						ExpectNonEmptyPlan:       true,
						ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(typeName+".example", plancheck.ResourceActionCreate),
						}},
					}},
				})
			})
		}
	}
}
