package provider

import (
	"context"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/labelconfig"
)

// defaultLabelConfig is what Label Studio stores when a project is created
// without a labeling configuration.
const defaultLabelConfig = "<View></View>"

const defaultProjectTimeout = 5 * time.Minute

// projectResource is labelstudio_project, served by the generic object
// resource from projectObject.
type projectResource = objectResource[client.Project]

func newProjectResource() resource.Resource { return &projectResource{t: &projectObject} }

var projectObject = objectType[client.Project]{
	typeName: "project",
	noun:     "project",
	description: "A Label Studio project: its title, labeling configuration and labeling settings. " +
		"Every setting left out keeps Label Studio's default. Deleting a project deletes its tasks, annotations and storages.",
	idDescription: "Project ID; storages take it as `project`.",
	// As shown in the project's URL (/projects/42/).
	importHint: "the number in the project's URL",
	fields:     projectFields,
	timeouts:   sameTimeouts(defaultProjectTimeout),
	api: objectAPI[client.Project]{
		create: (*client.Client).CreateProject,
		read:   readByID((*client.Client).ReadProject),
		update: (*client.Client).UpdateProject,
		delete: (*client.Client).DeleteProject,
		candidates: func(c *client.Client, ctx context.Context, body map[string]any) ([]client.Project, error) {
			// Only projects whose title contains the one asked for (as Label
			// Studio stores it: trimmed) can match.
			title, _ := body["title"].(string)
			return c.ListProjects(ctx, client.ProjectFilter{TitleContains: strings.TrimSpace(title)})
		},
		fields: func(p *client.Project) map[string]any { return p.Fields },
	},
	sameField: sameProjectField,
	validate:  checkControlWeights,
	checkPlan: checkLabelConfigOnServer,
	list: objectList[client.Project]{
		description: "Lists the projects the API key can see.",
		attribute:   "title",
		schema:      listschema.StringAttribute{Optional: true, MarkdownDescription: "Only the projects with exactly this title."},
		summary:     "Cannot list the Label Studio projects",
		fetch: func(ctx context.Context, c *client.Client, filter tftypes.Value) ([]client.Project, error) {
			var title string
			if filter.IsKnown() && !filter.IsNull() {
				_ = filter.As(&title)
			}
			// Label Studio filters titles by "contains, ignoring case"; the
			// exact match is checked here.
			projects, err := c.ListProjects(ctx, client.ProjectFilter{TitleContains: title})
			if err != nil || filter.IsNull() {
				return projects, err
			}
			matching := projects[:0]
			for _, p := range projects {
				if p.Title == title {
					matching = append(matching, p)
				}
			}
			return matching, nil
		},
		title: func(p *client.Project) string { return p.Title },
	},
}

// sameProjectField compares an asked project field with the server's the
// way Label Studio stores it: label_config by meaning, text that Label
// Studio trims or sanitises in its stored form.
func sameProjectField(name string, asked, got any) (same, handled bool) {
	want, isText := asked.(string)
	if !isText {
		return false, false
	}
	if name == "label_config" {
		stored, _ := got.(string)
		return labelconfig.Same(want, stored), true
	}
	form := projectStoredForm(name)
	if form == nil {
		return false, false
	}
	stored, _ := form(want)
	return sameJSON(stored, got), true
}

// projectStoredForm is how Label Studio rewrites the text field name before
// storing it (nil: stored as sent).
func projectStoredForm(name string) storedForm {
	for _, f := range projectSent {
		if f.name == name {
			return f.storedForm
		}
	}
	return nil
}

// addProjectAPIError reports a failed call, the server's messages about a
// project attribute (label_config, a setting) on that attribute.
func addProjectAPIError(diags *diag.Diagnostics, operation, summary string, err error) {
	projectObject.addAPIError(diags, operation, summary, err, nil)
}
