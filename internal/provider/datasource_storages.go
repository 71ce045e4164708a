package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

var (
	_ datasource.DataSource              = (*storagesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*storagesDataSource)(nil)
)

func newStoragesDataSource() datasource.DataSource { return &storagesDataSource{} }

// storagesDataSource lists every import and export storage of a project, so
// that a CI job can check their sync status or find storages created by hand.
type storagesDataSource struct {
	dataSourceClient
}

type storagesDataSourceModel struct {
	Project  types.Int64           `tfsdk:"project"`
	Storages []storageSummaryModel `tfsdk:"storages"`
}

type storageSummaryModel struct {
	Kind          types.String `tfsdk:"kind"`
	Type          types.String `tfsdk:"type"`
	Direction     types.String `tfsdk:"direction"`
	ID            types.Int64  `tfsdk:"id"`
	Title         types.String `tfsdk:"title"`
	Status        types.String `tfsdk:"status"`
	LastSync      types.String `tfsdk:"last_sync"`
	LastSyncCount types.Int64  `tfsdk:"last_sync_count"`
}

func (d *storagesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_storages"
}

func (d *storagesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists every import and export storage of a project, of every kind, with its sync status: " +
			"to check sync health in CI, or to find storages created in the UI and import them.",
		Attributes: map[string]schema.Attribute{
			"project": schema.Int64Attribute{
				Required:            true,
				MarkdownDescription: "Project ID.",
			},
			"storages": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Import storages first, then export storages, each in the server's order (ascending ID).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"kind": schema.StringAttribute{
						Computed: true,
						MarkdownDescription: "Kind as in the resource type names: " + codeList(kindNames(typeNameOf), "or") +
							" (e.g. `labelstudio_azure_blob_import_storage`); a kind the provider does not know appears under its API type.",
					},
					"type":      schema.StringAttribute{Computed: true, MarkdownDescription: "Storage type as Label Studio's API names it: " + codeList(kindNames(apiKindOf), "or") + "."},
					"direction": schema.StringAttribute{Computed: true, MarkdownDescription: "`import` (Label Studio: source storage) or `export` (target storage)."},
					"id":        schema.Int64Attribute{Computed: true, MarkdownDescription: "Storage ID, unique per type and direction."},
					"title":     schema.StringAttribute{Computed: true, MarkdownDescription: "Storage title; null when unset."},
					"status": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "Sync status: `initialized`, `queued`, `in_progress`, `completed`, `completed_with_errors` or `failed`.",
					},
					"last_sync":       schema.StringAttribute{Computed: true, MarkdownDescription: "When the last successful sync finished; null before the first one."},
					"last_sync_count": schema.Int64Attribute{Computed: true, MarkdownDescription: "Tasks created (import) or annotations written (export) by the last sync; null before the first one."},
				}},
			},
		},
	}
}

func (d *storagesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !requireClient(d.client, &resp.Diagnostics) {
		return
	}
	var model storagesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// Label Studio's all-kinds import list answers [] for a project that
	// does not exist, and the export list a 500 (io_storages/all_api.py):
	// ask for the project first, so that a wrong ID reads as one.
	if _, err := d.client.GetProject(ctx, model.Project.ValueInt64()); err != nil {
		if errors.Is(err, client.ErrNotFound) {
			resp.Diagnostics.AddAttributeError(path.Root("project"), "Project not found",
				fmt.Sprintf("Label Studio has no project %d, or the API key's user cannot see it.", model.Project.ValueInt64()))
		} else {
			resp.Diagnostics.Append(apiErrorDiagnostics(err, apiFailure{summary: fmt.Sprintf("Cannot read project %d", model.Project.ValueInt64())})...)
		}
		return
	}
	model.Storages = []storageSummaryModel{}
	for _, direction := range []client.Direction{client.Import, client.Export} {
		storages, err := d.client.ListAllStorages(ctx, direction, model.Project.ValueInt64())
		if err != nil {
			resp.Diagnostics.Append(apiErrorDiagnostics(err, apiFailure{summary: fmt.Sprintf("Cannot list the %s storages of project %d", direction, model.Project.ValueInt64())})...)
			return
		}
		for _, storage := range storages {
			model.Storages = append(model.Storages, storageSummary(storage, direction))
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

func storageSummary(storage client.Storage, direction client.Direction) storageSummaryModel {
	kind := storage.Type
	if k, ok := storageKindNamed(storage.Type); ok {
		kind = k.typeName
	}
	return storageSummaryModel{
		Kind:          types.StringValue(kind),
		Type:          types.StringValue(storage.Type),
		Direction:     types.StringValue(string(direction)),
		ID:            types.Int64Value(storage.ID),
		Title:         types.StringPointerValue(storage.Title),
		Status:        types.StringValue(storage.Status),
		LastSync:      types.StringPointerValue(storage.LastSync),
		LastSyncCount: types.Int64PointerValue(storage.LastSyncCount),
	}
}
