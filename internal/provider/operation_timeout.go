package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// timeoutsLimit is one of timeouts.Value's methods: Create, Read, Update or
// Delete.
type timeoutsLimit func(timeouts.Value, context.Context, time.Duration) (time.Duration, diag.Diagnostics)

// withOperationTimeout bounds ctx by the resource's timeouts.<operation>
// (fallback when the configuration sets none), read from the plan or, for
// read and delete, the state. Problems go to diags; cancel is always safe
// to call.
func withOperationTimeout(ctx context.Context, from attributeGetter, limit timeoutsLimit, fallback time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	var configured timeouts.Value
	if d := from.GetAttribute(ctx, path.Root(attrTimeouts), &configured); d.HasError() {
		diags.Append(d...)
		return ctx, func() {}
	}
	timeout, d := limit(configured, ctx, fallback)
	diags.Append(d...)
	return context.WithTimeout(ctx, timeout)
}
