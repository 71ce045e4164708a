package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

func TestAccProjectDataSource(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	projects := testAccProviderConfig(env) + `
resource "labelstudio_project" "pets" {
  title               = "Pets"
  label_config        = "<View><Image name=\"image\" value=\"$image\"/></View>"
  maximum_annotations = 2
}

resource "labelstudio_project" "twin_a" {
  title = "Twin"
}

resource "labelstudio_project" "twin_b" {
  title = "Twin"
}
`
	byID := projects + `
data "labelstudio_project" "by_id" {
  id = labelstudio_project.pets.id
}

data "labelstudio_project" "by_title" {
  title      = "Pets"
  depends_on = [labelstudio_project.pets]
}
`
	attrsMatch := func(attribute string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.CompareValuePairs("labelstudio_project.pets", tfjsonpath.New(attribute),
				"data.labelstudio_project.by_id", tfjsonpath.New(attribute), compare.ValuesSame()),
			statecheck.CompareValuePairs("labelstudio_project.pets", tfjsonpath.New(attribute),
				"data.labelstudio_project.by_title", tfjsonpath.New(attribute), compare.ValuesSame()),
		}
	}
	var checks []statecheck.StateCheck
	for _, attribute := range []string{"id", "title", "label_config", "maximum_annotations", "sampling", "created_at"} {
		checks = append(checks, attrsMatch(attribute)...)
	}
	checks = append(checks, statecheck.ExpectKnownValue("data.labelstudio_project.by_title",
		tfjsonpath.New("maximum_annotations"), knownvalue.Int64Exact(2)))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: byID, ConfigStateChecks: checks},
			{
				Config: projects + `
data "labelstudio_project" "missing" {
  title = "No such project"
}
`,
				ExpectError: regexp.MustCompile(`No project visible to the API key's user has the title "No such project"`),
			},
			{
				Config: projects + `
data "labelstudio_project" "ambiguous" {
  title = "Twin"
}
`,
				ExpectError: regexp.MustCompile(`2 projects have the title "Twin"`),
			},
			{
				Config: projects + `
data "labelstudio_project" "unknown_id" {
  id = 999999
}
`,
				ExpectError: regexp.MustCompile(`Label Studio has no project 999999`),
			},
		},
	})
}

func TestAccProjectDataSource_needsExactlyOneLookup(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	tests := map[string]struct {
		body string
		want *regexp.Regexp
	}{
		"neither": {``, regexp.MustCompile(`Exactly one of these attributes must be configured: \[id,title\]`)},
		"both":    {"id = 1\n  title = \"Pets\"", regexp.MustCompile(`Invalid Attribute Combination`)},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      testAccProviderConfig(env) + "data \"labelstudio_project\" \"test\" {\n  " + tt.body + "\n}\n",
					ExpectError: tt.want,
				}},
			})
		})
	}
}

// The title lookup asks Label Studio for the titles containing it
// (label_studio/projects/api.py, ProjectFilterSet) instead of walking every
// page of the project list: one list request however many projects exist.
func TestAccProjectDataSourceFiltersOnTheServer(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	if env.Real {
		t.Skip("counts requests with the stand-in's hooks")
	}
	c := testClient(t, env)
	needle := testProjectTitled(t, c, "Needle")
	testProjectTitled(t, c, "Needle in a haystack")
	for i := range 301 { // more than three pages of 100
		testProjectTitled(t, c, fmt.Sprintf("Hay %d", i))
	}
	env.Dev(t).ResetRequestCounts(t)
	config := testAccProviderConfig(env) + `
data "labelstudio_project" "needle" {
  title = "Needle"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.labelstudio_project.needle", tfjsonpath.New("id"), knownvalue.Int64Exact(needle)),
			},
			Check: func(*terraform.State) error {
				counts := env.Dev(t).RequestCounts(t)
				// Each terraform command reads the data source at most once (plan, apply,
				// refresh); walking every page would take four requests per read.
				if n := counts["GET /api/projects/"]; n == 0 || n > 3 {
					return fmt.Errorf("%d project list requests for the lookups: %v", n, counts)
				}
				return nil
			},
		}},
	})
}

// testProjectTitled creates a project with a title for a test.
func testProjectTitled(t *testing.T, c *client.Client, title string) int64 {
	t.Helper()
	p, err := c.CreateProject(t.Context(), map[string]any{"title": title})
	if err != nil {
		t.Fatalf("create project %q: %v", title, err)
	}
	return p.ID
}
