package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// Operation timeouts used when the configuration sets none.
const (
	defaultStorageCreateTimeout = 10 * time.Minute
	defaultStorageUpdateTimeout = 10 * time.Minute
	defaultStorageDeleteTimeout = 5 * time.Minute
)

// storageRow is a storage kind in one direction: its row of the table in
// storage_kinds.go, and the object type it gives the generic object
// resource, which serves every storage resource. What only storages need
// (connection checks, credential groups, sync bookkeeping) are the row's
// hooks.
type storageRow struct {
	kind storageKind
	dir  client.Direction
}

func newStorageResource(kind storageKind, dir client.Direction) func() resource.Resource {
	return func() resource.Resource {
		return &objectResource[client.Storage]{t: newStorage(kind, dir).objectType()}
	}
}

func newStorage(kind storageKind, dir client.Direction) *storageRow {
	return &storageRow{kind: kind, dir: dir}
}

// objectType is the storage's row of the generic object table.
func (r *storageRow) objectType() *objectType[client.Storage] {
	kind, dir := r.kind, r.dir
	return &objectType[client.Storage]{
		typeName:    storageTypeName(kind, dir),
		noun:        "storage",
		summaryName: "storage",
		importHint:  "the number Label Studio shows for the storage",
		// Storages have no timeouts.read.
		timeouts: operationTimeouts{create: defaultStorageCreateTimeout, update: defaultStorageUpdateTimeout, delete: defaultStorageDeleteTimeout},
		// The claims of one kind and direction: ids are unique only there.
		settlementKind: kind.apiKind + " " + string(dir) + " storage",
		claimPrefix:    kind.apiKind + "/" + string(dir),
		api: objectAPI[client.Storage]{
			create: func(c *client.Client, ctx context.Context, body map[string]any) (*client.Storage, error) {
				return c.CreateStorage(ctx, kind.apiKind, dir, body)
			},
			// The project in state lets the client answer from the
			// project's list, one request for every storage of the kind
			// there (0 on import: by id).
			read: func(c *client.Client, ctx context.Context, ref objectRef) (*client.Storage, error) {
				storage := r.ref(ref.ID)
				storage.Project = ref.Project
				return c.GetStorage(ctx, storage)
			},
			update: func(c *client.Client, ctx context.Context, id int64, body map[string]any) (*client.Storage, error) {
				return c.UpdateStorage(ctx, r.ref(id), body)
			},
			delete: func(c *client.Client, ctx context.Context, id int64) error { return c.DeleteStorage(ctx, r.ref(id)) },
			// A create could have made any of the project's storages of
			// this kind.
			candidates: func(c *client.Client, ctx context.Context, body map[string]any) ([]client.Storage, error) {
				project, _ := body[attrProject].(int64)
				return c.ListStorages(ctx, kind.apiKind, dir, project)
			},
			fields: func(st *client.Storage) map[string]any { return st.Fields },
		},
		body:               r.requestBody,
		beforeCreate:       r.checkBeforeCreate,
		createErrorSummary: r.createErrorSummary,
		afterCreate:        r.readBackExport,
		apiError:           r.addAPIError,
		toState:            r.applyStorage,
		afterImport: func(ctx context.Context, resp *resource.ImportStateResponse) {
			// Label Studio never returns secrets: until the configuration
			// sends them, the provider does not know which ones the storage
			// holds.
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateSecretsUnknown, []byte("true"))...)
		},
		buildSchema: func(ctx context.Context) schema.Schema { return storageSchema(ctx, kind, dir) },
		list: objectList[client.Storage]{
			description: fmt.Sprintf("Lists the %s %s storages of a project, with one request.", kind.title, dir),
			attribute:   attrProject,
			schema:      listschema.Int64Attribute{Required: true, MarkdownDescription: "ID of the project whose storages to list."},
			summaryFor: func(filter tftypes.Value) string {
				project, _ := int64JSON(filter)
				return fmt.Sprintf("Cannot list the %s %s storages of project %d", kind.title, dir, project)
			},
			fetch: func(ctx context.Context, c *client.Client, filter tftypes.Value) ([]client.Storage, error) {
				project, err := int64JSON(filter)
				if err != nil {
					return nil, err
				}
				return c.ListStorages(ctx, kind.apiKind, dir, project.(int64))
			},
			title: func(st *client.Storage) string {
				if st.Title == nil {
					return ""
				}
				return *st.Title
			},
		},
		validate:     r.validateConfig,
		adjustPlan:   r.adjustPlan,
		beforeUpdate: r.checkUpdate,
		afterUpdate:  r.afterUpdate,
	}
}

