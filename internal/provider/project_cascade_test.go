package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// Deleting a project in Label Studio deletes its storages too. The next
// refresh must drop both from state, so the plan creates both again instead
// of failing on the vanished storage.
func TestAccProject_deletedWithItsStorages(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	if env.Real {
		t.Skip("deletes a project on the server; run against the stand-in only")
	}
	api := testClient(t, env)
	dir := testenv.LocalDir(t, env, "cascade")
	testenv.WriteFile(t, dir, "task.json", []byte(`{"text": "hello"}`))

	config := testAccProviderConfig(env) + projectsConfig("Cascade") +
		localStorageBlock(client.Import, "test", "labelstudio_project.test.id", dir)

	var projectID int64
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(projectAddress, tfjsonpath.New("id"), recordInt64(&projectID)),
				},
			},
			{
				PreConfig: func() {
					if err := api.DeleteProject(t.Context(), projectID); err != nil {
						t.Fatalf("deleting the project outside Terraform: %v", err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(projectAddress, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("labelstudio_local_import_storage.test", plancheck.ResourceActionCreate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("labelstudio_local_import_storage.test", tfjsonpath.New("status"), knownvalue.StringExact("initialized")),
				},
			},
			{
				Config:   config,
				PlanOnly: true,
			},
		},
	})
}
