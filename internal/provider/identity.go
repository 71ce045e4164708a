package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Every resource with an id of its own (the project and each storage) has a
// resource identity of one attribute: that id, the number Label Studio shows.
// Terraform 1.12+ imports by it (`import { identity = { id = 42 } }`) and
// list resources return it; older CLIs ignore it and import by the id string.

const identityAttrID = "id"

// idIdentitySchema is the identity schema of a resource named by its id.
func idIdentitySchema(what string) identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			identityAttrID: identityschema.Int64Attribute{
				RequiredForImport: true,
				// Identity attributes have no MarkdownDescription.
				Description: "The " + what + "'s numeric ID in Label Studio.",
			},
		},
	}
}

// idIdentityModel is the identity object.
type idIdentityModel struct {
	ID types.Int64 `tfsdk:"id"`
}

// setIDIdentity records id as the resource's identity. identity is nil when
// the framework has no identity to fill (it always has one for these
// resources; the check keeps a nil from panicking).
func setIDIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id int64) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.Set(ctx, idIdentityModel{ID: types.Int64Value(id)})
}

// importByID reads the id to import, from the import ID string (`terraform
// import`, or an import block's `id`) or from the identity (an import block's
// `identity`), and sets it in state. A bad import ID string is explained
// with what is imported and where its ID is seen.
func importByID(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse, what, where string) {
	var id int64
	if req.ID != "" {
		parsed, err := strconv.ParseInt(strings.TrimSpace(req.ID), 10, 64)
		if err != nil || parsed <= 0 {
			resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("Expected a %s ID such as 42 (%s), got %q.", what, where, req.ID))
			return
		}
		id = parsed
	} else {
		var identity idIdentityModel
		if req.Identity == nil {
			resp.Diagnostics.AddError("Missing import ID", "Import with the numeric ID, as an import ID string or as identity = { id = 42 }.")
			return
		}
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if identity.ID.IsNull() || identity.ID.IsUnknown() || identity.ID.ValueInt64() <= 0 {
			resp.Diagnostics.AddAttributeError(path.Root(identityAttrID), "Invalid import identity",
				fmt.Sprintf("identity.id must be a positive number known at plan time, e.g. identity = { id = 42 }; got %s.", identity.ID))
			return
		}
		id = identity.ID.ValueInt64()
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(attrID), id)...)
	resp.Diagnostics.Append(setIDIdentity(ctx, resp.Identity, id)...)
}
