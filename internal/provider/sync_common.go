package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/syncengine"
)

// What the storage sync resource and action share: naming storages,
// turning engine events into progress messages, and results into
// diagnostics.

const (
	defaultSyncTimeout     = 30 * time.Minute
	defaultSyncConcurrency = 4
	maxSyncConcurrency     = 32

	onCompletedWithErrorsWarn = "warn"
	onCompletedWithErrorsFail = "fail"

	// maxTracebackInDiagnostic keeps the end of a long Python traceback,
	// where the exception is.
	maxTracebackInDiagnostic = 2000
	// maxTracebackInState bounds what the results keep.
	maxTracebackInState = 8000
)

// Descriptions shared by the resource's and the action's schemas.
const (
	syncDirectionDescription   = "`import` for an import (source) storage, `export` for an export (target) storage."
	syncPolicyDescription      = "What a sync that ends `completed_with_errors` (some tasks failed validation) means: `warn` (default) or `fail`."
	syncMaxAttemptsDescription = "How many times an import sync that ends `failed` is run in all (default 1, at most 10). " +
		"Import syncs are incremental, so a restart only imports what the failed run missed (large syncs that die midway are a known Label Studio failure). " +
		"Export syncs are run once."
)

const (
	defaultSyncMaxAttempts = 1
	maxSyncMaxAttempts     = 10
)

var pathStorages = path.Root("storages")

// syncStoragesAttribute is the `storages` list of the resource and the
// action. Every schema package's attributes are fwschema attributes, so
// the action's schema takes the resource package's as it is.
func syncStoragesAttribute(description string) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Required:            true,
		MarkdownDescription: description,
		Validators:          []validator.List{listvalidator.SizeAtLeast(1)},
		NestedObject: schema.NestedAttributeObject{
			Attributes: map[string]schema.Attribute{
				"kind":      schema.StringAttribute{Required: true, MarkdownDescription: syncKindDescription()},
				"direction": schema.StringAttribute{Required: true, MarkdownDescription: syncDirectionDescription},
				"id":        schema.Int64Attribute{CustomType: wholeNumberType{}, Required: true, MarkdownDescription: "The storage's `id`."},
			},
		},
	}
}

// validateSyncConfig checks what the resource's and the action's
// configurations share: whole numbers, and each storage of the list.
func validateSyncConfig(ctx context.Context, config tfsdk.Config) diag.Diagnostics {
	diags := rejectNonIntegers(config.Raw)
	var storages types.List
	diags.Append(config.GetAttribute(ctx, pathStorages, &storages)...)
	if diags.HasError() {
		return diags
	}
	diags.Append(validateStorageList(ctx, storages)...)
	return diags
}

// syncSettingsModel is how to sync, as the resource and the action both
// configure it; a null setting means its default.
type syncSettingsModel struct {
	Wait                  types.Bool   `tfsdk:"wait"`
	OnCompletedWithErrors types.String `tfsdk:"on_completed_with_errors"`
	Concurrency           types.Int64  `tfsdk:"concurrency"`
	MaxAttempts           types.Int64  `tfsdk:"max_attempts"`
}

// runSync syncs the storages within timeout and returns the results and
// the diagnostics they call for. progress, when set, also receives every
// progress message.
func runSync(ctx context.Context, c *client.Client, storages []syncStorageModel, settings syncSettingsModel, timeout time.Duration, progress func(msg string)) ([]syncengine.Result, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !requireClient(c, &diags) {
		return nil, diags
	}
	refs, diags := storageRefs(storages)
	if diags.HasError() {
		return nil, diags
	}
	opts := syncengine.Options{Concurrency: defaultSyncConcurrency, MaxAttempts: defaultSyncMaxAttempts}
	if !settings.Concurrency.IsNull() {
		opts.Concurrency = int(settings.Concurrency.ValueInt64())
	}
	if !settings.MaxAttempts.IsNull() {
		opts.MaxAttempts = int(settings.MaxAttempts.ValueInt64())
	}
	policy := onCompletedWithErrorsWarn
	if !settings.OnCompletedWithErrors.IsNull() {
		policy = settings.OnCompletedWithErrors.ValueString()
	}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	engine := syncengine.New(c, opts)
	report := func(ev syncengine.Event) {
		msg := syncProgressMessage(ev)
		if msg == "" {
			return
		}
		tflog.Info(ctx, msg, map[string]any{"storage": describeStorage(ev.Ref), "status": ev.Status})
		if progress != nil {
			progress(msg)
		}
	}
	var results []syncengine.Result
	if settings.Wait.IsNull() || settings.Wait.ValueBool() {
		results = engine.Sync(ctx, refs, report)
	} else {
		results = engine.Start(ctx, refs, report)
	}
	diags.Append(syncResultDiagnostics(results, policy, timeout)...)
	return results, diags
}

