package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// Operation timeouts used when the configuration sets none.
const (
	defaultStorageCreateTimeout = 10 * time.Minute
	defaultStorageUpdateTimeout = 10 * time.Minute
	defaultStorageDeleteTimeout = 5 * time.Minute
)

var (
	_ resource.ResourceWithConfigure      = (*storageResource)(nil)
	_ resource.ResourceWithImportState    = (*storageResource)(nil)
	_ resource.ResourceWithIdentity       = (*storageResource)(nil)
	_ resource.ResourceWithValidateConfig = (*storageResource)(nil)
)

// storageResource is the one implementation behind every storage resource;
// kind and dir select its row of the table in storage_kinds.go.
type storageResource struct {
	kind   storageKind
	dir    client.Direction
	client *client.Client
}

func newStorageResource(kind storageKind, dir client.Direction) func() resource.Resource {
	return func() resource.Resource { return &storageResource{kind: kind, dir: dir} }
}

// storageTypeName is the resource type name without the provider prefix.
func storageTypeName(kind storageKind, dir client.Direction) string {
	return kind.typeName + "_" + string(dir) + "_storage"
}

func (r *storageResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + storageTypeName(r.kind, r.dir)
}

func (r *storageResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = storageSchema(ctx, r.kind, r.dir)
}

func (r *storageResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("storage")
}

func (r *storageResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks the rules that span several attributes: credential
// pairs (counting each secret's write-only twin) and regex anchoring.
func (r *storageResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	isSet := func(name string) bool {
		for _, attrName := range []string{name, writeOnlyName(name)} {
			var v types.String
			resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(attrName), &v)...)
			if !v.IsNull() {
				return true
			}
		}
		return false
	}

	for _, group := range r.kind.requiredTogether {
		var given, missing []string
		for _, name := range group {
			if isSet(name) {
				given = append(given, name)
			} else {
				missing = append(missing, name)
			}
		}
		if len(given) > 0 && len(missing) > 0 {
			for _, name := range missing {
				resp.Diagnostics.AddAttributeError(path.Root(name), "Incomplete credentials",
					fmt.Sprintf("%s is set but %s is not. Label Studio needs %s together (each either as the attribute or its _wo variant), or none of them to use the server's default credentials.",
						strings.Join(given, ", "), name, strings.Join(group, " and ")))
			}
		}
	}
	secretNames := make([]string, 0, len(r.kind.requires))
	for name := range r.kind.requires {
		secretNames = append(secretNames, name)
	}
	sort.Strings(secretNames)
	for _, name := range secretNames {
		if !isSet(name) {
			continue
		}
		for _, needed := range r.kind.requires[name] {
			if !isSet(needed) {
				resp.Diagnostics.AddAttributeError(path.Root(name), "Credentials missing for "+name,
					fmt.Sprintf("%s needs %s as well (each either as the attribute or its _wo variant); remove %s to use the server's default credentials.", name, strings.Join(r.kind.requires[name], " and "), name))
				break
			}
		}
	}

	if r.kind.regexOnFullKey {
		var regex, prefix types.String
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("regex_filter"), &regex)...)
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("prefix"), &prefix)...)
		if !regex.IsNull() && !regex.IsUnknown() && !prefix.IsUnknown() {
			if msg := regexAnchorWarning(regex.ValueString(), prefix.ValueString()); msg != "" {
				resp.Diagnostics.AddAttributeWarning(path.Root("regex_filter"), "regex_filter may match nothing", msg)
			}
		}
	}
}

func (r *storageResource) ref(id int64) client.StorageRef {
	return client.StorageRef{Kind: r.kind.apiKind, Direction: r.dir, ID: id}
}

func (r *storageResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	var tv timeouts.Value
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(attrTimeouts), &tv)...)
	timeout, d := tv.Create(ctx, defaultStorageCreateTimeout)
	resp.Diagnostics.Append(d...)
	body, secrets, d := r.requestBody(ctx, req.Plan, req.Config, nil)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	tflog.Debug(ctx, "validating storage connection before create", map[string]any{"kind": r.kind.apiKind, "direction": string(r.dir)})
	if err := r.client.ValidateStorage(ctx, r.kind.apiKind, r.dir, withoutNulls(body)); err != nil {
		r.addAPIError(&resp.Diagnostics, "Storage connection check failed; nothing was created", err, secrets)
		return
	}
	st, err := r.client.CreateStorage(ctx, r.kind.apiKind, r.dir, body)
	if err != nil {
		r.addAPIError(&resp.Diagnostics, "Cannot create the storage", err, secrets)
		return
	}
	// An export create starts a sync, and its response is built before the
	// sync ran (it always says "queued"); read the storage back so that
	// state shows the real status. The create's answer stands if that fails.
	// Import creates answer with the stored row, so they cost no extra GET.
	if r.dir == client.Export {
		if fresh, err := r.client.GetStorage(ctx, r.ref(st.ID)); err == nil {
			st = fresh
		}
	}
	resp.State.Raw = req.Plan.Raw.Copy()
	resp.Diagnostics.Append(r.applyStorage(ctx, &resp.State, st)...)
	resp.Diagnostics.Append(setIDIdentity(ctx, resp.Identity, st.ID)...)
}

