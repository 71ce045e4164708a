package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// adjustPlan warns about local paths Label Studio would rewrite, and keeps
// a storage's sync bookkeeping (which a PATCH leaves as it is, in both
// directions: only a create and a sync run an export, io_storages/api.py) in
// an in-place update plan instead of "(known after apply)", so that a drift
// plan, or the first plan after an import, shows only what changes.
// (A validator would warn twice per plan: Terraform validates in both the
// validate and the plan walk.)
func (r *storageRow) adjustPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	for _, f := range r.kind.fieldsFor(r.dir) {
		if f.typ != fieldLocalPath {
			continue
		}
		config, d := readObject(req.Config.Raw)
		resp.Diagnostics.Append(d...)
		var configured string
		if config.has(f.name) && config.attrs[f.name].As(&configured) == nil {
			warnOnNonCanonicalLocalPath(path.Root(f.name), configured, &resp.Diagnostics)
		}
	}
	if req.State.Raw.IsNull() {
		return
	}
	resp.Diagnostics.Append(copyBookkeeping(req.State.Raw, &resp.Plan.Raw, func(planned tftypes.Value) bool { return !planned.IsKnown() })...)
}

// keepPlannedBookkeeping writes a storage's planned bookkeeping over what an
// update returned: Terraform requires the applied values to match the plan,
// and a sync (or an export of a new annotation) that finished in between is
// seen by the next refresh.
func (r *storageRow) keepPlannedBookkeeping(_ context.Context, plan tfsdk.Plan, state *tfsdk.State) diag.Diagnostics {
	return copyBookkeeping(plan.Raw, &state.Raw, func(tftypes.Value) bool { return true })
}

// copyBookkeeping copies the known bookkeeping values of from into the
// attributes of *to that replace says to replace.
func copyBookkeeping(from tftypes.Value, to *tftypes.Value, replace func(tftypes.Value) bool) diag.Diagnostics {
	source, diags := readObject(from)
	target, d := readObject(*to)
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	for _, f := range syncBookkeeping {
		if v := source.attrs[f.name]; v.IsKnown() && replace(target.attrs[f.name]) {
			target.attrs[f.name] = v
		}
	}
	return append(diags, target.writeTo(to)...)
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