// syncStorageModel names one storage to sync.
type syncStorageModel struct {
	Kind      types.String `tfsdk:"kind"`
	Direction types.String `tfsdk:"direction"`
	ID        types.Int64  `tfsdk:"id"`
}

// storageRefs turns the configured storages into engine references.
func storageRefs(storages []syncStorageModel) ([]client.StorageRef, diag.Diagnostics) {
	var diags diag.Diagnostics
	refs := make([]client.StorageRef, 0, len(storages))
	seen := map[client.StorageRef]bool{}
	for _, s := range storages {
		apiKind, ok := apiKindFor(s.Kind.ValueString())
		if !ok {
			diags.AddError("Unknown storage kind", fmt.Sprintf("%q is not a storage kind; use one of %s.", s.Kind.ValueString(), strings.Join(syncKindNames(), ", ")))
			continue
		}
		ref := client.StorageRef{Kind: apiKind, Direction: client.Direction(s.Direction.ValueString()), ID: s.ID.ValueInt64()}
		if seen[ref] {
			diags.AddError("Storage listed twice", fmt.Sprintf("The %s is listed more than once in storages.", describeStorage(ref)))
			continue
		}
		seen[ref] = true
		refs = append(refs, ref)
	}
	return refs, diags
}

// validateStorageList checks each storage of the list (kind, direction, id)
// and reports a storage listed twice, as far as the list is known at
// validation time. Errors go on storages[i], the deepest place Terraform
// can show inside a list, and name the attribute.
func validateStorageList(ctx context.Context, list types.List) diag.Diagnostics {
	var diags diag.Diagnostics
	if list.IsNull() || list.IsUnknown() {
		return diags
	}
	var storages []syncStorageModel
	diags.Append(list.ElementsAs(ctx, &storages, false)...)
	if diags.HasError() {
		return diags
	}
	seen := map[client.StorageRef]int{}
	for i, s := range storages {
		at := pathStorages.AtListIndex(i)
		if k := s.Kind; !k.IsUnknown() {
			if _, ok := apiKindFor(k.ValueString()); !ok {
				diags.AddAttributeError(at, "Invalid storages["+strconv.Itoa(i)+"].kind",
					fmt.Sprintf("storages[%d].kind = %q is not a storage kind; use one of %s.", i, k.ValueString(), strings.Join(syncKindNames(), ", ")))
			}
		}
		if d := s.Direction; !d.IsUnknown() && d.ValueString() != string(client.Import) && d.ValueString() != string(client.Export) {
			diags.AddAttributeError(at, "Invalid storages["+strconv.Itoa(i)+"].direction",
				fmt.Sprintf("storages[%d].direction = %q must be %q or %q.", i, d.ValueString(), client.Import, client.Export))
		}
		if id := s.ID; !id.IsUnknown() && !id.IsNull() && id.ValueInt64() < 1 {
			diags.AddAttributeError(at, "Invalid storages["+strconv.Itoa(i)+"].id",
				fmt.Sprintf("storages[%d].id = %d is not a storage id: it must be at least 1, the id attribute of a storage resource.", i, id.ValueInt64()))
		}
		if s.Kind.IsUnknown() || s.Direction.IsUnknown() || s.ID.IsUnknown() {
			continue
		}
		apiKind, ok := apiKindFor(s.Kind.ValueString())
		if !ok {
			continue
		}
		ref := client.StorageRef{Kind: apiKind, Direction: client.Direction(s.Direction.ValueString()), ID: s.ID.ValueInt64()}
		if first, dup := seen[ref]; dup {
			diags.AddAttributeError(pathStorages.AtListIndex(i), "Storage listed twice",
				fmt.Sprintf("The %s is already listed at index %d.", describeStorage(ref), first))
			continue
		}
		seen[ref] = i
	}
	return diags
}

// describeStorage names a storage the way a user recognises it.
func describeStorage(ref client.StorageRef) string {
	return fmt.Sprintf("%s %s storage %d", ref.Kind, ref.Direction, ref.ID)
}