func (r *storageResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	var id types.Int64
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(attrID), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A state written before identities existed has none: the framework
	// wants one after every Read, even one that removes the resource.
	resp.Diagnostics.Append(setIDIdentity(ctx, resp.Identity, id.ValueInt64())...)
	st, err := r.client.GetStorage(ctx, r.ref(id.ValueInt64()))
	if errors.Is(err, client.ErrNotFound) {
		tflog.Info(ctx, "storage is gone from Label Studio; removing it from state", map[string]any{"id": id.ValueInt64()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		r.addAPIError(&resp.Diagnostics, "Cannot read the storage", err, nil)
		return
	}
	resp.Diagnostics.Append(r.applyStorage(ctx, &resp.State, st)...)
}

func (r *storageResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	var id types.Int64
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(attrID), &id)...)
	var tv timeouts.Value
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(attrTimeouts), &tv)...)
	timeout, d := tv.Update(ctx, defaultStorageUpdateTimeout)
	resp.Diagnostics.Append(d...)
	body, secrets, d := r.requestBody(ctx, req.Plan, req.Config, req.State)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	// Validate without id: validate-with-id saves the candidate values on
	// the server for most kinds, which would defeat the check.
	if err := r.client.ValidateStorage(ctx, r.kind.apiKind, r.dir, withoutNulls(body)); err != nil {
		r.addAPIError(&resp.Diagnostics, "Storage connection check failed; nothing was changed", err, secrets)
		return
	}
	st, err := r.client.UpdateStorage(ctx, r.ref(id.ValueInt64()), body)
	if err != nil {
		r.addAPIError(&resp.Diagnostics, "Cannot update the storage", err, secrets)
		return
	}
	resp.State.Raw = req.Plan.Raw.Copy()
	resp.Diagnostics.Append(r.applyStorage(ctx, &resp.State, st)...)
	resp.Diagnostics.Append(setIDIdentity(ctx, resp.Identity, id.ValueInt64())...)
}

func (r *storageResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !requireClient(r.client, &resp.Diagnostics) {
		return
	}
	var id types.Int64
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(attrID), &id)...)
	var tv timeouts.Value
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(attrTimeouts), &tv)...)
	timeout, d := tv.Delete(ctx, defaultStorageDeleteTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	err := r.client.DeleteStorage(ctx, r.ref(id.ValueInt64()))
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		r.addAPIError(&resp.Diagnostics, "Cannot delete the storage", err, nil)
	}
}

func (r *storageResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByID(ctx, req, resp, func(given string) string {
		return fmt.Sprintf("%q is not a storage ID. Import with the numeric ID Label Studio shows for the storage, e.g. 42.", given)
	})
}

// addAPIError turns a failed call into diagnostics: field errors on the
// attribute the server names, other messages as resource-level errors, with
// known server messages translated into what to do. Configured secret values
// are scrubbed from every text.
func (r *storageResource) addAPIError(diags *diag.Diagnostics, summary string, err error, secrets []string) {
	if errors.Is(err, context.DeadlineExceeded) {
		diags.AddError(summary, redactSecrets(fmt.Sprintf("Label Studio did not answer within the operation's timeout (%v). If the server or the storage is slow, raise it in the resource's timeouts attribute, e.g. timeouts = { create = \"20m\", update = \"20m\" }.", err), secrets))
		return
	}
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		diags.AddError(summary, redactSecrets(err.Error(), secrets))
		return
	}
	if r.kind.enterprise && errors.Is(err, client.ErrNotFound) {
		diags.AddError(fmt.Sprintf("labelstudio_%s needs Label Studio Enterprise", storageTypeName(r.kind, r.dir)),
			fmt.Sprintf("The server has no /api/storages/%s routes (404): %s storages exist only in Label Studio Enterprise. On Community Edition use labelstudio_s3_%s_storage with access keys.",
				r.kind.apiKind, r.kind.title, r.dir))
		return
	}

	known := map[string]bool{attrProject: true}
	for _, f := range r.kind.fieldsFor(r.dir) {
		known[f.name] = true
	}
	fieldErrs := apiErr.FieldErrors()
	fields := make([]string, 0, len(fieldErrs))
	for field := range fieldErrs {
		fields = append(fields, field)
	}
	sort.Strings(fields)
	for _, field := range fields {
		msg := redactSecrets(explainServerMessage(strings.Join(fieldErrs[field], " ")), secrets)
		if known[field] {
			diags.AddAttributeError(path.Root(field), summary, msg)
		} else {
			diags.AddError(summary, field+": "+msg)
		}
	}
	for _, msg := range apiErr.Messages() {
		diags.AddError(summary, redactSecrets(explainServerMessage(msg), secrets))
	}
	if len(fieldErrs) == 0 && len(apiErr.Messages()) == 0 {
		diags.AddError(summary, redactSecrets(apiErr.Error(), secrets))
	}
}

// explainServerMessage adds the fix to server messages users trip over.
func explainServerMessage(msg string) string {
	if strings.Contains(msg, "Serving local files can be dangerous") {
		return "Label Studio does not serve local files: set LOCAL_FILES_SERVING_ENABLED=true and LOCAL_FILES_DOCUMENT_ROOT to a parent directory of path in the Label Studio server's environment (LABEL_STUDIO_-prefixed names work too), then restart it. Server message: " + msg
	}
	if strings.Contains(msg, "Error validating storage connection") {
		return msg + ". Label Studio does not say why: check the bucket or container, prefix, path or host, the credentials, and that the Label Studio server can reach the storage."
	}
	return msg
}

// redactSecrets removes configured secret values from a message, in case a
// server echoes one back.
func redactSecrets(msg string, secrets []string) string {
	for _, s := range secrets {
		if len(s) >= 4 {
			msg = strings.ReplaceAll(msg, s, "(sensitive value)")
		}
	}
	return msg
}
