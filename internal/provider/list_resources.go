package provider

import (
	"context"
	"fmt"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// List resources (Terraform 1.14+: `list` blocks in .tfquery.hcl files and
// `terraform query`) find what exists in Label Studio, so that
// `terraform query -generate-config-out` can bring it under management. Each
// has the type name of the resource it lists; its results carry the
// resource's identity and, with include_resource, the same state a Read
// would produce.

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
				return &objectListResource[client.Storage]{objectResource[client.Storage]{t: newStorage(kind, dir).objectType()}}
			})
		}
	}
	return out
}

// listConfigSchema is the schema of a list block with one attribute.
func listConfigSchema(description, name string, attribute listschema.Attribute) listschema.Schema {
	return listschema.Schema{MarkdownDescription: description, Attributes: map[string]listschema.Attribute{name: attribute}}
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
