package provider

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// testStorage returns the resource of a kind and direction.
func testStorage(t *testing.T, typeName string, dir client.Direction) *storageRow {
	t.Helper()
	for _, k := range storageKinds {
		if k.typeName == typeName {
			return newStorage(k, dir)
		}
	}
	t.Fatalf("no kind %s", typeName)
	return nil
}

// testState is a state of the resource's schema holding values, every other
// attribute null.
func (r *storageRow) testState(t testing.TB, values map[string]attr.Value) tfsdk.State {
	t.Helper()
	ctx := context.Background()
	s := storageSchema(ctx, r.kind, r.dir)
	state := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	for name, v := range values {
		if d := state.SetAttribute(ctx, path.Root(name), v); d.HasError() {
			t.Fatalf("set %s: %v", name, d)
		}
	}
	return state
}

func TestRequestBodyCreate(t *testing.T) {
	r := testStorage(t, "s3", client.Export)
	config := r.testState(t, map[string]attr.Value{
		"project":                      types.Int64Value(7),
		"bucket":                       types.StringValue("data"),
		"aws_access_key_id_wo":         types.StringValue("AKIAWRITEONLY"),
		"aws_secret_access_key":        types.StringValue("stateful-secret"),
		"can_delete_objects":           types.BoolNull(),
		"aws_access_key_id_wo_version": types.Int64Value(1),
	})
	plan := r.testState(t, map[string]attr.Value{
		"project":                      types.Int64Value(7),
		"bucket":                       types.StringValue("data"),
		"aws_secret_access_key":        types.StringValue("stateful-secret"),
		"aws_access_key_id_wo_version": types.Int64Value(1),
		"use_blob_urls":                types.BoolValue(false),
		"synchronizable":               types.BoolUnknown(),
	})
	body, secrets, diags := r.requestBody(plan.Raw, config.Raw, tftypes.Value{})
	if diags.HasError() {
		t.Fatal(diags)
	}
	want := map[string]any{
		"project": int64(7), "bucket": "data", "use_blob_urls": false,
		"aws_access_key_id": "AKIAWRITEONLY", "aws_secret_access_key": "stateful-secret",
	}
	assertBody(t, body, want)
	if len(secrets) != 2 {
		t.Errorf("secrets for redaction = %d values, want 2", len(secrets))
	}
}

// Label Studio normalises a local path before it stores it; the body sends
// that form, and the integer and bool fields as JSON numbers and booleans.
func TestRequestBodySendsLocalPathsNormalised(t *testing.T) {
	r := testStorage(t, "local", client.Import)
	plan := r.testState(t, map[string]attr.Value{
		"project":        types.Int64Value(7),
		"path":           newLocalPathValue(`/data//images/./cats/`),
		"recursive_scan": types.BoolValue(true),
	})
	body, _, diags := r.requestBody(plan.Raw, plan.Raw, tftypes.Value{})
	if diags.HasError() {
		t.Fatal(diags)
	}
	assertBody(t, body, map[string]any{"project": int64(7), "path": "/data/images/cats", "recursive_scan": true})
}

func TestRequestBodyUpdateSendsFullConfiguration(t *testing.T) {
	r := testStorage(t, "s3", client.Export)
	// Before: both keys set (one stateful, one write-only), a title.
	prior := r.testState(t, map[string]attr.Value{
		"project":                          types.Int64Value(7),
		"bucket":                           types.StringValue("data"),
		"title":                            types.StringValue("old"),
		"aws_access_key_id":                types.StringValue("AKIAOLD"),
		"aws_secret_access_key_wo_version": types.Int64Value(3),
	})
	// Now: keys and title removed from the configuration.
	config := r.testState(t, map[string]attr.Value{
		"project": types.Int64Value(7),
		"bucket":  types.StringValue("data"),
	})
	body, _, diags := r.requestBody(config.Raw, config.Raw, prior.Raw)
	if diags.HasError() {
		t.Fatal(diags)
	}
	want := map[string]any{
		"project": int64(7), "bucket": "data",
		// cleared fields are sent, so the PATCH carries the whole configuration
		"title": nil, "description": nil, "prefix": nil, "regex_filter": nil, "region_name": nil,
		"s3_endpoint": nil, "aws_sse_kms_key_id": nil, "use_blob_urls": nil, "synchronizable": nil,
		"can_delete_objects": nil,
		// the credentials changed, so all three are sent: removed keys and
		// the never-set session token as "" (the server's ambient credentials)
		"aws_access_key_id": "", "aws_secret_access_key": "", "aws_session_token": "",
	}
	assertBody(t, body, want)
	if _, ok := withoutNulls(body)["title"]; ok {
		t.Error("the validate body must not carry nulls")
	}
}

