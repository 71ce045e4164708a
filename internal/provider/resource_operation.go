package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// attributeGetter is what tfsdk.Config, tfsdk.Plan and tfsdk.State share.
type attributeGetter interface {
	GetAttribute(ctx context.Context, p path.Path, target any) diag.Diagnostics
}

// timeoutsLimit is one of timeouts.Value's methods: Create, Read, Update or
// Delete.
type timeoutsLimit func(timeouts.Value, context.Context, time.Duration) (time.Duration, diag.Diagnostics)

// startOperation begins a resource operation: it checks that the provider
// has a client and bounds ctx by the resource's timeouts.<operation>
// (fallback when the configuration sets none), read from the plan or, for
// read and delete, the state. Problems go to diags, which the caller checks
// before it calls Label Studio; cancel is always safe to call.
func startOperation(ctx context.Context, c *client.Client, from attributeGetter, limit timeoutsLimit, fallback time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	if !requireClient(c, diags) {
		return ctx, func() {}
	}
	var configured timeouts.Value
	if d := from.GetAttribute(ctx, path.Root(attrTimeouts), &configured); d.HasError() {
		diags.Append(d...)
		return ctx, func() {}
	}
	timeout, d := limit(configured, ctx, fallback)
	diags.Append(d...)
	return context.WithTimeout(ctx, timeout)
}

// stateID is the id in a resource's state.
func stateID(ctx context.Context, state tfsdk.State, diags *diag.Diagnostics) types.Int64 {
	var id types.Int64
	diags.Append(state.GetAttribute(ctx, path.Root(attrID), &id)...)
	return id
}