// syncProgressMessage is the line logged or sent as progress for an event,
// or "" for events not worth a line.
func syncProgressMessage(ev syncengine.Event) string {
	name := describeStorage(ev.Ref)
	switch ev.Kind {
	case syncengine.EventStarted:
		if ev.Attempt > 1 {
			return fmt.Sprintf("Starting the sync of the %s again (attempt %d of %d)", name, ev.Attempt, ev.MaxAttempts)
		}
		return fmt.Sprintf("Starting the sync of the %s", name)
	case syncengine.EventRestart:
		return fmt.Sprintf("Sync of the %s failed (attempt %d of %d)%s; it will be started again, importing only what the failed run missed",
			name, ev.Attempt-1, ev.MaxAttempts, quoteTracebackLine(ev.Result))
	case syncengine.EventUncertainStart:
		return fmt.Sprintf("The sync request for the %s failed (%v); checking whether the sync started instead of starting another", name, ev.Err)
	case syncengine.EventProgress:
		msg := fmt.Sprintf("Sync of the %s: %s", name, ev.Status)
		if ev.LastSyncCount != nil {
			msg += fmt.Sprintf(", %d %s so far", *ev.LastSyncCount, countNoun(ev.Ref.Direction))
		}
		return msg + fmt.Sprintf(" (%s)", ev.Elapsed.Round(time.Second/10))
	case syncengine.EventFinished:
		if ev.Err != nil {
			return fmt.Sprintf("Sync of the %s did not finish: %v", name, ev.Err)
		}
		msg := fmt.Sprintf("Sync of the %s ended %s", name, ev.Status)
		if ev.LastSyncCount != nil {
			msg += fmt.Sprintf(" with %d %s", *ev.LastSyncCount, countNoun(ev.Ref.Direction))
		}
		msg += fmt.Sprintf(" after %s", ev.Elapsed.Round(time.Second/10))
		if ev.Attempt > 1 {
			msg += fmt.Sprintf(" and %d attempts", ev.Attempt)
		}
		return msg
	}
	return ""
}

// countNoun is what last_sync_count counts (API.md §2).
func countNoun(dir client.Direction) string {
	if dir == client.Export {
		return "annotations written"
	}
	return "new tasks"
}

// syncResultDiagnostics turns results into diagnostics: an error for a
// sync that failed or could not be waited for, and for
// completed_with_errors an error or a warning by policy.
func syncResultDiagnostics(results []syncengine.Result, onCompletedWithErrors string, timeout time.Duration) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, res := range results {
		name := describeStorage(res.Ref)
		switch {
		case errors.Is(res.Err, context.DeadlineExceeded):
			diags.AddError("Timed out waiting for a storage sync",
				fmt.Sprintf("The sync of the %s did not finish within the timeout of %s (last status %q). The sync goes on in Label Studio. Raise the timeout, or set wait = false to start syncs without waiting.",
					name, timeout, res.Status))
		case res.Err != nil:
			diags.Append(apiErrorDiagnostics(res.Err, apiFailure{summary: "Storage sync failed", about: "The sync of the " + name + " could not be run: "})...)
		case res.Status == syncengine.StatusFailed:
			diags.AddError("Storage sync failed", fmt.Sprintf("The sync of the %s failed%s.%s", name, attemptsSuffix(res), quoteTraceback(res.Traceback)))
		case res.Status == syncengine.StatusCompletedWithErrors:
			detail := fmt.Sprintf("The sync of the %s completed with errors (%s).%s", name, formatCount(res), quoteTraceback(res.Traceback))
			if onCompletedWithErrors == onCompletedWithErrorsFail {
				diags.AddError("Storage sync completed with errors", detail)
			} else {
				diags.AddWarning("Storage sync completed with errors", detail)
			}
		}
	}
	return diags
}

// attemptsSuffix is " after 3 attempts" when a sync was restarted.
func attemptsSuffix(res syncengine.Result) string {
	if len(res.Attempts) > 1 {
		return fmt.Sprintf(" after %d attempts", len(res.Attempts))
	}
	return ""
}

// quoteTracebackLine is the last line of a failed run's traceback (the
// exception), for a one-line progress message.
func quoteTracebackLine(res *syncengine.Result) string {
	if res == nil || res.Traceback == nil {
		return ""
	}
	return ": " + client.TracebackLastLine(*res.Traceback)
}

func formatCount(res syncengine.Result) string {
	if res.LastSyncCount == nil {
		return "no count reported"
	}
	return fmt.Sprintf("%d %s", *res.LastSyncCount, countNoun(res.Ref.Direction))
}

// quoteTraceback renders the server's traceback for a diagnostic.
func quoteTraceback(traceback *string) string {
	if traceback == nil || strings.TrimSpace(*traceback) == "" {
		return " Label Studio gave no traceback."
	}
	return " Label Studio reported:\n\n" + truncateTraceback(strings.TrimSpace(*traceback), maxTracebackInDiagnostic)
}

// truncateTraceback keeps the last limit bytes (cut at a line start where
// possible): a Python traceback ends with the exception.
func truncateTraceback(traceback string, limit int) string {
	if len(traceback) <= limit {
		return traceback
	}
	tail := traceback[len(traceback)-limit:]
	if i := strings.IndexByte(tail, '\n'); i >= 0 && i < len(tail)/2 {
		tail = tail[i+1:]
	}
	// Do not start inside a UTF-8 sequence.
	for tail != "" && tail[0]&0xC0 == 0x80 {
		tail = tail[1:]
	}
	return fmt.Sprintf("[… %d earlier bytes left out]\n%s", len(traceback)-len(tail), tail)
}
