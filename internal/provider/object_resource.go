package provider

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// One implementation of "a Label Studio API object" with an id of its own:
// create (settled, never repeated, when its answer is lost), read by id,
// update, delete, import by id or identity, timeouts and diagnostics. Each
// object type is one objectType row (the project in project_fields.go, the
// webhook in webhook.go); T is the client's type of the object.

// objectType describes one object type.
type objectType[T any] struct {
	// typeName is the resource type name without the provider prefix.
	typeName string
	// noun names the object in messages: "project", "webhook".
	noun        string
	description string
	// idDescription describes the id attribute.
	idDescription string
	// importHint says where a user sees the id, for a bad import ID.
	importHint string
	// fields are sent on create and update (the computed ones: read only)
	// and read back.
	fields []fieldSpec
	// summaryName names the object in error summaries, after "the" (zero:
	// "Label Studio " and the noun).
	summaryName string
	timeouts    operationTimeouts
	api         objectAPI[T]
	// body builds the request body of a create (priorRaw null) or an
	// update, and returns the secrets in it, in place of the generic
	// requestBody (nil: that one).
	body func(planRaw, configRaw, priorRaw tftypes.Value) (map[string]any, []string, diag.Diagnostics)
	// toState writes an object into state in place of the generic
	// conversion of the fields (nil: that one).
	toState func(state *tfsdk.State, obj *T) diag.Diagnostics
	// settlementKind names the object in the messages of a settled create,
	// e.g. "s3 import storage" (zero: the noun).
	settlementKind string
	// claimPrefix scopes the type's ids among the objects a provider run
	// created or adopted (zero: the noun).
	claimPrefix string
	// beforeCreate runs before the create is sent (nil: nothing); false
	// stops the create, with the reason on diags.
	beforeCreate func(ctx context.Context, c *client.Client, body map[string]any, secrets []string, diags *diag.Diagnostics) bool
	// createErrorSummary heads the error of a failed create (nil:
	// "Cannot create the ...").
	createErrorSummary func(err error) string
	// afterCreate may replace what the create answered (nil: it stands).
	afterCreate func(ctx context.Context, c *client.Client, made *T) *T
	// beforeUpdate runs before an update is sent (nil: nothing); false
	// stops the update, with the reason on diags.
	beforeUpdate func(ctx context.Context, c *client.Client, req resource.UpdateRequest, u objectUpdate, diags *diag.Diagnostics) bool
	// afterUpdate finishes the state (and private state) of a sent update
	// (nil: nothing).
	afterUpdate func(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse, u objectUpdate)
	// apiError reports a failed call in place of the generic diagnostics
	// (nil: those).
	apiError func(diags *diag.Diagnostics, operation, summary string, err error, secrets []string)
	// afterImport adds to an import what the object type needs (nil: none).
	afterImport func(ctx context.Context, resp *resource.ImportStateResponse)
	// sameField compares an asked field with the server's when settling a
	// lost create (nil, or not handled: JSON equality).
	sameField func(name string, asked, got any) (same, handled bool)
	// buildSchema is the resource schema in place of the one built from
	// fields (nil: that one).
	buildSchema func(ctx context.Context) schema.Schema
	// validate checks the configuration beyond each attribute's checks;
	// diags holds what the generic checks found.
	validate func(config objectValue, diags *diag.Diagnostics)
	// adjustPlan warns about or changes a planned create or update (nil:
	// nothing); it runs before checkPlan.
	adjustPlan func(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse)
	// checkPlan checks a planned create or update (prior: the state, none
	// for a create) against the server; c is nil while the provider's
	// configuration is unknown. It reports on diags and changes nothing
	// (nil: no check).
	checkPlan func(ctx context.Context, c *client.Client, plan, prior objectValue, diags *diag.Diagnostics)
	// list is the list resource (`terraform query`).
	list objectList[T]
}

