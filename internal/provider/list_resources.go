package provider

import (
	"context"
	"fmt"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// List resources (Terraform 1.14+: `list` blocks in .tfquery.hcl files and
// `terraform query`) find what exists in Label Studio, so that
// `terraform query -generate-config-out` can bring it under management. Each
// has the type name of the resource it lists; its results carry the
// resource's identity and, with include_resource, the same state a Read
// would produce.

var (
	_ list.ListResourceWithConfigure = (*storageListResource)(nil)
)

// listResources returns one list resource per storage resource and one per
// object type.
func listResources() []func() list.ListResource {
	out := []func() list.ListResource{
		func() list.ListResource {
			return &objectListResource[client.Project]{objectResource[client.Project]{t: &projectObject}}
		},
		func() list.ListResource {
			return &objectListResource[client.Webhook]{objectResource[client.Webhook]{t: &webhookObject}}
		},
		func() list.ListResource {
			return &objectListResource[client.View]{objectResource[client.View]{t: &viewObject}}
		},
		func() list.ListResource {
			return &objectListResource[client.MLBackend]{objectResource[client.MLBackend]{t: &mlBackendObject}}
		},
	}
	for _, kind := range storageKinds {
		for _, dir := range []client.Direction{client.Import, client.Export} {
			out = append(out, func() list.ListResource {
				row := newStorage(kind, dir)
				return &storageListResource{objectResource: objectResource[client.Storage]{t: row.objectType()}, storageRow: row}
			})
		}
	}
	return out
}

// storageListResource lists a project's storages of one kind and direction
// with one request. It embeds the resource for its name, client and the
// conversion of a storage into state.
type storageListResource struct {
	objectResource[client.Storage]
	*storageRow
}

type storageListConfig struct {
	Project types.Int64 `tfsdk:"project"`
}

func (l *storageListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listConfigSchema(fmt.Sprintf("Lists the %s %s storages of a project, with one request.", l.kind.title, l.dir),
		attrProject, listschema.Int64Attribute{Required: true, MarkdownDescription: "ID of the project whose storages to list."})
}

func (l *storageListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg storageListConfig
	if !startList(ctx, req, stream, l.client, &cfg) {
		return
	}
	storages, err := l.client.ListStorages(ctx, l.kind.apiKind, l.dir, cfg.Project.ValueInt64())
	if err != nil {
		var diags diag.Diagnostics
		l.addAPIError(&diags, "", fmt.Sprintf("Cannot list the %s %s storages of project %d", l.kind.title, l.dir, cfg.Project.ValueInt64()), err, nil)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = listResults(ctx, req, storages, func(st client.Storage) (int64, string) {
		title := ""
		if st.Title != nil {
			title = *st.Title
		}
		return st.ID, title
	}, func(state *tfsdk.State, st client.Storage) diag.Diagnostics {
		return l.applyStorage(state, &st)
	})
}

// listConfigSchema is the schema of a list block with one attribute.
func listConfigSchema(description, name string, attribute listschema.Attribute) listschema.Schema {
	return listschema.Schema{MarkdownDescription: description, Attributes: map[string]listschema.Attribute{name: attribute}}
}

// startList reads a list block's config into cfg and checks that the
// provider has a client; when either fails, the stream reports why.
func startList(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream, c *client.Client, cfg any) bool {
	diags := req.Config.Get(ctx, cfg)
	if !diags.HasError() {
		requireClient(c, &diags)
	}
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return false
	}
	return true
}

// listResults turns listed objects into results: the identity, a display
// name of title and id, and with include_resource the state that toState
// writes into an empty state of the resource's schema.
func listResults[T any](ctx context.Context, req list.ListRequest, items []T,
	describe func(T) (id int64, title string), toState func(*tfsdk.State, T) diag.Diagnostics,
) iter.Seq[list.ListResult] {
	return func(push func(list.ListResult) bool) {
		for i, item := range items {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			id, title := describe(item)
			result := req.NewListResult(ctx)
			result.DisplayName = displayName(title, id)
			result.Diagnostics.Append(setIDIdentity(ctx, result.Identity, id)...)
			if req.IncludeResource {
				state := tfsdk.State{
					Schema: req.ResourceSchema,
					Raw:    tftypes.NewValue(req.ResourceSchema.Type().TerraformType(ctx), nil),
				}
				result.Diagnostics.Append(toState(&state, item)...)
				result.Resource.Raw = state.Raw
			}
			if !push(result) {
				return
			}
		}
	}
}

// displayName is what `terraform query` shows for an object: its title and
// id, or the id alone for an untitled one.
func displayName(title string, id int64) string {
	if title == "" {
		return fmt.Sprintf("id %d", id)
	}
	return fmt.Sprintf("%s (id %d)", title, id)
}