func assertBody(t *testing.T, got, want map[string]any) {
	t.Helper()
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("body\n got %s\nwant %s", gotJSON, wantJSON)
	}
}

func TestApplyStorageKeepsWhatTheServerDoesNotReturn(t *testing.T) {
	r := testStorage(t, "azure_blob", client.Export)
	state := r.testState(t, map[string]attr.Value{
		"project":                types.Int64Value(7),
		"container":              types.StringValue("box"),
		"account_name":           types.StringValue("myaccount"),
		"account_key_wo_version": types.Int64Value(2),
		"title":                  types.StringNull(),
		"can_delete_objects":     types.BoolNull(),
		"use_blob_urls":          types.BoolUnknown(),
	})
	count := int64(4)
	st := &client.Storage{
		ID: 42, Type: "azure", Project: 7, Status: "completed", CreatedAt: "2026-01-01T00:00:00Z",
		LastSyncCount: &count, Meta: json.RawMessage(`{ "attempts": 1 }`),
		Fields: map[string]any{
			"container": "box", "title": "", "prefix": "out", "use_blob_urls": false, "can_delete_objects": nil,
		},
	}
	ctx := context.Background()
	if diags := r.applyStorage(&state, st); diags.HasError() {
		t.Fatal(diags)
	}
	expect := map[string]attr.Value{
		"id":                     types.Int64Value(42),
		"type":                   types.StringValue("azure"),
		"title":                  types.StringNull(), // "" from the server stays as configured
		"prefix":                 types.StringValue("out"),
		"use_blob_urls":          types.BoolValue(false),
		"account_name":           types.StringValue("myaccount"), // hidden: never read back
		"account_key_wo_version": types.Int64Value(2),
		"account_key":            types.StringNull(),
		"last_sync_count":        types.Int64Value(4),
		"last_sync":              types.StringNull(),
		"meta":                   types.StringValue(`{"attempts":1}`),
		"status":                 types.StringValue("completed"),
	}
	for name, want := range expect {
		target := reflect.New(reflect.TypeOf(want))
		if diags := state.GetAttribute(ctx, path.Root(name), target.Interface()); diags.HasError() {
			t.Fatal(diags)
		}
		if got := target.Elem().Interface().(attr.Value); !got.Equal(want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

// TestStorageDeleteAndReadOfMissingStorage: Delete of a storage that is
// already gone succeeds, and Read of it removes it from state.
func TestStorageDeleteAndReadOfMissingStorage(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	row := testStorage(t, "local", client.Import)
	r := &objectResource[client.Storage]{configuredClient: configuredClient{testClient(t, env)}, t: row.objectType()}
	state := row.testState(t, map[string]attr.Value{"id": types.Int64Value(987654)})
	ctx := context.Background()

	var deleteResp resource.DeleteResponse
	r.Delete(ctx, resource.DeleteRequest{State: state}, &deleteResp)
	if deleteResp.Diagnostics.HasError() {
		t.Fatalf("delete of a missing storage: %v", deleteResp.Diagnostics)
	}

	readResp := resource.ReadResponse{State: state}
	r.Read(ctx, resource.ReadRequest{State: state}, &readResp)
	if readResp.Diagnostics.HasError() {
		t.Fatalf("read of a missing storage: %v", readResp.Diagnostics)
	}
	if !readResp.State.Raw.IsNull() {
		t.Fatal("read of a missing storage must remove it from state")
	}
}

// Label Studio resets aws_session_token whenever an S3 body has a key field,
// and checks the key pair on which fields are present
// (label_studio/io_storages/s3/serializers.py). So S3 credentials are sent
// all together, and only when one of them changes.
func TestRequestBodyS3CredentialsTravelTogether(t *testing.T) {
	r := testStorage(t, "s3", client.Import)
	withKeys := map[string]attr.Value{
		"project":                          types.Int64Value(7),
		"bucket":                           types.StringValue("data"),
		"aws_access_key_id":                types.StringValue("AKIAKEEP"),
		"aws_secret_access_key_wo_version": types.Int64Value(1),
		"aws_session_token_wo_version":     types.Int64Value(1),
	}
	config := func(extra map[string]attr.Value) tfsdk.State {
		values := map[string]attr.Value{}
		for k, v := range withKeys {
			values[k] = v
		}
		values["aws_secret_access_key_wo"] = types.StringValue("secret-one")
		values["aws_session_token_wo"] = types.StringValue("token-one")
		for k, v := range extra {
			values[k] = v
		}
		return r.testState(t, values)
	}
	prior := r.testState(t, withKeys)
	secretsOf := func(body map[string]any) map[string]any {
		out := map[string]any{}
		for _, name := range []string{"aws_access_key_id", "aws_secret_access_key", "aws_session_token"} {
			if v, ok := body[name]; ok {
				out[name] = v
			}
		}
		return out
	}

	// A title change touches no credential: none is sent, the server keeps all three.
	untouched := config(map[string]attr.Value{"title": types.StringValue("renamed")})
	body, _, diags := r.requestBody(untouched.Raw, untouched.Raw, prior.Raw)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if got := secretsOf(body); len(got) != 0 {
		t.Errorf("untouched update sends %v", got)
	}

	// Rotating only the token (a new write-only version) sends the pair with it,
	// which works whether the server checks the token against the body or the row.
	rotated := config(map[string]attr.Value{"aws_session_token_wo": types.StringValue("token-two"), "aws_session_token_wo_version": types.Int64Value(2)})
	body, secrets, diags := r.requestBody(rotated.Raw, rotated.Raw, prior.Raw)
	if diags.HasError() {
		t.Fatal(diags)
	}
	assertBody(t, secretsOf(body), map[string]any{"aws_access_key_id": "AKIAKEEP", "aws_secret_access_key": "secret-one", "aws_session_token": "token-two"})
	if len(secrets) != 3 {
		t.Errorf("%d secrets for redaction, want 3", len(secrets))
	}

	// Keys to the server's ambient credentials: everything removed, all three cleared.
	ambient := r.testState(t, map[string]attr.Value{"project": types.Int64Value(7), "bucket": types.StringValue("data")})
	body, _, diags = r.requestBody(ambient.Raw, ambient.Raw, prior.Raw)
	if diags.HasError() {
		t.Fatal(diags)
	}
	assertBody(t, secretsOf(body), map[string]any{"aws_access_key_id": "", "aws_secret_access_key": "", "aws_session_token": ""})
}

// Azure's account_name is never returned: after an import state has none, and
// a PATCH must not send null for it, or Label Studio would drop the stored
// name and the storage would stop working.
func TestRequestBodyLeavesUnknownHiddenFieldsAlone(t *testing.T) {
	r := testStorage(t, "azure_blob", client.Import)
	imported := r.testState(t, map[string]attr.Value{"project": types.Int64Value(7), "container": types.StringValue("c")})
	config := r.testState(t, map[string]attr.Value{"project": types.Int64Value(7), "container": types.StringValue("c"), "title": types.StringValue("renamed")})
	body, _, diags := r.requestBody(config.Raw, config.Raw, imported.Raw)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if _, sent := body["account_name"]; sent {
		t.Errorf("the PATCH sends account_name = %v for a storage whose name Terraform never had", body["account_name"])
	}
	if r.sendsEverySecret(body) {
		t.Error("a body without account_name and account_key counts as carrying every secret")
	}
	// Once configured, removing it from the configuration clears it.
	withName := r.testState(t, map[string]attr.Value{"project": types.Int64Value(7), "container": types.StringValue("c"), "account_name": types.StringValue("acct")})
	body, _, _ = r.requestBody(config.Raw, config.Raw, withName.Raw)
	if v, sent := body["account_name"]; !sent || v != nil {
		t.Errorf("removing a configured account_name sends %v (sent %v), want null", v, sent)
	}
}
