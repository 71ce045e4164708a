package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/syncengine"
)

var (
	_ resource.Resource                   = (*storageSyncResource)(nil)
	_ resource.ResourceWithConfigure      = (*storageSyncResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*storageSyncResource)(nil)
	_ resource.ResourceWithValidateConfig = (*storageSyncResource)(nil)
)

var pathResults = path.Root("results")

func newStorageSyncResource() resource.Resource { return &storageSyncResource{} }

// storageSyncResource syncs storages when it is created, when its storages
// change and when its triggers change; it never touches Label Studio on
// read or destroy.
type storageSyncResource struct {
	configuredClient
}

type storageSyncResourceModel struct {
	syncSettingsModel
	ID       types.String   `tfsdk:"id"`
	Storages types.List     `tfsdk:"storages"`
	Triggers types.Map      `tfsdk:"triggers"`
	Results  types.List     `tfsdk:"results"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// syncRunAttrTypes is how one run ended: what a result and each of its
// attempts share.
var syncRunAttrTypes = map[string]attr.Type{
	"status":           types.StringType,
	"last_sync":        types.StringType,
	"last_sync_count":  types.Int64Type,
	"duration_seconds": types.Float64Type,
	"traceback":        types.StringType,
}

// syncResultAttrTypes is the shape of one element of `results`.
var syncResultAttrTypes = merged(syncRunAttrTypes, map[string]attr.Type{
	"kind":      types.StringType,
	"direction": types.StringType,
	"id":        types.Int64Type,
	"project":   types.Int64Type,
	"attempts":  types.ListType{ElemType: types.ObjectType{AttrTypes: syncAttemptAttrTypes}},
})

// syncAttemptAttrTypes is the shape of one run in a result's `attempts`.
var syncAttemptAttrTypes = merged(syncRunAttrTypes, map[string]attr.Type{"error": types.StringType})

// syncRunDescriptions describe the attributes of syncRunAttrTypes.
type syncRunDescriptions struct{ status, lastSync, count, duration, traceback string }

// syncRunAttributes is the schema of syncRunAttrTypes, and more.
func syncRunAttributes(d syncRunDescriptions, more map[string]schema.Attribute) map[string]schema.Attribute {
	return merged(map[string]schema.Attribute{
		"status":           schema.StringAttribute{Computed: true, MarkdownDescription: d.status},
		"last_sync":        schema.StringAttribute{Computed: true, MarkdownDescription: d.lastSync},
		"last_sync_count":  schema.Int64Attribute{Computed: true, MarkdownDescription: d.count},
		"duration_seconds": schema.Float64Attribute{Computed: true, MarkdownDescription: d.duration},
		"traceback":        schema.StringAttribute{Computed: true, MarkdownDescription: d.traceback},
	}, more)
}

// syncRunValues is how one run ended, as values of syncRunAttrTypes, and
// more.
func syncRunValues(status string, lastSync *string, count *int64, duration time.Duration, traceback *string, more map[string]attr.Value) map[string]attr.Value {
	return merged(map[string]attr.Value{
		"status":           stringOrNull(status),
		"last_sync":        types.StringPointerValue(lastSync),
		"last_sync_count":  types.Int64PointerValue(count),
		"duration_seconds": types.Float64Value(duration.Seconds()),
		"traceback":        types.StringPointerValue(truncatedTraceback(traceback)),
	}, more)
}

// merged is base with more added.
func merged[V any](base, more map[string]V) map[string]V {
	out := maps.Clone(base)
	maps.Copy(out, more)
	return out
}

func (r *storageSyncResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_storage_sync"
}

func (r *storageSyncResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Syncs Label Studio storages: imports new objects of import storages as tasks, or writes the project's annotations to export storages, and waits for the syncs to finish. " +
			"A sync runs when the resource is created, when `storages` change and when `triggers` change; reading or destroying the resource never touches Label Studio. " +
			"Import syncs are incremental: objects already imported by the same storage are skipped, nothing is updated or removed.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Random identifier of this sync, new on each replacement.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"storages": syncStoragesAttribute("The storages to sync. Changing the list syncs every storage in it again."),
			"triggers": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Arbitrary values; when any of them changes the resource is replaced, which syncs again. Tie it to what changes the bucket, e.g. an uploaded object's ETag.",
				PlanModifiers: []planmodifier.Map{
					mapplanmodifier.RequiresReplace(),
				},
			},
			"wait": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
				MarkdownDescription: "Wait for every sync to finish (default `true`), bounded by `timeouts`. With `false` the syncs are only started and `results` show the status Label Studio answered with.",
			},
			"on_completed_with_errors": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(onCompletedWithErrorsWarn),
				MarkdownDescription: syncPolicyDescription,
				Validators:          []validator.String{stringvalidator.OneOf(onCompletedWithErrorsWarn, onCompletedWithErrorsFail)},
			},
			"concurrency": schema.Int64Attribute{
				CustomType:          wholeNumberType{},
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(defaultSyncConcurrency),
				MarkdownDescription: fmt.Sprintf("How many storages sync at once (default %d).", defaultSyncConcurrency),
				Validators:          []validator.Int64{int64validator.Between(1, maxSyncConcurrency)},
			},
			"max_attempts": schema.Int64Attribute{
				CustomType:          wholeNumberType{},
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(defaultSyncMaxAttempts),
				MarkdownDescription: syncMaxAttemptsDescription,
				Validators:          []validator.Int64{int64validator.Between(1, maxSyncMaxAttempts)},
			},
			"results": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "How each sync ended, in the order of `storages`.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: syncRunAttributes(syncRunDescriptions{
						status:    "The final status: `completed`, `completed_with_errors` or `failed` (with `wait = false`, the status at the start).",
						lastSync:  "When the sync finished, as Label Studio reports it.",
						count:     "New tasks created (import) or annotations written (export) by this sync.",
						duration:  "Seconds from the sync request to the end being seen.",
						traceback: "Label Studio's error text for a failed sync or one completed with errors (the end of it when very long).",
					}, map[string]schema.Attribute{
						"kind":      schema.StringAttribute{Computed: true, MarkdownDescription: "The storage's API type (`s3`, `azure`, `localfiles`, …)."},
						"direction": schema.StringAttribute{Computed: true, MarkdownDescription: "`import` or `export`."},
						"id":        schema.Int64Attribute{Computed: true, MarkdownDescription: "The storage's id."},
						"project":   schema.Int64Attribute{Computed: true, MarkdownDescription: "The storage's project."},
						"attempts": schema.ListNestedAttribute{
							Computed:            true,
							MarkdownDescription: "Every run of this storage's sync, in order: one unless a failed import sync was started again (`max_attempts`). The attributes above are the last run's.",
							NestedObject: schema.NestedAttributeObject{
								Attributes: syncRunAttributes(syncRunDescriptions{
									status:    "How the run ended.",
									lastSync:  "When the run finished, as Label Studio reports it.",
									count:     "New tasks created (import) or annotations written (export) by the run.",
									duration:  "Seconds from the run's sync request to its end being seen.",
									traceback: "Label Studio's error text for the run, if any (the end of it when very long).",
								}, map[string]schema.Attribute{
									"error": schema.StringAttribute{Computed: true, MarkdownDescription: "Why the run could not be started or waited for, if it could not."},
								}),
							},
						},
					}),
				},
			},
			"timeouts": checkedTimeouts(timeouts.Attributes(ctx, timeouts.Opts{
				Create:            true,
				Update:            true,
				CreateDescription: "How long to wait for the syncs on create (default 30m).",
				UpdateDescription: "How long to wait for the syncs when `storages` change (default 30m).",
			})),
		},
	}
}

// ValidateConfig rejects a storage listed twice once the list is known.
func (r *storageSyncResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	resp.Diagnostics.Append(validateSyncConfig(ctx, req.Config)...)
}

// ModifyPlan keeps the results of the last sync unless one will run: on
// create, when the storages change or on replacement.
func (r *storageSyncResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || len(resp.RequiresReplace) > 0 {
		return
	}
	plan, state := readPlanAndState(ctx, req.Plan, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.Storages.Equal(state.Storages) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, pathResults, state.Results)...)
	}
}

// readPlanAndState reads the planned and the prior model.
func readPlanAndState(ctx context.Context, plan tfsdk.Plan, state tfsdk.State, diags *diag.Diagnostics) (planned, prior storageSyncResourceModel) {
	diags.Append(plan.Get(ctx, &planned)...)
	diags.Append(state.Get(ctx, &prior)...)
	return planned, prior
}

func (r *storageSyncResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan storageSyncResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultSyncTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, err := randomID()
	if err != nil {
		resp.Diagnostics.AddError("Cannot create an id", err.Error())
		return
	}
	plan.ID = types.StringValue(id)
	resp.Diagnostics.Append(r.sync(ctx, &plan, timeout)...)
	// The state is saved even when a sync failed: Terraform then marks the
	// resource tainted, so that the next apply syncs again.
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read changes nothing: the results describe the syncs this resource ran,
// and later syncs or edits of the storages are not drift.
func (r *storageSyncResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state storageSyncResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *storageSyncResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, state := readPlanAndState(ctx, req.Plan, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.Storages.Equal(state.Storages) {
		// Only settings changed (wait, policy, timeouts): no sync.
		plan.Results = state.Results
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultSyncTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.sync(ctx, &plan, timeout)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete leaves Label Studio alone: a sync cannot be undone.
func (r *storageSyncResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

// sync runs the syncs the model names and stores their results in it.
func (r *storageSyncResource) sync(ctx context.Context, m *storageSyncResourceModel, timeout time.Duration) diag.Diagnostics {
	var storages []syncStorageModel
	diags := m.Storages.ElementsAs(ctx, &storages, false)
	if diags.HasError() {
		return diags
	}
	results, runDiags := runSync(ctx, r.client, storages, m.syncSettingsModel, timeout, nil)
	if results != nil {
		list, listDiags := syncResultsValue(results)
		diags.Append(listDiags...)
		m.Results = list
	}
	diags.Append(runDiags...)
	return diags
}

// syncResultsValue is the `results` attribute for engine results.
func syncResultsValue(results []syncengine.Result) (types.List, diag.Diagnostics) {
	objType := types.ObjectType{AttrTypes: syncResultAttrTypes}
	elems := make([]attr.Value, 0, len(results))
	var diags diag.Diagnostics
	attemptType := types.ObjectType{AttrTypes: syncAttemptAttrTypes}
	for _, res := range results {
		attempts := make([]attr.Value, 0, len(res.Attempts))
		for _, a := range res.Attempts {
			errText := types.StringNull()
			if a.Err != nil {
				errText = types.StringValue(a.Err.Error())
			}
			obj, d := types.ObjectValue(syncAttemptAttrTypes, syncRunValues(a.Status, a.LastSync, a.LastSyncCount, a.Duration, a.Traceback,
				map[string]attr.Value{"error": errText}))
			diags.Append(d...)
			attempts = append(attempts, obj)
		}
		attemptList, d := types.ListValue(attemptType, attempts)
		diags.Append(d...)
		project := types.Int64Null()
		if res.Project != 0 {
			project = types.Int64Value(res.Project)
		}
		obj, d := types.ObjectValue(syncResultAttrTypes, syncRunValues(res.Status, res.LastSync, res.LastSyncCount, res.Duration, res.Traceback,
			map[string]attr.Value{
				"kind":      types.StringValue(res.Ref.Kind),
				"direction": types.StringValue(string(res.Ref.Direction)),
				"id":        types.Int64Value(res.Ref.ID),
				"project":   project,
				"attempts":  attemptList,
			}))
		diags.Append(d...)
		elems = append(elems, obj)
	}
	list, d := types.ListValue(objType, elems)
	diags.Append(d...)
	return list, diags
}

// truncatedTraceback bounds a traceback for state.
func truncatedTraceback(traceback *string) *string {
	if traceback == nil {
		return nil
	}
	t := truncateTraceback(*traceback, maxTracebackInState)
	return &t
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func randomID() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
