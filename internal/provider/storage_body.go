package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// attributeGetter is what tfsdk.Config, tfsdk.Plan and tfsdk.State share.
type attributeGetter interface {
	GetAttribute(ctx context.Context, p path.Path, target any) diag.Diagnostics
}

// getField reads one table field as the attr.Value of its type.
func getField(ctx context.Context, src attributeGetter, name string, typ fieldType) (attr.Value, diag.Diagnostics) {
	switch typ {
	case fieldBool:
		var v types.Bool
		d := src.GetAttribute(ctx, path.Root(name), &v)
		return v, d
	case fieldInt64:
		var v types.Int64
		d := src.GetAttribute(ctx, path.Root(name), &v)
		return v, d
	case fieldLocalPath:
		var v localPathValue
		d := src.GetAttribute(ctx, path.Root(name), &v)
		return v, d
	default:
		var v types.String
		d := src.GetAttribute(ctx, path.Root(name), &v)
		return v, d
	}
}

// nullOf is the null value of a field type.
func nullOf(typ fieldType) attr.Value {
	switch typ {
	case fieldBool:
		return types.BoolNull()
	case fieldInt64:
		return types.Int64Null()
	case fieldLocalPath:
		return newLocalPathNull()
	default:
		return types.StringNull()
	}
}

// jsonValue is the JSON form of a known, non-null value.
func jsonValue(v attr.Value) any {
	switch t := v.(type) {
	case types.Bool:
		return t.ValueBool()
	case types.Int64:
		return t.ValueInt64()
	case localPathValue:
		return normalizeLocalPath(t.ValueString())
	case types.String:
		return t.ValueString()
	}
	panic(fmt.Sprintf("unexpected attribute value %T", v))
}

// decodeField turns one response value into the attribute's value. Numbers
// are accepted for string fields because Label Studio coerces the Redis port.
func decodeField(raw json.RawMessage, typ fieldType) (attr.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if v == nil {
		return nullOf(typ), nil
	}
	switch typ {
	case fieldBool:
		if b, ok := v.(bool); ok {
			return types.BoolValue(b), nil
		}
	case fieldInt64:
		if n, ok := v.(json.Number); ok {
			i, err := n.Int64()
			if err != nil {
				return nil, err
			}
			return types.Int64Value(i), nil
		}
	case fieldLocalPath:
		if s, ok := v.(string); ok {
			return newLocalPathValue(s), nil
		}
	default:
		switch s := v.(type) {
		case string:
			return types.StringValue(s), nil
		case json.Number:
			return types.StringValue(s.String()), nil
		}
	}
	return nil, fmt.Errorf("unexpected JSON value %s", string(raw))
}

// requestBody builds the body of a create (prior == nil) or of a PATCH. A
// PATCH carries the full configuration, because Label Studio re-checks some
// kinds from the PATCH body alone (Redis, local files): nulls clear fields,
// and a secret that was removed from the configuration is sent as "".
// It also returns the secret values, so that error texts can be scrubbed.
func (r *storageResource) requestBody(ctx context.Context, plan, config attributeGetter, prior attributeGetter) (map[string]any, []string, diag.Diagnostics) {
	var diags diag.Diagnostics
	body := map[string]any{}
	var secrets []string

	var project types.Int64
	diags.Append(plan.GetAttribute(ctx, path.Root(attrProject), &project)...)
	body[attrProject] = project.ValueInt64()

	credentialsChanged := prior != nil && r.kind.credentialsAsOne && r.secretsChanged(ctx, plan, prior)
	for _, f := range r.kind.fieldsFor(r.dir) {
		if f.secret {
			value, set, d := configuredSecret(ctx, config, f.name)
			diags.Append(d...)
			switch {
			case prior != nil && r.kind.credentialsAsOne && !credentialsChanged:
				// Untouched credentials stay as stored.
			case set:
				body[f.name] = value
				secrets = append(secrets, value)
			case credentialsChanged, prior != nil && secretWasSet(ctx, prior, f.name):
				body[f.name] = ""
			}
			continue
		}
		v, d := getField(ctx, plan, f.name, f.typ)
		diags.Append(d...)
		switch {
		case v.IsUnknown():
			// Optional+Computed and not configured: the server decides.
		case v.IsNull():
			if prior != nil && (!f.hidden || wasConfigured(ctx, prior, f)) {
				// A hidden field (never returned) that state never had may
				// hold a value Terraform does not know: leave it alone.
				body[f.name] = nil
				if f.blankWhenUnset {
					body[f.name] = ""
				}
			}
		default:
			body[f.name] = jsonValue(v)
		}
	}
	return body, secrets, diags
}