// objectAPI is how the client serves one object type.
type objectAPI[T any] struct {
	// The client's calls, receiver first, so that method expressions such
	// as (*client.Client).GetProject fill them.
	create func(*client.Client, context.Context, map[string]any) (*T, error)
	// read finds one object (client.ErrNotFound: gone).
	read   func(*client.Client, context.Context, objectRef) (*T, error)
	update func(*client.Client, context.Context, int64, map[string]any) (*T, error)
	delete func(*client.Client, context.Context, int64) error
	// candidates lists the objects a create of body could have made.
	candidates func(*client.Client, context.Context, map[string]any) ([]T, error)
	// fields is an object's decoded fields, id included.
	fields func(*T) map[string]any
	// noCreationTime: the objects carry no created_at, so a create first
	// lists the candidates, and settling a lost answer looks only at the
	// objects that were not among them.
	noCreationTime bool
}

// objectRef is what a read gets to find an object: its id and, from the
// prior state, the project it belongs to (0 for a type without one, and on
// import), so that the client can answer from the project's list of such
// objects, one request for all of them.
type objectRef struct {
	ID, Project int64
}

// readByID adapts a client call that reads an object by its id alone.
func readByID[T any](get func(*client.Client, context.Context, int64) (*T, error)) func(*client.Client, context.Context, objectRef) (*T, error) {
	return func(c *client.Client, ctx context.Context, ref objectRef) (*T, error) { return get(c, ctx, ref.ID) }
}

// operationTimeouts are an object type's default timeouts. A zero read
// means the type has no timeouts.read: its reads are bounded by the
// client's request timeouts alone.
type operationTimeouts struct {
	create, read, update, delete time.Duration
}

// sameTimeouts bounds every operation by the same default.
func sameTimeouts(d time.Duration) operationTimeouts {
	return operationTimeouts{create: d, read: d, update: d, delete: d}
}

// objectUpdate is an update about to be sent, for the update hooks.
type objectUpdate struct {
	id      int64
	body    map[string]any
	secrets []string
}

// objectResource serves the object type of its table row, which is chosen
// at run time so that one table can hold many rows of one client type (the
// storages: one per kind and direction).
type objectResource[T any] struct {
	configuredClient
	t *objectType[T]
}

var (
	_ resource.ResourceWithConfigure      = (*projectResource)(nil)
	_ resource.ResourceWithImportState    = (*projectResource)(nil)
	_ resource.ResourceWithValidateConfig = (*projectResource)(nil)
	_ resource.ResourceWithIdentity       = (*projectResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*projectResource)(nil)
)

func (r *objectResource[T]) table() *objectType[T] {
	return r.t
}

func (r *objectResource[T]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.table().typeName
}

func (r *objectResource[T]) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	t := r.table()
	if t.buildSchema != nil {
		resp.Schema = t.buildSchema(ctx)
		return
	}
	resp.Schema = t.schema(ctx)
}

func (r *objectResource[T]) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema(r.table().noun)
}

// ValidateConfig reports numbers that are no integer on their attribute,
// then the object type's own rules.
func (r *objectResource[T]) ValidateConfig(_ context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	resp.Diagnostics.Append(rejectNonIntegers(req.Config.Raw)...)
	t := r.table()
	if t.validate == nil {
		return
	}
	config, diags := readObject(req.Config.Raw)
	resp.Diagnostics.Append(diags...)
	if !diags.HasError() {
		t.validate(config, &resp.Diagnostics)
	}
}

// ModifyPlan runs the object type's plan changes, then its checks against
// the server.
func (r *objectResource[T]) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	t := r.table()
	if req.Plan.Raw.IsNull() {
		return
	}
	if t.adjustPlan != nil {
		t.adjustPlan(ctx, req, resp)
	}
	if t.checkPlan == nil {
		return
	}
	plan, diags := readObject(req.Plan.Raw)
	prior, d := readObject(req.State.Raw)
	diags.Append(d...)
	resp.Diagnostics.Append(diags...)
	if !diags.HasError() {
		t.checkPlan(ctx, r.client, plan, prior, &resp.Diagnostics)
	}
}

