package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

func TestAccStoragesDataSource(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	importDir := testenv.LocalDir(t, env, "incoming")
	exportDir := testenv.LocalDir(t, env, "annotations")

	project := testAccProviderConfig(env) + `
resource "labelstudio_project" "test" {
  title = "Storages"
}
`
	withStorages := project + fmt.Sprintf(`
resource "labelstudio_local_import_storage" "incoming" {
  project = labelstudio_project.test.id
  title   = "Incoming"
  path    = %q
}

resource "labelstudio_local_export_storage" "annotations" {
  project = labelstudio_project.test.id
  path    = %q
}

data "labelstudio_storages" "test" {
  project    = labelstudio_project.test.id
  depends_on = [labelstudio_local_import_storage.incoming, labelstudio_local_export_storage.annotations]
}
`, importDir, exportDir)

	syncStatus := knownvalue.StringRegexp(regexp.MustCompile(`^(initialized|queued|in_progress|completed|completed_with_errors|failed)$`))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: project + `
data "labelstudio_storages" "test" {
  project = labelstudio_project.test.id
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.labelstudio_storages.test", tfjsonpath.New("storages"), knownvalue.ListExact([]knownvalue.Check{})),
				},
			},
			{
				Config: withStorages,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.labelstudio_storages.test", tfjsonpath.New("storages"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"kind":            knownvalue.StringExact("local"),
							"type":            knownvalue.StringExact("localfiles"),
							"direction":       knownvalue.StringExact("import"),
							"id":              knownvalue.NotNull(),
							"title":           knownvalue.StringExact("Incoming"),
							"status":          knownvalue.StringExact("initialized"),
							"last_sync":       knownvalue.Null(),
							"last_sync_count": knownvalue.Null(),
						}),
						// Creating an export storage starts a sync, so its
						// bookkeeping depends on how far that got.
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"kind":      knownvalue.StringExact("local"),
							"type":      knownvalue.StringExact("localfiles"),
							"direction": knownvalue.StringExact("export"),
							"id":        knownvalue.NotNull(),
							"title":     knownvalue.Null(),
							"status":    syncStatus,
						}),
					})),
					statecheck.CompareValuePairs("data.labelstudio_storages.test", tfjsonpath.New("storages").AtSliceIndex(0).AtMapKey("id"),
						"labelstudio_local_import_storage.incoming", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs("data.labelstudio_storages.test", tfjsonpath.New("storages").AtSliceIndex(1).AtMapKey("id"),
						"labelstudio_local_export_storage.annotations", tfjsonpath.New("id"), compare.ValuesSame()),
				},
			},
		},
	})
}
