package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// requestBody builds the body of a create (prior null) or of a PATCH from
// the plan, the configuration and the prior state. A PATCH carries the full
// configuration, because Label Studio re-checks some kinds from the PATCH
// body alone (Redis, local files): nulls clear fields, and a secret that was
// removed from the configuration is sent as "".
// It also returns the secret values, so that error texts can be scrubbed.
func (r *storageRow) requestBody(planRaw, configRaw, priorRaw tftypes.Value) (map[string]any, []string, diag.Diagnostics) {
	in, diags := readBodyInputs(planRaw, configRaw, priorRaw)
	if diags.HasError() {
		return nil, nil, diags
	}
	plan, config, prior, update := in.plan, in.config, in.prior, in.update

	body := map[string]any{}
	var secrets []string
	project, err := int64JSON(plan.attrs[attrProject])
	if err != nil {
		diags.AddAttributeError(path.Root(attrProject), "Invalid project", err.Error())
	}
	body[attrProject] = project

	credentialsChanged := update && r.kind.credentialsAsOne && r.secretsChanged(plan, prior)
	for _, f := range r.kind.fieldsFor(r.dir) {
		if f.secret {
			value, set := configuredSecret(config, f.name)
			switch {
			case update && r.kind.credentialsAsOne && !credentialsChanged:
				// Untouched credentials stay as stored.
			case set:
				body[f.name] = value
				secrets = append(secrets, value)
			case credentialsChanged, update && secretWasSet(prior, f.name):
				body[f.name] = ""
			}
			continue
		}
		v := plan.attrs[f.name]
		switch {
		case !v.IsKnown():
			// Optional+Computed and not configured: the server decides.
		case v.IsNull():
			if update && (!f.hidden || prior.has(f.name)) {
				// A hidden field (never returned) that state never had may
				// hold a value Terraform does not know: leave it alone.
				body[f.name] = nil
				if f.blankWhenUnset {
					body[f.name] = ""
				}
			}
		default:
			jsonValue, err := f.typ.toJSON(v)
			if err != nil {
				diags.AddAttributeError(path.Root(f.name), "Unexpected value", fmt.Sprintf("Cannot send %s: %v; this is a bug in the provider.", f.name, err))
			}
			body[f.name] = jsonValue
		}
	}
	return body, secrets, diags
}

// configuredSecret is the secret's value from the configuration, from the
// stateful attribute or its write-only twin.
func configuredSecret(config objectValue, name string) (string, bool) {
	for _, attrName := range []string{name, writeOnlyName(name)} {
		if config.has(attrName) {
			var s string
			ok := config.attrs[attrName].As(&s) == nil
			return s, ok
		}
	}
	return "", false
}

// secretsChanged says whether the plan changes any secret of the kind: a
// stateful value, or a write-only version (which is how a write-only value
// is rotated or removed).
func (r *storageRow) secretsChanged(plan, prior objectValue) bool {
	for _, f := range r.kind.fieldsFor(r.dir) {
		if !f.secret {
			continue
		}
		for _, name := range []string{f.name, versionName(f.name)} {
			if !plan.attrs[name].Equal(prior.attrs[name]) {
				return true
			}
		}
	}
	return false
}

// sendsEverySecret says whether a body carries every field Label Studio
// never returns (secrets and hidden fields) with a value.
func (r *storageRow) sendsEverySecret(body map[string]any) bool {
	for _, f := range r.kind.fieldsFor(r.dir) {
		if v, sent := body[f.name]; (f.secret || f.hidden) && (!sent || v == nil) {
			return false
		}
	}
	return true
}

// secretWasSet says whether the previous apply sent the secret: its stateful
// attribute is in state, or its write-only version is.
func secretWasSet(prior objectValue, name string) bool {
	return !prior.attrs[name].IsNull() || !prior.attrs[versionName(name)].IsNull()
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
func (r *storageRow) applyStorage(state *tfsdk.State, st *client.Storage) diag.Diagnostics {
	o, diags := readObject(state.Raw)
	if diags.HasError() {
		return diags
	}
	for _, f := range r.kind.fieldsFor(r.dir) {
		if f.secret {
			o.set(writeOnlyName(f.name), nil)
			continue
		}
		prior := o.attrs[f.name]
		server, present := st.Fields[f.name]
		if f.hidden || !present {
			if !prior.IsKnown() {
				o.set(f.name, nil)
			}
			continue
		}
		if server == nil && f.nullReadsAsDefault {
			server = f.defaultFor(r.dir)
		}
		v, err := f.decode(server)
		if err != nil {
			diags.AddAttributeError(path.Root(f.name), "Unexpected value from Label Studio",
				fmt.Sprintf("Cannot read %s from the server's response: %v.", f.name, err))
			continue
		}
		if f.typ == fieldString && prior.IsKnown() && emptyString(prior) && emptyString(v) {
			continue
		}
		o.attrs[f.name] = v
	}

	o.set(attrID, st.ID)
	if st.Project != 0 {
		o.set(attrProject, st.Project)
	}
	kindName := st.Type
	if kindName == "" {
		kindName = r.kind.apiKind
	}
	o.set(attrType, kindName)
	o.set(attrCreatedAt, st.CreatedAt)
	o.set(attrStatus, st.Status)
	setPointer(o, attrLastSync, st.LastSync)
	setPointer(o, attrLastSyncCount, st.LastSyncCount)
	setPointer(o, attrLastSyncJob, st.LastSyncJob)
	setPointer(o, attrTraceback, st.Traceback)
	o.set(attrMeta, metaValue(st.Meta))
	if diags.HasError() {
		return diags
	}
	return o.writeTo(&state.Raw)
}

// emptyString reports whether a known string value is null or "".
func emptyString(v tftypes.Value) bool {
	if v.IsNull() {
		return true
	}
	var s string
	return v.As(&s) == nil && s == ""
}

// metaValue renders meta as compact JSON.
func metaValue(raw json.RawMessage) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "{}"
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return strings.TrimSpace(string(raw))
	}
	return buf.String()
}