func (r *objectResource[T]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	t := r.table()
	ctx, cancel := startOperation(ctx, r.client, req.Plan, timeouts.Value.Create, t.timeouts.create, &resp.Diagnostics)
	defer cancel()

	body, secrets, diags := t.requestBody(req.Plan.Raw, req.Config.Raw, tftypes.Value{})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if t.beforeCreate != nil && !t.beforeCreate(ctx, r.client, body, secrets, &resp.Diagnostics) {
		return
	}
	made, settled, err := t.create(ctx, r.client, body, secrets)
	if err != nil {
		summary := t.summary("create")
		if t.createErrorSummary != nil {
			summary = t.createErrorSummary(err)
		}
		t.addAPIError(&resp.Diagnostics, "create", summary, err, secrets)
		return
	}
	id := t.id(made)
	if settled {
		resp.Diagnostics.AddWarning(fmt.Sprintf("The create's answer was lost; the %s it made was adopted", t.noun),
			fmt.Sprintf("Label Studio's answer to the create never arrived, so the provider looked for the %s instead of creating another, and found %s %d, created just now with this configuration. It is now in state.", t.noun, t.settlementName(), id))
	}
	if t.afterCreate != nil {
		made = t.afterCreate(ctx, r.client, made)
	}
	// State starts from the plan so that timeouts (not a server field) stay.
	resp.State.Raw = req.Plan.Raw.Copy()
	resp.Diagnostics.Append(t.setState(&resp.State, made)...)
	resp.Diagnostics.Append(setIDIdentity(ctx, resp.Identity, id)...)
}

