package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

var (
	_ datasource.DataSource                     = (*projectDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*projectDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*projectDataSource)(nil)
)

func newProjectDataSource() datasource.DataSource { return &projectDataSource{} }

// projectDataSource looks up one project by ID or by exact title, e.g. to
// attach storages to a project that another team manages.
type projectDataSource struct {
	dataSourceClient
}

func (d *projectDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_project"
}

func (d *projectDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := map[string]schema.Attribute{
		"id": schema.Int64Attribute{
			Optional: true, Computed: true,
			MarkdownDescription: "Project ID. Set exactly one of `id` and `title`.",
		},
		"title": schema.StringAttribute{
			Optional: true, Computed: true,
			MarkdownDescription: "Exact project title. Set exactly one of `id` and `title`; it is an error when no project or more than one project has this title.",
		},
		"label_config": schema.StringAttribute{
			CustomType:          labelConfigType{},
			Computed:            true,
			MarkdownDescription: "Labeling configuration, as XML.",
		},
		"created_at": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "When the project was created (ISO 8601).",
		},
	}
	for _, setting := range projectSettings {
		attributes[setting.name] = setting.dataSourceAttribute()
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a Label Studio project by ID or by exact title.",
		Attributes:          attributes,
	}
}

func (d *projectDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("title")),
	}
}

func (d *projectDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !requireClient(d.client, &resp.Diagnostics) {
		return
	}
	var id types.Int64
	var title types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("title"), &title)...)
	if resp.Diagnostics.HasError() {
		return
	}

	projectID := id.ValueInt64()
	if id.IsNull() {
		found, diags := d.findProjectIDByTitle(ctx, title.ValueString())
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		projectID = found
	}

	project, err := d.client.GetProject(ctx, projectID)
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Project not found",
			fmt.Sprintf("Label Studio has no project %d, or the API key's user cannot see it.", projectID))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostics(err, apiFailure{summary: "Cannot read the Label Studio project"})...)
		return
	}
	resp.Diagnostics.Append(setProjectState(ctx, &resp.State, project)...)
}

// findProjectIDByTitle returns the ID of the only project with this exact
// title.
func (d *projectDataSource) findProjectIDByTitle(ctx context.Context, title string) (int64, diag.Diagnostics) {
	var diags diag.Diagnostics
	// The server narrows the list to titles containing this one
	// (case-insensitive); only the exact matches count.
	projects, err := d.client.ListProjects(ctx, client.ProjectFilter{TitleContains: title, Ordering: "id"})
	if err != nil {
		diags.Append(apiErrorDiagnostics(err, apiFailure{summary: "Cannot list Label Studio projects"})...)
		return 0, diags
	}
	var matches []string
	var id int64
	for _, project := range projects {
		if project.Title == title {
			id = project.ID
			matches = append(matches, fmt.Sprint(project.ID))
		}
	}
	switch len(matches) {
	case 0:
		diags.AddAttributeError(path.Root("title"), "Project not found",
			fmt.Sprintf("No project visible to the API key's user has the title %q (titles are matched exactly).", title))
	case 1:
		return id, diags
	default:
		diags.AddAttributeError(path.Root("title"), "Project title is ambiguous",
			fmt.Sprintf("%d projects have the title %q (IDs %s); look the project up by id instead.",
				len(matches), title, strings.Join(matches, ", ")))
	}
	return 0, diags
}
