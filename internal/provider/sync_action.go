package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/action/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/syncengine"
)

var (
	_ action.Action                   = (*storageSyncAction)(nil)
	_ action.ActionWithConfigure      = (*storageSyncAction)(nil)
	_ action.ActionWithValidateConfig = (*storageSyncAction)(nil)
)

func newStorageSyncAction() action.Action { return &storageSyncAction{} }

// storageSyncAction syncs storages when Terraform (1.14+) invokes it, for
// example from an action_trigger after a storage or an upload changed,
// and reports each status change as progress.
type storageSyncAction struct {
	client *client.Client
}

type storageSyncActionModel struct {
	Storages              []syncStorageModel `tfsdk:"storages"`
	Wait                  types.Bool         `tfsdk:"wait"`
	OnCompletedWithErrors types.String       `tfsdk:"on_completed_with_errors"`
	Concurrency           types.Int64        `tfsdk:"concurrency"`
	MaxAttempts           types.Int64        `tfsdk:"max_attempts"`
	Timeouts              timeouts.Value     `tfsdk:"timeouts"`
}

func (a *storageSyncAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_storage_sync"
}

func (a *storageSyncAction) Schema(ctx context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Syncs Label Studio storages when invoked (Terraform 1.14+), and reports every status change as progress. " +
			"Unlike the labelstudio_storage_sync resource it keeps nothing in state: use it to sync after an upload or a storage change, through an action_trigger.",
		Attributes: map[string]schema.Attribute{
			"storages": schema.ListNestedAttribute{
				Required:    true,
				Description: "The storages to sync.",
				Validators:  []validator.List{listvalidator.SizeAtLeast(1)},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"kind": schema.StringAttribute{
							Required:    true,
							Description: syncKindDescription,
						},
						"direction": schema.StringAttribute{
							Required:    true,
							Description: syncDirectionDescription,
						},
						"id": schema.Int64Attribute{
							CustomType:  wholeNumberType{},
							Required:    true,
							Description: "The storage's `id`.",
						},
					},
				},
			},
			"wait": schema.BoolAttribute{
				Optional:    true,
				Description: "Wait for every sync to finish (default `true`), bounded by `timeouts.invoke`. With `false` the syncs are only started.",
			},
			"on_completed_with_errors": schema.StringAttribute{
				Optional:    true,
				Description: syncPolicyDescription,
				Validators:  []validator.String{stringvalidator.OneOf(onCompletedWithErrorsWarn, onCompletedWithErrorsFail)},
			},
			"concurrency": schema.Int64Attribute{
				CustomType:  wholeNumberType{},
				Optional:    true,
				Description: fmt.Sprintf("How many storages sync at once (default %d).", defaultSyncConcurrency),
				Validators:  []validator.Int64{int64validator.Between(1, maxSyncConcurrency)},
			},
			"max_attempts": schema.Int64Attribute{
				CustomType:  wholeNumberType{},
				Optional:    true,
				Description: syncMaxAttemptsDescription,
				Validators:  []validator.Int64{int64validator.Between(1, maxSyncMaxAttempts)},
			},
			"timeouts": timeouts.AttributesWithOpts(ctx, timeouts.Opts{
				InvokeDescription: "How long to wait for the syncs, e.g. `45m` (default 30m).",
			}),
		},
	}
}

func (a *storageSyncAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig rejects a storage listed twice once the list is known.
func (a *storageSyncAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	resp.Diagnostics.Append(rejectNonIntegers(req.Config.Raw)...)
	var storages types.List
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, pathStorages, &storages)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateStorageList(ctx, storages)...)
}

func (a *storageSyncAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg storageSyncActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !requireClient(a.client, &resp.Diagnostics) {
		return
	}
	timeout, diags := cfg.Timeouts.Invoke(ctx, defaultSyncTimeout)
	resp.Diagnostics.Append(diags...)
	refs, refDiags := storageRefs(cfg.Storages)
	resp.Diagnostics.Append(refDiags...)
	if resp.Diagnostics.HasError() {
		return
	}
	concurrency := defaultSyncConcurrency
	if !cfg.Concurrency.IsNull() {
		concurrency = int(cfg.Concurrency.ValueInt64())
	}
	policy := onCompletedWithErrorsWarn
	if !cfg.OnCompletedWithErrors.IsNull() {
		policy = cfg.OnCompletedWithErrors.ValueString()
	}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	maxAttempts := defaultSyncMaxAttempts
	if !cfg.MaxAttempts.IsNull() {
		maxAttempts = int(cfg.MaxAttempts.ValueInt64())
	}
	engine := syncengine.New(a.client, syncengine.Options{Concurrency: concurrency, MaxAttempts: maxAttempts})
	progress := func(ev syncengine.Event) {
		msg := syncProgressMessage(ev)
		if msg == "" {
			return
		}
		tflog.Info(ctx, msg, map[string]any{"storage": describeStorage(ev.Ref), "status": ev.Status})
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}
	var results []syncengine.Result
	if cfg.Wait.IsNull() || cfg.Wait.ValueBool() {
		results = engine.Sync(ctx, refs, progress)
	} else {
		results = engine.Start(ctx, refs, progress)
	}
	resp.Diagnostics.Append(syncResultDiagnostics(results, policy, timeout)...)
}