// storageTypeName is the resource type name without the provider prefix.
func storageTypeName(kind storageKind, dir client.Direction) string {
	return kind.typeName + "_" + string(dir) + "_storage"
}

// validateConfig checks the rules that span several attributes: credential
// pairs (counting each secret's write-only twin) and regex anchoring. A
// configuration with a number that is no integer is not checked further.
func (r *storageRow) validateConfig(config objectValue, diags *diag.Diagnostics) {
	if diags.HasError() {
		return
	}
	isSet := func(name string) bool {
		return !config.attrs[name].IsNull() || !config.attrs[writeOnlyName(name)].IsNull()
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
				diags.AddAttributeError(path.Root(name), "Incomplete credentials",
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
				diags.AddAttributeError(path.Root(name), "Credentials missing for "+name,
					fmt.Sprintf("%s needs %s as well (each either as the attribute or its _wo variant); remove %s to use the server's default credentials.", name, strings.Join(r.kind.requires[name], " and "), name))
				break
			}
		}
	}

	if regex, prefix := config.attrs["regex_filter"], config.attrs["prefix"]; r.kind.regexOnFullKey && config.has("regex_filter") && prefix.IsKnown() {
		var pattern, prefixText string
		if regex.As(&pattern) == nil && prefix.As(&prefixText) == nil {
			if msg := regexAnchorWarning(pattern, prefixText); msg != "" {
				diags.AddAttributeWarning(path.Root("regex_filter"), "regex_filter may match nothing", msg)
			}
		}
	}
}

func (r *storageRow) ref(id int64) client.StorageRef {
	return client.StorageRef{Kind: r.kind.apiKind, Direction: r.dir, ID: id}
}

// checkBeforeCreate checks the connection before a create that does not
// check it itself. Where Label Studio's create tests the connection, a check
// before it would only repeat it (one more request per storage); a refused
// create (400) made nothing, just as a failed check.
func (r *storageRow) checkBeforeCreate(ctx context.Context, c *client.Client, body map[string]any, secrets []string, diags *diag.Diagnostics) bool {
	if r.createChecksConnection() {
		return true
	}
	tflog.Debug(ctx, "validating storage connection before create", map[string]any{"kind": r.kind.apiKind, "direction": string(r.dir)})
	if err := c.ValidateStorage(ctx, r.kind.apiKind, r.dir, withoutNulls(body)); err != nil {
		r.addAPIError(diags, "create", msgCheckFailedNothingCreated, err, secrets)
		return false
	}
	if ctx.Err() != nil {
		// Interrupted during the check: nothing was sent, nothing made.
		diags.AddError("Cannot create the storage; nothing was created",
			fmt.Sprintf("The operation ended (%v) before the create request was sent.", ctx.Err()))
		return false
	}
	return true
}

// createErrorSummary heads the error of a failed create: a create that
// checks the connection and was refused made nothing.
func (r *storageRow) createErrorSummary(err error) string {
	if r.createChecksConnection() && errors.Is(err, client.ErrValidation) {
		return msgCheckFailedNothingCreated
	}
	return "Cannot create the storage"
}

// readBackExport reads a created export storage back: its create starts a
// sync, and its response is built before the sync ran (it always says
// "queued"), so that state shows the real status. The create's answer
// stands if that fails. Import creates answer with the stored row, so they
// cost no extra GET.
func (r *storageRow) readBackExport(ctx context.Context, c *client.Client, st *client.Storage) *client.Storage {
	if r.dir == client.Export && ctx.Err() == nil {
		if fresh, err := c.GetStorage(ctx, r.ref(st.ID)); err == nil {
			return fresh
		}
	}
	return st
}

// msgCheckFailedNothingCreated is the summary of a create that Label Studio
// refused, by its connection check or the create's own.
const msgCheckFailedNothingCreated = "Storage connection check failed; nothing was created"

// createChecksConnection says whether Label Studio's create of this kind
// and direction tests the connection and refuses the storage on any
// failure: every export view does (io_storages/api.py), and the import
// serializers the kinds table marks importCreateChecks. Enterprise kinds
// keep the separate check: their source is not public.
func (r *storageRow) createChecksConnection() bool {
	return !r.kind.enterprise && (r.dir == client.Export || r.kind.importCreateChecks)
}

// privateSecretsUnknown marks an imported storage whose stored secrets
// Terraform has not sent.
const privateSecretsUnknown = "secrets_unknown"