func (r *objectResource[T]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	t := r.table()
	// The timeouts key that bounds the read, for a timeout's advice.
	operation := "read"
	if t.timeouts.read == 0 {
		operation = ""
		if !requireClient(r.client, &resp.Diagnostics) {
			return
		}
	} else {
		var cancel context.CancelFunc
		ctx, cancel = startOperation(ctx, r.client, req.State, timeouts.Value.Read, t.timeouts.read, &resp.Diagnostics)
		defer cancel()
	}

	ref := stateRef(ctx, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// A state written before identities existed has none: the framework
	// wants one after every Read, even one that removes the resource.
	resp.Diagnostics.Append(setIDIdentity(ctx, resp.Identity, ref.ID)...)
	got, err := t.api.read(r.client, ctx, ref)
	if errors.Is(err, client.ErrNotFound) {
		// Deleted outside Terraform: plan to create it again.
		tflog.Info(ctx, "the object is gone from Label Studio; removing it from state", map[string]any{"type": t.typeName, "id": ref.ID})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		t.addAPIError(&resp.Diagnostics, operation, t.summary("read"), err, nil)
		return
	}
	resp.Diagnostics.Append(t.setState(&resp.State, got)...)
}

// stateRef is the reference to the object in state: its id and, when the
// type has one, its project.
func stateRef(ctx context.Context, state tfsdk.State, diags *diag.Diagnostics) objectRef {
	ref := objectRef{ID: stateID(ctx, state, diags).ValueInt64()}
	if _, hasProject := state.Schema.GetAttributes()[attrProject]; hasProject {
		var project types.Int64
		diags.Append(state.GetAttribute(ctx, path.Root(attrProject), &project)...)
		ref.Project = project.ValueInt64()
	}
	return ref
}

func (r *objectResource[T]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	t := r.table()
	ctx, cancel := startOperation(ctx, r.client, req.Plan, timeouts.Value.Update, t.timeouts.update, &resp.Diagnostics)
	defer cancel()

	id := stateID(ctx, req.State, &resp.Diagnostics)
	body, secrets, diags := t.requestBody(req.Plan.Raw, req.Config.Raw, req.State.Raw)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	u := objectUpdate{id: id.ValueInt64(), body: body, secrets: secrets}
	if t.beforeUpdate != nil && !t.beforeUpdate(ctx, r.client, req, u, &resp.Diagnostics) {
		return
	}

	resp.State.Raw = req.Plan.Raw.Copy()
	var got *T
	var err error
	if len(body) == 0 {
		// Only timeouts changed: nothing to send, but show the server's view.
		got, err = t.api.read(r.client, ctx, stateRef(ctx, req.State, &resp.Diagnostics))
	} else {
		got, err = t.api.update(r.client, ctx, id.ValueInt64(), body)
	}
	if err != nil {
		t.addAPIError(&resp.Diagnostics, "update", t.summary("update"), err, secrets)
		return
	}
	resp.Diagnostics.Append(t.setState(&resp.State, got)...)
	if t.afterUpdate != nil {
		t.afterUpdate(ctx, req, resp, u)
	}
	resp.Diagnostics.Append(setIDIdentity(ctx, resp.Identity, id.ValueInt64())...)
}

func (r *objectResource[T]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	t := r.table()
	ctx, cancel := startOperation(ctx, r.client, req.State, timeouts.Value.Delete, t.timeouts.delete, &resp.Diagnostics)
	defer cancel()

	id := stateID(ctx, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	err := t.api.delete(r.client, ctx, id.ValueInt64())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		t.addAPIError(&resp.Diagnostics, "delete", t.summary("delete"), err, nil)
	}
}

// ImportState takes the object's id, from an import ID string or the
// identity.
func (r *objectResource[T]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	t := r.table()
	importByID(ctx, req, resp, t.noun, t.importHint)
	if t.afterImport != nil && !resp.Diagnostics.HasError() {
		t.afterImport(ctx, resp)
	}
}

// create sends the create request; an interrupted request finishes and an
// unknown outcome is settled by looking for the object among those the
// create could have made, never by a second create.
func (r *objectResource[T]) create(ctx context.Context, body map[string]any) (*T, bool, error) {
	return r.table().create(ctx, r.client, body, nil)
}

func (t *objectType[T]) create(ctx context.Context, c *client.Client, body map[string]any, secrets []string) (*T, bool, error) {
	var existing map[int64]bool
	if t.api.noCreationTime {
		before, err := t.api.candidates(c, ctx, body)
		if err != nil {
			return nil, false, err
		}
		existing = make(map[int64]bool, len(before))
		for i := range before {
			existing[t.id(&before[i])] = true
		}
	}
	return createOrSettle(ctx, settlement{
		client:       c,
		resourceType: "labelstudio_" + t.typeName,
		kind:         t.settlementName(),
		claimPrefix:  cmp.Or(t.claimPrefix, t.noun),
		asked:        body,
		secrets:      secrets,
		sameField:    t.sameField,
		existing:     existing,
	}, func(ctx context.Context) (*T, error) {
		return t.api.create(c, ctx, body)
	}, func(ctx context.Context) ([]T, error) {
		return t.api.candidates(c, ctx, body)
	}, t.api.fields)
}

// settlementName names the object in a settled create's messages.
func (t *objectType[T]) settlementName() string {
	return cmp.Or(t.settlementKind, t.noun)
}

// summary heads the error of a failed operation: "Cannot read the storage".
func (t *objectType[T]) summary(operation string) string {
	name := t.summaryName
	if name == "" {
		name = "Label Studio " + t.noun
	}
	return fmt.Sprintf("Cannot %s the %s", operation, name)
}

func (t *objectType[T]) id(obj *T) int64 {
	id, _ := fieldID(t.api.fields(obj))
	return id
}

// schema is the resource schema: id, the fields (each secret with its
// write-only twin and version) and timeouts.
func (t *objectType[T]) schema(ctx context.Context) schema.Schema {
	attributes := map[string]schema.Attribute{
		attrID: schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: t.idDescription,
			PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
		},
		attrTimeouts: checkedTimeouts(timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true})),
	}
	for _, f := range t.fields {
		attributes[f.name] = f.objectAttribute()
		if f.secret {
			attributes[writeOnlyName(f.name)] = f.writeOnlyAttribute()
			attributes[versionName(f.name)] = schema.Int64Attribute{
				CustomType:          wholeNumberType{},
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Version of `%s`: any change sends the current write-only value to Label Studio.", writeOnlyName(f.name)),
				Validators:          []validator.Int64{int64validator.AlsoRequires(path.MatchRoot(writeOnlyName(f.name)))},
			}
		}
	}
	return schema.Schema{MarkdownDescription: t.description, Attributes: attributes}
}

