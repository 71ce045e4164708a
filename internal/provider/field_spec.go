package provider

import (
	"encoding/json"
	"fmt"
	"math/big"

	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	rsschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// One field specification serves storages (storage_kinds.go) and project
// settings (project_fields.go): a field is one row, and everything that
// depends on a field's Terraform type is one fieldType value here. Values
// travel as tftypes.Value, read from and written to a whole plan, config
// or state object at once (objectValue), because a path-based
// Get/SetAttribute per field rebuilds the schema's maps every time.

// fieldSpec is one API field exposed as an attribute of the same name.
type fieldSpec struct {
	name        string
	typ         *fieldType
	description string
	// direction restricts a storage field to import or export; "" means both.
	direction client.Direction
	required  bool
	// secret fields are accepted by the server but never returned: they get a
	// Sensitive attribute, a write-only `<name>_wo` twin and `<name>_wo_version`.
	secret bool
	// hidden fields are never returned by the server but are not secret: the
	// configured value is kept in state and never read back.
	hidden bool
	// defaults is the server's default per direction (always: in every
	// one); a field with one is Optional+Computed with that Default so that
	// omitting it never diffs.
	defaults map[client.Direction]any
	// nullReadsAsDefault: the server's column is nullable and Label Studio
	// treats a stored null as the default (recursive_scan of the kinds in
	// io_storages migration 0021), so a null reads as the default and never
	// shows a difference against a configuration that leaves it unset.
	nullReadsAsDefault bool
	// blankWhenUnset: the server stores "" for an unset string and refuses
	// null (databricks), so clearing the field sends "".
	blankWhenUnset bool
	// computed fields are set by the server only.
	computed bool
	// serverDefault marks a field the server fills in with a value we do not
	// know in advance: Optional+Computed, kept from state when not configured.
	serverDefault bool
	// check is the plan-time check beyond the type: a validator of the
	// field's type (validator.String, validator.Int64).
	check validator.Describer
	// storedForm is how Label Studio rewrites a text value before storing it
	// (nil: stored as sent).
	storedForm storedForm
	// forceNew: Label Studio cannot change the field after create, so a
	// change replaces the object.
	forceNew bool
	// alwaysSent fields go into every update that sends anything, changed or
	// not (a webhook PATCH without actions clears them; an ML backend PATCH
	// is checked on its body alone). A secret goes with its configured value.
	alwaysSent bool
	// returnedSecret (with secret): the server returns the value in clear,
	// so state follows it unless the write-only twin is in use.
	returnedSecret bool
}

// anyDirection keys a default that holds in every direction.
const anyDirection client.Direction = ""

func always(v any) map[client.Direction]any { return map[client.Direction]any{anyDirection: v} }

func importOnly(v any) map[client.Direction]any { return map[client.Direction]any{client.Import: v} }

// appliesTo says whether the field exists in a direction.
func (f fieldSpec) appliesTo(dir client.Direction) bool {
	return f.direction == "" || f.direction == dir
}

// defaultFor is the server default in a direction, or nil.
func (f fieldSpec) defaultFor(dir client.Direction) any {
	if v, ok := f.defaults[dir]; ok {
		return v
	}
	return f.defaults[anyDirection]
}

// attributeSpec is the field's schema attribute in a direction, without
// its description.
func (f fieldSpec) attributeSpec(dir client.Direction) attributeSpec {
	def := f.defaultFor(dir)
	a := attributeSpec{
		name: f.name, required: f.required, optional: !f.required && !f.computed, computed: f.computed || def != nil || f.serverDefault,
		sensitive: f.secret, def: def, keepState: f.serverDefault, storedForm: f.storedForm, forceNew: f.forceNew,
	}
	if f.check != nil {
		a.checks = []validator.Describer{f.check}
	}
	return a
}

// decode is the state value of what the server returned for the field (a
// value of client.Storage.Fields or client.Project.Fields).
func (f fieldSpec) decode(server any) (tftypes.Value, error) {
	if server == nil {
		return tftypes.NewValue(f.typ.tfType, nil), nil
	}
	v, err := f.typ.fromJSON(server)
	if err != nil {
		return tftypes.Value{}, err
	}
	return tftypes.NewValue(f.typ.tfType, v), nil
}

// attributeSpec is what a schema attribute is made of, whatever its type.
type attributeSpec struct {
	name                                    string
	required, optional, computed, sensitive bool
	description                             string
	def                                     any
	// keepState keeps the prior state's value while the plan has none.
	keepState  bool
	storedForm storedForm
	checks     []validator.Describer
	// forceNew replaces the object when the value changes.
	forceNew bool
	// writeOnly is a write-only twin: never in plan or state.
	writeOnly bool
}

// fieldType is a Terraform type of fields.
type fieldType struct {
	tfType              tftypes.Type
	resourceAttribute   func(attributeSpec) rsschema.Attribute
	dataSourceAttribute func(attributeSpec) dsschema.Attribute
	// toJSON is the JSON form of a known, non-null value.
	toJSON func(tftypes.Value) (any, error)
	// fromJSON is the Go value (for tftypes.NewValue) of a decoded,
	// non-null JSON value.
	fromJSON func(any) (any, error)
	// equivalent says whether two known values mean the same to Label
	// Studio, so that state keeps the configured spelling (nil: equality).
	equivalent func(configured, server tftypes.Value) bool
	// empty is the JSON value that clears the field on an update.
	empty any
}

var (
	fieldString = &fieldType{
		tfType:              tftypes.String,
		resourceAttribute:   func(a attributeSpec) rsschema.Attribute { return stringAttribute(a, nil) },
		dataSourceAttribute: stringDataSourceAttribute,
		toJSON:              goValue[string],
		// Numbers are accepted because Label Studio coerces the Redis port.
		fromJSON: func(v any) (any, error) {
			if n, ok := v.(json.Number); ok {
				return n.String(), nil
			}
			return expectJSON[string](v)
		},
	}
	// fieldLocalPath is a string the server normalises (see localPathType).
	fieldLocalPath = &fieldType{
		tfType:              tftypes.String,
		resourceAttribute:   func(a attributeSpec) rsschema.Attribute { return stringAttribute(a, localPathType{}) },
		dataSourceAttribute: stringDataSourceAttribute,
		toJSON: func(v tftypes.Value) (any, error) {
			var s string
			err := v.As(&s)
			return normalizeLocalPath(s), err
		},
		fromJSON: expectJSON[string],
	}
	// fieldLabelConfig is an XML document compared by meaning (see
	// labelConfigType).
	fieldLabelConfig = &fieldType{
		tfType: tftypes.String,
		resourceAttribute: func(a attributeSpec) rsschema.Attribute {
			attribute := stringAttribute(a, labelConfigType{})
			attribute.PlanModifiers = append(attribute.PlanModifiers, keepLabelConfigFormatting{})
			return attribute
		},
		dataSourceAttribute: stringDataSourceAttribute,
		toJSON:              goValue[string],
		fromJSON:            expectJSON[string],
	}
	fieldBool = &fieldType{
		tfType: tftypes.Bool,
		resourceAttribute: func(a attributeSpec) rsschema.Attribute {
			attribute := rsschema.BoolAttribute{
				Required: a.required, Optional: a.optional, Computed: a.computed, Sensitive: a.sensitive,
				MarkdownDescription: a.description,
				Validators:          checksOf[validator.Bool](a),
			}
			if v, ok := a.def.(bool); ok {
				attribute.Default = booldefault.StaticBool(v)
			}
			if a.keepState {
				attribute.PlanModifiers = []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()}
			}
			return attribute
		},
		dataSourceAttribute: func(a attributeSpec) dsschema.Attribute {
			return dsschema.BoolAttribute{Computed: true, MarkdownDescription: a.description}
		},
		toJSON:   goValue[bool],
		fromJSON: expectJSON[bool],
	}
	fieldInt64 = &fieldType{
		tfType: tftypes.Number,
		resourceAttribute: func(a attributeSpec) rsschema.Attribute {
			attribute := rsschema.Int64Attribute{
				Required: a.required, Optional: a.optional, Computed: a.computed, Sensitive: a.sensitive,
				MarkdownDescription: a.description,
				Validators:          checksOf[validator.Int64](a),
			}
			if a.required || a.optional {
				attribute.CustomType = wholeNumberType{}
			}
			if v, ok := a.def.(int64); ok {
				attribute.Default = int64default.StaticInt64(v)
			}
			if a.keepState {
				attribute.PlanModifiers = []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}
			}
			if a.forceNew {
				attribute.PlanModifiers = append(attribute.PlanModifiers, int64planmodifier.RequiresReplace())
			}
			return attribute
		},
		dataSourceAttribute: func(a attributeSpec) dsschema.Attribute {
			return dsschema.Int64Attribute{Computed: true, MarkdownDescription: a.description}
		},
		toJSON: int64JSON,
		fromJSON: func(v any) (any, error) {
			n, ok := v.(json.Number)
			if !ok {
				return expectJSON[json.Number](v)
			}
			return n.Int64()
		},
	}
)

