package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/action/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

var (
	_ action.Action                   = (*storageSyncAction)(nil)
	_ action.ActionWithConfigure      = (*storageSyncAction)(nil)
	_ action.ActionWithValidateConfig = (*storageSyncAction)(nil)
	_ action.ActionWithModifyPlan     = (*storageSyncAction)(nil)
)

func newStorageSyncAction() action.Action { return &storageSyncAction{} }

// storageSyncAction syncs storages when Terraform (1.14+) invokes it, for
// example from an action_trigger after a storage or an upload changed,
// and reports each status change as progress.
type storageSyncAction struct {
	actionClient
}

type storageSyncActionModel struct {
	syncSettingsModel
	Storages []syncStorageModel `tfsdk:"storages"`
	Timeouts timeouts.Value     `tfsdk:"timeouts"`
}

func (a *storageSyncAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_storage_sync"
}

func (a *storageSyncAction) Schema(ctx context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Syncs Label Studio storages when invoked (Terraform 1.14+), and reports every status change as progress. " +
			"Unlike the labelstudio_storage_sync resource it keeps nothing in state: use it to sync after an upload or a storage change, through an action_trigger.",
		Attributes: map[string]schema.Attribute{
			"storages": syncStoragesAttribute("The storages to sync."),
			"wait": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Wait for every sync to finish (default `true`), bounded by `timeouts.invoke`. With `false` the syncs are only started.",
			},
			"on_completed_with_errors": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: syncPolicyDescription,
				Validators:          []validator.String{stringvalidator.OneOf(onCompletedWithErrorsWarn, onCompletedWithErrorsFail)},
			},
			"concurrency": schema.Int64Attribute{
				CustomType:          wholeNumberType{},
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("How many storages sync at once (default %d).", defaultSyncConcurrency),
				Validators:          []validator.Int64{int64validator.Between(1, maxSyncConcurrency)},
			},
			"max_attempts": schema.Int64Attribute{
				CustomType:          wholeNumberType{},
				Optional:            true,
				MarkdownDescription: syncMaxAttemptsDescription,
				Validators:          []validator.Int64{int64validator.Between(1, maxSyncMaxAttempts)},
			},
			"timeouts": timeouts.AttributesWithOpts(ctx, timeouts.Opts{
				InvokeDescription: "How long to wait for the syncs, e.g. `45m` (default 30m).",
			}),
		},
	}
}

// ValidateConfig rejects a storage listed twice once the list is known.
func (a *storageSyncAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	resp.Diagnostics.Append(validateSyncConfig(ctx, req.Config)...)
}

// ModifyPlan looks up, when Terraform plans the action, every storage whose
// kind, direction and id are known, so that a wrong or deleted storage fails
// the plan instead of an apply that would already have changed other
// resources. Ids of storages created in the same apply are unknown until
// then and are checked by the sync itself.
func (a *storageSyncAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	if a.client == nil { // the provider's url or api_key is not known yet
		return
	}
	var list types.List
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, pathStorages, &list)...)
	if resp.Diagnostics.HasError() || list.IsNull() || list.IsUnknown() {
		return
	}
	var storages []syncStorageModel
	resp.Diagnostics.Append(list.ElementsAs(ctx, &storages, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for i, s := range storages {
		if s.Kind.IsUnknown() || s.Direction.IsUnknown() || s.ID.IsUnknown() || s.ID.IsNull() {
			continue
		}
		apiKind, ok := apiKindFor(s.Kind.ValueString())
		if !ok {
			continue // ValidateConfig has reported it
		}
		ref := client.StorageRef{Kind: apiKind, Direction: client.Direction(s.Direction.ValueString()), ID: s.ID.ValueInt64()}
		_, err := a.client.GetStorage(ctx, ref)
		switch {
		case errors.Is(err, client.ErrNotFound):
			resp.Diagnostics.AddAttributeError(pathStorages.AtListIndex(i), "Storage to sync does not exist",
				fmt.Sprintf("storages[%d] names the %s, which Label Studio does not have: it was deleted, or its id, kind or direction is wrong. "+
					"Take the id from the storage's resource (for example labelstudio_local_import_storage.example.id) or from the labelstudio_storages data source.", i, describeStorage(ref)))
		case err != nil:
			resp.Diagnostics.Append(apiErrorDiagnostics(err, apiFailure{
				summary: "Cannot check the storages to sync",
				about:   fmt.Sprintf("storages[%d], the %s: ", i, describeStorage(ref)),
			})...)
		}
	}
}

func (a *storageSyncAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg storageSyncActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := cfg.Timeouts.Invoke(ctx, defaultSyncTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	_, diags = runSync(ctx, a.client, cfg.Storages, cfg.syncSettingsModel, timeout, func(msg string) {
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	})
	resp.Diagnostics.Append(diags...)
}