// objectAttribute is the field's resource attribute; a field with a server
// default says what it is.
func (f fieldSpec) objectAttribute() schema.Attribute {
	a := f.attributeSpec(anyDirection)
	a.description = f.description
	switch {
	case a.def == "":
		a.description += " Defaults to empty."
	case a.def != nil:
		a.description += fmt.Sprintf(" Defaults to `%v`.", a.def)
	}
	if f.secret {
		a.description += fmt.Sprintf(" Stored in state (sensitive); `%s` keeps it out of state.", writeOnlyName(f.name))
		a.checks = append(a.checks, conflictsWith(f.typ, writeOnlyName(f.name)))
	}
	return f.typ.resourceAttribute(a)
}

// writeOnlyAttribute is the write-only twin of a secret field, with the
// field's own checks.
func (f fieldSpec) writeOnlyAttribute() schema.Attribute {
	a := attributeSpec{
		name: writeOnlyName(f.name), optional: true, sensitive: true, writeOnly: true,
		description: fmt.Sprintf("Write-only variant of `%s` (Terraform 1.11+): never stored in plan or state. Set `%s` with it and change that number to send a new value.", f.name, versionName(f.name)),
	}
	if f.check != nil {
		a.checks = append(a.checks, f.check)
	}
	a.checks = append(a.checks, conflictsWith(f.typ, f.name), alsoRequiresVersion(f.typ, versionName(f.name)))
	return f.typ.resourceAttribute(a)
}

// conflictsWith and alsoRequiresVersion are the twin's cross-attribute
// checks, as validators of the field's type.
func conflictsWith(typ *fieldType, other string) validator.Describer {
	if typ == fieldStringMap {
		return mapvalidator.ConflictsWith(path.MatchRoot(other))
	}
	return stringvalidator.ConflictsWith(path.MatchRoot(other))
}

func alsoRequiresVersion(typ *fieldType, version string) validator.Describer {
	if typ == fieldStringMap {
		return mapvalidator.AlsoRequires(path.MatchRoot(version))
	}
	return stringvalidator.AlsoRequires(path.MatchRoot(version))
}

// requestBody is the body of a create (no prior state) or of an update,
// which holds only what changed (and the fields always sent), so that an
// update PATCHes nothing it does not have to (a project's label_config
// PATCH is checked against existing annotations). A secret is sent from its
// attribute or its write-only twin when it, or its version, changed. It
// also returns the secret values, for scrubbing messages.
func (t *objectType[T]) requestBody(planRaw, configRaw, priorRaw tftypes.Value) (map[string]any, []string, diag.Diagnostics) {
	if t.body != nil {
		return t.body(planRaw, configRaw, priorRaw)
	}
	in, diags := readBodyInputs(planRaw, configRaw, priorRaw)
	if diags.HasError() {
		return nil, nil, diags
	}
	plan, config, prior, update := in.plan, in.config, in.prior, in.update
	body := map[string]any{}
	var secrets []string
	send := func(f fieldSpec, v tftypes.Value) {
		jsonValue, err := f.typ.toJSON(v)
		if err != nil {
			diags.AddAttributeError(path.Root(f.name), "Unexpected value", fmt.Sprintf("Cannot send %s: %v; this is a bug in the provider.", f.name, err))
		}
		body[f.name] = jsonValue
		if f.secret {
			secrets = append(secrets, secretTexts(jsonValue)...)
		}
	}
	for _, f := range t.fields {
		switch {
		case f.computed:
		case f.secret:
			changed := !plan.attrs[f.name].Equal(prior.attrs[f.name]) || !plan.attrs[versionName(f.name)].Equal(prior.attrs[versionName(f.name)])
			value, set := configuredValue(config, f.name)
			switch {
			case update && !changed:
			case set:
				send(f, value)
			case update:
				body[f.name] = f.typ.empty
			}
		default:
			v := plan.attrs[f.name]
			if !v.IsKnown() || v.IsNull() || update && v.Equal(prior.attrs[f.name]) {
				if update && v.IsNull() && prior.has(f.name) {
					body[f.name] = f.typ.empty
				}
				continue
			}
			send(f, v)
		}
	}
	if update && len(body) > 0 {
		for _, f := range t.fields {
			if _, sent := body[f.name]; !f.alwaysSent || sent {
				continue
			}
			if f.secret {
				if value, set := configuredValue(config, f.name); set {
					send(f, value)
				}
			} else if plan.has(f.name) {
				send(f, plan.attrs[f.name])
			}
		}
	}
	return body, secrets, diags
}