func stringAttribute(a attributeSpec, custom basetypes.StringTypable) rsschema.StringAttribute {
	attribute := rsschema.StringAttribute{
		CustomType: custom,
		Required:   a.required, Optional: a.optional, Computed: a.computed, Sensitive: a.sensitive, WriteOnly: a.writeOnly,
		MarkdownDescription: a.description,
		Validators:          checksOf[validator.String](a),
	}
	if v, ok := a.def.(string); ok {
		attribute.Default = stringdefault.StaticString(v)
	}
	if a.keepState {
		attribute.PlanModifiers = append(attribute.PlanModifiers, stringplanmodifier.UseStateForUnknown())
	}
	if a.storedForm != nil {
		attribute.PlanModifiers = append(attribute.PlanModifiers, warnStoredForm{form: a.storedForm})
	}
	if a.forceNew {
		attribute.PlanModifiers = append(attribute.PlanModifiers, stringplanmodifier.RequiresReplace())
	}
	return attribute
}

func stringDataSourceAttribute(a attributeSpec) dsschema.Attribute {
	return dsschema.StringAttribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.description}
}

// goValue is a known, non-null value as the Go type T.
func goValue[T any](v tftypes.Value) (any, error) {
	var x T
	err := v.As(&x)
	return x, err
}