// configuredSecret is the secret's value from the configuration, from the
// stateful attribute or its write-only twin.
func configuredSecret(ctx context.Context, config attributeGetter, name string) (string, bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	for _, attrName := range []string{name, writeOnlyName(name)} {
		var v types.String
		diags.Append(config.GetAttribute(ctx, path.Root(attrName), &v)...)
		if !v.IsNull() && !v.IsUnknown() {
			return v.ValueString(), true, diags
		}
	}
	return "", false, diags
}

// secretsChanged says whether the plan changes any secret of the kind: a
// stateful value, or a write-only version (which is how a write-only value
// is rotated or removed).
func (r *storageResource) secretsChanged(ctx context.Context, plan, prior attributeGetter) bool {
	for _, f := range r.kind.fieldsFor(r.dir) {
		if !f.secret {
			continue
		}
		for _, name := range []string{f.name, versionName(f.name)} {
			var planned, before attr.Value
			if name == f.name {
				var p, b types.String
				plan.GetAttribute(ctx, path.Root(name), &p)
				prior.GetAttribute(ctx, path.Root(name), &b)
				planned, before = p, b
			} else {
				var p, b types.Int64
				plan.GetAttribute(ctx, path.Root(name), &p)
				prior.GetAttribute(ctx, path.Root(name), &b)
				planned, before = p, b
			}
			if !planned.Equal(before) {
				return true
			}
		}
	}
	return false
}

// sendsEverySecret says whether a body carries every field Label Studio
// never returns (secrets and hidden fields) with a value.
func (r *storageResource) sendsEverySecret(body map[string]any) bool {
	for _, f := range r.kind.fieldsFor(r.dir) {
		if v, sent := body[f.name]; (f.secret || f.hidden) && (!sent || v == nil) {
			return false
		}
	}
	return true
}

// wasConfigured says whether state holds a value for a field.
func wasConfigured(ctx context.Context, prior attributeGetter, f storageField) bool {
	v, _ := getField(ctx, prior, f.name, f.typ)
	return !v.IsNull() && !v.IsUnknown()
}

// secretWasSet says whether the previous apply sent the secret: its stateful
// attribute is in state, or its write-only version is.
func secretWasSet(ctx context.Context, prior attributeGetter, name string) bool {
	var value types.String
	var version types.Int64
	prior.GetAttribute(ctx, path.Root(name), &value)
	prior.GetAttribute(ctx, path.Root(versionName(name)), &version)
	return !value.IsNull() || !version.IsNull()
}

// withoutNulls is a create-style copy of a body, for the validate endpoint.
func withoutNulls(body map[string]any) map[string]any {
	out := make(map[string]any, len(body))
	for k, v := range body {
		if v != nil {
			out[k] = v
		}
	}
	return out
}

