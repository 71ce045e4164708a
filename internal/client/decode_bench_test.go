package client

import (
	"encoding/json"
	"testing"
)

// benchStorageResponse is a storage as Label Studio returns it.
const benchStorageResponse = `{"id": 42, "type": "s3", "project": 7, "title": "Birds", "description": "Bird photos",
	"regex_filter": ".*\\.json$", "use_blob_urls": false, "synchronizable": true, "bucket": "data", "prefix": "in",
	"aws_sse_kms_key_id": null, "region_name": "us-east-1", "s3_endpoint": "http://127.0.0.1:9000", "presign": true,
	"presign_ttl": 1, "recursive_scan": false, "created_at": "2026-01-01T00:00:00Z", "status": "completed",
	"last_sync": "2026-01-01T00:01:00Z", "last_sync_count": 12, "last_sync_job": null, "traceback": null,
	"meta": {"attempts": 1, "tasks_existed": 0}}`

// BenchmarkDecodeStorage decodes a storage response, as every read does.
func BenchmarkDecodeStorage(b *testing.B) {
	body := []byte(benchStorageResponse)
	b.ReportAllocs()
	for range b.N {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(body, &raw); err != nil {
			b.Fatal(err)
		}
		if _, err := decodeStorage(raw); err != nil {
			b.Fatal(err)
		}
	}
}