func int64JSON(v tftypes.Value) (any, error) {
	var f big.Float
	if err := v.As(&f); err != nil {
		return nil, err
	}
	n, accuracy := f.Int64()
	if accuracy != big.Exact {
		return nil, fmt.Errorf("%s is not a whole number", f.String())
	}
	return n, nil
}

// checksOf is the attribute's checks as validators of its type. A check of
// another type is a mistake in a table, found by building the schema.
func checksOf[T any](a attributeSpec) []T {
	var out []T
	for _, c := range a.checks {
		typed, ok := c.(T)
		if !ok {
			panic(fmt.Sprintf("attribute %s: %T cannot check a value of its type", a.name, c))
		}
		out = append(out, typed)
	}
	return out
}

// expectJSON is v when it has the JSON type T a field of this type holds.
func expectJSON[T any](v any) (any, error) {
	if _, ok := v.(T); !ok {
		text, _ := json.Marshal(v)
		return nil, fmt.Errorf("unexpected JSON value %s", text)
	}
	return v, nil
}

// objectValue is a plan, config or state object as its attribute values:
// read once, changed by name, written once.
type objectValue struct {
	typ   tftypes.Object
	attrs map[string]tftypes.Value
}

// readObject splits raw into its attributes; a null or unknown object
// gives null attributes, and no object at all (tftypes.Value{}, e.g. no
// prior state) none, which read as null.
func readObject(raw tftypes.Value) (objectValue, diag.Diagnostics) {
	var diags diag.Diagnostics
	if raw.Type() == nil {
		return objectValue{}, diags
	}
	typ, ok := raw.Type().(tftypes.Object)
	if !ok {
		diags.AddError("Unexpected value", fmt.Sprintf("The value has type %v, not an object; this is a bug in the provider.", raw.Type()))
		return objectValue{}, diags
	}
	attrs := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	if raw.IsKnown() && !raw.IsNull() {
		if err := raw.As(&attrs); err != nil {
			diags.AddError("Unexpected value", fmt.Sprintf("Cannot read the object: %v; this is a bug in the provider.", err))
			return objectValue{}, diags
		}
	}
	for name, t := range typ.AttributeTypes {
		if _, ok := attrs[name]; !ok {
			attrs[name] = tftypes.NewValue(t, nil)
		}
	}
	return objectValue{typ: typ, attrs: attrs}, diags
}

// bodyInputs are what a request body is built from: the plan, the
// configuration and the prior state (none for a create).
type bodyInputs struct {
	plan, config, prior objectValue
	update              bool
}

func readBodyInputs(planRaw, configRaw, priorRaw tftypes.Value) (bodyInputs, diag.Diagnostics) {
	plan, diags := readObject(planRaw)
	config, d := readObject(configRaw)
	diags.Append(d...)
	prior, d := readObject(priorRaw)
	diags.Append(d...)
	return bodyInputs{plan: plan, config: config, prior: prior, update: !priorRaw.IsNull()}, diags
}

// has says whether the attribute holds a known, non-null value.
func (o objectValue) has(name string) bool {
	v := o.attrs[name]
	return v.IsKnown() && !v.IsNull()
}

// set stores a Go value (nil: null) of the attribute's type.
func (o objectValue) set(name string, v any) {
	o.attrs[name] = tftypes.NewValue(o.typ.AttributeTypes[name], v)
}

// setPointer stores *p, or null when p is nil.
func setPointer[T any](o objectValue, name string, p *T) {
	if p == nil {
		o.set(name, nil)
		return
	}
	o.set(name, *p)
}

// writeTo stores the object with its changes in *raw.
func (o objectValue) writeTo(raw *tftypes.Value) diag.Diagnostics {
	var diags diag.Diagnostics
	if err := tftypes.ValidateValue(o.typ, o.attrs); err != nil {
		diags.AddError("Unexpected value", fmt.Sprintf("Cannot build the object: %v; this is a bug in the provider.", err))
		return diags
	}
	*raw = tftypes.NewValue(o.typ, o.attrs)
	return diags
}