// applyStorage writes what the server returned into state, which already
// holds the plan (create, update) or the prior state (read). Secrets and
// hidden fields are never read back; a nullable string the server returns
// as "" or null stays as configured.
//
// It works on the state's terraform value directly and builds the new one
// once: a refresh of many storages spends much of its time here, and a
// path-based SetAttribute per attribute rebuilds the whole object each time.
func (r *storageResource) applyStorage(ctx context.Context, state *tfsdk.State, st *client.Storage) diag.Diagnostics {
	var diags diag.Diagnostics
	objectType, ok := state.Raw.Type().(tftypes.Object)
	if !ok {
		diags.AddError("Unexpected state", fmt.Sprintf("The storage's state has type %s; this is a bug in the provider.", state.Raw.Type()))
		return diags
	}
	attrs := make(map[string]tftypes.Value, len(objectType.AttributeTypes))
	if state.Raw.IsKnown() && !state.Raw.IsNull() {
		if err := state.Raw.As(&attrs); err != nil {
			diags.AddError("Unexpected state", fmt.Sprintf("Cannot read the storage's state: %v; this is a bug in the provider.", err))
			return diags
		}
	}
	for name, typ := range objectType.AttributeTypes {
		if _, ok := attrs[name]; !ok {
			attrs[name] = tftypes.NewValue(typ, nil)
		}
	}
	setNull := func(name string) { attrs[name] = tftypes.NewValue(objectType.AttributeTypes[name], nil) }
	set := func(name string, v attr.Value) {
		tv, err := v.ToTerraformValue(ctx)
		if err != nil {
			diags.AddAttributeError(path.Root(name), "Unexpected value", fmt.Sprintf("Cannot store %s: %v; this is a bug in the provider.", name, err))
			return
		}
		attrs[name] = tv
	}

	for _, f := range r.kind.fieldsFor(r.dir) {
		if f.secret {
			setNull(writeOnlyName(f.name))
			continue
		}
		prior := attrs[f.name]
		raw, present := st.Fields[f.name]
		if f.hidden || !present {
			if !prior.IsKnown() {
				setNull(f.name)
			}
			continue
		}
		v, err := decodeField(raw, f.typ)
		if err != nil {
			diags.AddAttributeError(path.Root(f.name), "Unexpected value from Label Studio",
				fmt.Sprintf("Cannot read %s from the server's response: %v.", f.name, err))
			continue
		}
		if f.typ == fieldString && prior.IsKnown() && emptyTerraformString(prior) && emptyString(v) {
			continue
		}
		set(f.name, v)
	}

	set(attrID, types.Int64Value(st.ID))
	if st.Project != 0 {
		set(attrProject, types.Int64Value(st.Project))
	}
	kindName := st.Type
	if kindName == "" {
		kindName = r.kind.apiKind
	}
	set(attrType, types.StringValue(kindName))
	set(attrCreatedAt, types.StringValue(st.CreatedAt))
	set(attrStatus, types.StringValue(st.Status))
	set(attrLastSync, types.StringPointerValue(st.LastSync))
	set(attrLastSyncCount, types.Int64PointerValue(st.LastSyncCount))
	set(attrLastSyncJob, types.StringPointerValue(st.LastSyncJob))
	set(attrTraceback, types.StringPointerValue(st.Traceback))
	set(attrMeta, metaValue(st.Meta))
	if diags.HasError() {
		return diags
	}
	if err := tftypes.ValidateValue(objectType, attrs); err != nil {
		diags.AddError("Unexpected state", fmt.Sprintf("Cannot build the storage's state: %v; this is a bug in the provider.", err))
		return diags
	}
	state.Raw = tftypes.NewValue(objectType, attrs)
	return diags
}

// emptyTerraformString reports whether a known string value is null or "".
func emptyTerraformString(v tftypes.Value) bool {
	if v.IsNull() {
		return true
	}
	var s string
	return v.As(&s) == nil && s == ""
}

func emptyString(v attr.Value) bool {
	s, ok := v.(types.String)
	return ok && (s.IsNull() || s.ValueString() == "")
}

// metaValue renders meta as compact JSON.
func metaValue(raw json.RawMessage) types.String {
	if len(bytes.TrimSpace(raw)) == 0 {
		return types.StringValue("{}")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return types.StringValue(strings.TrimSpace(string(raw)))
	}
	return types.StringValue(buf.String())
}
