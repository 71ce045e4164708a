package provider

import (
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// benchS3Plan is the plan of an S3 import storage with most fields set.
func benchS3Plan(b *testing.B, r *storageRow) map[string]attr.Value {
	b.Helper()
	return map[string]attr.Value{
		"project": types.Int64Value(7), "bucket": types.StringValue("data"), "prefix": types.StringValue("in"),
		"title": types.StringValue("Birds"), "description": types.StringValue("Bird photos"),
		"regex_filter": types.StringValue(`.*\.json$`), "region_name": types.StringValue("us-east-1"),
		"s3_endpoint": types.StringValue("http://127.0.0.1:9000"), "aws_access_key_id": types.StringValue("AKIA"),
		"aws_secret_access_key_wo": types.StringValue("secret"), "aws_secret_access_key_wo_version": types.Int64Value(1),
		"use_blob_urls": types.BoolValue(false), "synchronizable": types.BoolValue(true), "presign": types.BoolValue(true),
		"presign_ttl": types.Int64Value(1), "recursive_scan": types.BoolValue(false),
		"id": types.Int64Unknown(), "type": types.StringUnknown(), "created_at": types.StringUnknown(),
		"status": types.StringUnknown(), "last_sync": types.StringUnknown(), "last_sync_count": types.Int64Unknown(),
		"last_sync_job": types.StringUnknown(), "traceback": types.StringUnknown(), "meta": types.StringUnknown(),
	}
}

// benchStorage is Label Studio's answer for that storage, as the client
// hands it over.
func benchStorage() *client.Storage {
	count := int64(12)
	title, lastSync := "Birds", "2026-01-01T00:01:00Z"
	return &client.Storage{ID: 42, Type: "s3", Project: 7, Title: &title, Status: "completed",
		CreatedAt: "2026-01-01T00:00:00Z", LastSync: &lastSync, LastSyncCount: &count,
		Meta: json.RawMessage(`{"attempts": 1, "tasks_existed": 0}`),
		Fields: map[string]any{
			"id": json.Number("42"), "type": "s3", "project": json.Number("7"), "title": title, "description": "Bird photos",
			"regex_filter": `.*\.json$`, "use_blob_urls": false, "synchronizable": true, "bucket": "data", "prefix": "in",
			"aws_sse_kms_key_id": nil, "region_name": "us-east-1", "s3_endpoint": "http://127.0.0.1:9000", "presign": true,
			"presign_ttl": json.Number("1"), "recursive_scan": false, "created_at": "2026-01-01T00:00:00Z", "status": "completed",
			"last_sync": lastSync, "last_sync_count": json.Number("12"), "last_sync_job": nil, "traceback": nil,
			"meta": map[string]any{"attempts": json.Number("1"), "tasks_existed": json.Number("0")},
		}}
}

// BenchmarkApplyStorage reads a storage response into state, as every
// refresh of every storage does.
func BenchmarkApplyStorage(b *testing.B) {
	r := &storageRow{kind: kindByTypeName("s3"), dir: client.Import}
	prior := r.testState(b, benchS3Plan(b, r))
	st := benchStorage()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		state := prior
		state.Raw = prior.Raw.Copy()
		if diags := r.applyStorage(&state, st); diags.HasError() {
			b.Fatal(diags)
		}
	}
}

// BenchmarkRequestBody builds the body of an update from plan, config and
// prior state.
func BenchmarkRequestBody(b *testing.B) {
	r := &storageRow{kind: kindByTypeName("s3"), dir: client.Import}
	values := benchS3Plan(b, r)
	plan := r.testState(b, values)
	prior := r.testState(b, values)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, _, diags := r.requestBody(plan.Raw, plan.Raw, prior.Raw); diags.HasError() {
			b.Fatal(diags)
		}
	}
}