// checkUpdate checks the connection an update will leave, without side
// effects (API.md §4.3, §4.4), and says whether to go on with the PATCH:
//   - S3: validate with the storage's id, so that the stored secrets fill
//     those the body lacks; Label Studio saves nothing.
//   - the other kinds save the body on validate-with-id, so they are
//     validated without id, which tests only the secrets in the body. When
//     an imported storage may hold secrets the configuration does not give,
//     that test would use the server's ambient credentials and fail a
//     working storage: it is left out. Import storages are then still
//     tested by Label Studio's own PATCH, which fails without saving.
func (r *storageRow) checkUpdate(ctx context.Context, c *client.Client, req resource.UpdateRequest, u objectUpdate, diags *diag.Diagnostics) bool {
	id, body := u.id, u.body
	candidate := withoutNulls(body)
	switch {
	case r.kind.validateWithID:
		candidate["id"] = id
	case r.secretsUnknown(ctx, req.Private, diags) && !r.sendsEverySecret(body):
		tflog.Info(ctx, "connection check skipped: the storage was imported and its secrets are not in the configuration", map[string]any{"id": id})
		if r.dir == client.Export {
			diags.AddWarning("The storage connection was not checked before the update",
				fmt.Sprintf("This storage was imported and its secrets are not in the configuration, so the provider cannot check the connection without "+
					"using the Label Studio server's own credentials, and Label Studio's check by storage ID would save the new settings before they are checked. "+
					"Label Studio does not check export storages on update either. Set the secrets in the configuration (e.g. %s) to have every update checked.",
					strings.Join(r.secretNames(), ", ")))
		}
		return true
	}
	if err := c.ValidateStorage(ctx, r.kind.apiKind, r.dir, candidate); err != nil {
		r.addAPIError(diags, "update", "Storage connection check failed; nothing was changed", err, u.secrets)
		return false
	}
	return true
}

// privateGetter reads a resource's private state.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// secretsUnknown says whether the storage was imported and Terraform has
// not sent its secrets since.
func (r *storageRow) secretsUnknown(ctx context.Context, private privateGetter, diags *diag.Diagnostics) bool {
	mark, d := private.GetKey(ctx, privateSecretsUnknown)
	diags.Append(d...)
	return len(mark) > 0
}

// afterUpdate clears the secrets-unknown mark of an update that sent every
// secret, and keeps the planned sync bookkeeping in state.
func (r *storageRow) afterUpdate(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse, u objectUpdate) {
	if r.secretsUnknown(ctx, req.Private, &resp.Diagnostics) && r.sendsEverySecret(u.body) {
		// Every secret Label Studio holds is now the configured one.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateSecretsUnknown, nil)...)
	}
	resp.Diagnostics.Append(r.keepPlannedBookkeeping(ctx, req.Plan, &resp.State)...)
}

// secretNames are the kind's secret attributes, for messages.
func (r *storageRow) secretNames() []string {
	var out []string
	for _, f := range r.kind.fieldsFor(r.dir) {
		if f.secret {
			out = append(out, writeOnlyName(f.name))
		}
	}
	return out
}

// addAPIError reports a failed call: the server's messages about a field
// of this kind go on its attribute, and on Community Edition an Enterprise
// kind's missing routes read as what they are.
func (r *storageRow) addAPIError(diags *diag.Diagnostics, operation, summary string, err error, secrets []string) {
	if r.kind.enterprise && errors.Is(err, client.ErrNotFound) {
		detail := fmt.Sprintf("The server has no /api/storages/%s routes (404): %s storages exist only in Label Studio Enterprise.", r.kind.apiKind, r.kind.title)
		if alternative := r.kind.communityAlternative; alternative != "" {
			detail += " On Community Edition use " + fmt.Sprintf(alternative, r.dir) + "."
		}
		diags.AddError(fmt.Sprintf("labelstudio_%s needs Label Studio Enterprise", storageTypeName(r.kind, r.dir)), detail)
		return
	}
	diags.Append(apiErrorDiagnostics(err, apiFailure{summary: summary, operation: operation, secrets: secrets, attribute: r.isAttribute})...)
}

// isAttribute reports whether a request field is an attribute of this kind.
func (r *storageRow) isAttribute(field string) bool {
	if field == attrProject {
		return true
	}
	for _, f := range r.kind.fieldsFor(r.dir) {
		if f.name == field {
			return true
		}
	}
	return false
}