// configuredValue is a secret's configured value, from its attribute or
// its write-only twin.
func configuredValue(config objectValue, name string) (tftypes.Value, bool) {
	for _, attrName := range []string{name, writeOnlyName(name)} {
		if config.has(attrName) {
			return config.attrs[attrName], true
		}
	}
	return tftypes.Value{}, false
}

// secretTexts are the strings in a secret's JSON value, to scrub.
func secretTexts(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case map[string]any:
		var out []string
		for _, elem := range x {
			out = append(out, secretTexts(elem)...)
		}
		return out
	}
	return nil
}

// setState writes what the server returned into state, which holds the
// plan (create, update), the prior state (read) or nothing (list). Text that
// Label Studio stores in another form than sent, and values that mean the
// same as configured, keep the configured spelling; an optional field that
// is not configured stays null while the server holds its empty value; a
// secret whose write-only twin is in use stays out of state.
func (t *objectType[T]) setState(state *tfsdk.State, obj *T) diag.Diagnostics {
	if t.toState != nil {
		return t.toState(state, obj)
	}
	o, diags := readObject(state.Raw)
	if diags.HasError() {
		return diags
	}
	fields := t.api.fields(obj)
	o.set(attrID, t.id(obj))
	for _, f := range t.fields {
		current := o.attrs[f.name]
		if f.secret {
			if _, twin := o.typ.AttributeTypes[writeOnlyName(f.name)]; twin { // the data source has none
				o.set(writeOnlyName(f.name), nil)
			}
			if !f.returnedSecret || o.has(versionName(f.name)) {
				if !current.IsKnown() {
					o.set(f.name, nil)
				}
				continue
			}
		}
		v, err := f.decode(fields[f.name])
		if err != nil {
			diags.AddAttributeError(path.Root(f.name), fmt.Sprintf("Unexpected %s field in Label Studio's response", t.noun),
				fmt.Sprintf("%s %d: field %q is not of the expected type: %v.", t.noun, t.id(obj), f.name, err))
			v = tftypes.NewValue(f.typ.tfType, nil)
		}
		switch {
		case current.IsKnown() && current.IsNull() && !f.required && !f.computed && !f.serverDefault && f.defaults == nil && isEmptyJSON(fields[f.name]):
			v = current
		case f.typ.equivalent != nil && current.IsKnown() && !current.IsNull() && !v.IsNull() && f.typ.equivalent(current, v):
			v = current
		}
		o.attrs[f.name] = keepConfigured(current, v, f.storedForm)
	}
	return append(diags, o.writeTo(&state.Raw)...)
}

// isEmptyJSON reports whether a decoded JSON value is null or empty.
func isEmptyJSON(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// addAPIError reports a failed call: the server's messages about a field
// go on its attribute.
func (t *objectType[T]) addAPIError(diags *diag.Diagnostics, operation, summary string, err error, secrets []string) {
	if t.apiError != nil {
		t.apiError(diags, operation, summary, err, secrets)
		return
	}
	diags.Append(apiErrorDiagnostics(err, apiFailure{summary: summary, operation: operation, secrets: secrets, attribute: t.isAttribute})...)
}

func (t *objectType[T]) isAttribute(name string) bool {
	for _, f := range t.fields {
		if f.name == name && !f.computed {
			return true
		}
	}
	return false
}
