package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

var _ resource.ResourceWithModifyPlan = (*storageResource)(nil)

// importBookkeeping are the sync bookkeeping attributes that a PATCH of an
// import storage leaves as they are: only syncs change them.
var importBookkeeping = []struct {
	name  string
	int64 bool
}{
	{name: attrStatus}, {name: attrLastSync}, {name: attrLastSyncCount, int64: true},
	{name: attrLastSyncJob}, {name: attrTraceback}, {name: attrMeta},
}

// ModifyPlan warns about local paths Label Studio would rewrite, and keeps
// an import storage's sync bookkeeping in an in-place update plan instead of
// "(known after apply)", so that a drift plan shows only what drifted.
// Export storages keep theirs unknown: Label Studio may export on update.
// (A validator would warn twice per plan: Terraform validates in both the
// validate and the plan walk.)
func (r *storageResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	for _, f := range r.kind.fieldsFor(r.dir) {
		if f.typ == fieldLocalPath {
			var p localPathValue
			resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(f.name), &p)...)
			if !p.IsNull() && !p.IsUnknown() {
				warnOnNonCanonicalLocalPath(path.Root(f.name), p.ValueString(), &resp.Diagnostics)
			}
		}
	}
	if r.dir != client.Import || req.State.Raw.IsNull() {
		return
	}
	for _, a := range importBookkeeping {
		prior, d := bookkeepingValue(ctx, req.State, a.name, a.int64)
		resp.Diagnostics.Append(d...)
		planned, d := bookkeepingValue(ctx, req.Plan, a.name, a.int64)
		resp.Diagnostics.Append(d...)
		if planned.IsUnknown() {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(a.name), prior)...)
		}
	}
}

// keepPlannedBookkeeping writes an import storage's planned bookkeeping over
// what an update returned: Terraform requires the applied values to match
// the plan, and a sync that finished in between is seen by the next refresh.
func (r *storageResource) keepPlannedBookkeeping(ctx context.Context, plan tfsdk.Plan, state *tfsdk.State) diag.Diagnostics {
	var diags diag.Diagnostics
	if r.dir != client.Import {
		return diags
	}
	for _, a := range importBookkeeping {
		planned, d := bookkeepingValue(ctx, plan, a.name, a.int64)
		diags.Append(d...)
		if !planned.IsUnknown() {
			diags.Append(state.SetAttribute(ctx, path.Root(a.name), planned)...)
		}
	}
	return diags
}

func bookkeepingValue(ctx context.Context, src attributeGetter, name string, isInt64 bool) (attr.Value, diag.Diagnostics) {
	if isInt64 {
		var v types.Int64
		d := src.GetAttribute(ctx, path.Root(name), &v)
		return v, d
	}
	var v types.String
	d := src.GetAttribute(ctx, path.Root(name), &v)
	return v, d
}

// warnOnNonCanonicalLocalPath warns when a local path is written in a form
// Label Studio rewrites (trailing slash, "//", "/./", "..", backslashes):
// equivalent spellings never diff, but importing such a storage plans one
// update that changes nothing.
func warnOnNonCanonicalLocalPath(attrPath path.Path, v string, diags *diag.Diagnostics) {
	canonical := normalizeLocalPath(v)
	if canonical == v || canonical == "" {
		return
	}
	diags.AddAttributeWarning(attrPath, "Local path is not in canonical form",
		fmt.Sprintf("Label Studio stores %q as %q. Both mean the same directory and never show a difference, but an import of this storage plans one update that changes nothing. Write path = %q.", v, canonical, canonical))
}
