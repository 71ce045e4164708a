package provider

import (
	"fmt"
	"net/http"
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

	project := testAccProviderConfig(env) + projectsConfig("Storages")
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

// TestAccStoragesDataSource_slowServer: a data source's failed request is
// reported like a resource's, with the setting to change, not as the
// client's raw error.
func TestAccStoragesDataSource_slowServer(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	dev := env.Dev(t)
	project := testAccProviderConfig(env, `request_timeout = "1s"`, `max_retries = 0`) + projectsConfig("Slow storages")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: project},
			{
				PreConfig: func() {
					dev.AddFault(t, testenv.Fault{Method: http.MethodGet, Path: `^/api/storages/export$`, Mode: "slow", DelayMS: 2500})
				},
				Config: project + `
data "labelstudio_storages" "test" {
  project = labelstudio_project.test.id
}
`,
				ExpectError: wrappedText(`Cannot list the export storages of project \d+ .*did not answer one request within the provider's request_timeout.* raise request_timeout in the provider block, e.g. request_timeout = "2m"\.`),
			},
		},
	})
}
