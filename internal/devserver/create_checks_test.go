package devserver

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

// TestCreateTestsTheConnection: a create whose connection test fails is
// refused with a 400 and stores nothing, for every kind and direction where
// Label Studio's create runs the test. The provider sends no separate check
// before these creates, so this is what keeps a bad connection from making a
// storage. Label Studio: the export view tests before saving
// (io_storages/api.py, ExportStorageListAPI.perform_create); the import
// serializers of GCS, Azure, Redis and local files test in validate()
// (io_storages/{gcs,azure_blob,redis,localfiles}/serializers.py), S3's when
// the bucket is set (io_storages/s3/serializers.py).
func TestCreateTestsTheConnection(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.SyncOnTargetStorageCreation = false })
	project := ts.createProject("")
	bodies := map[string]map[string]any{
		"s3":         {"bucket": "b"},
		"gcs":        {"bucket": "b"},
		"azure":      {"container": "c"},
		"redis":      {"host": "redis.local"},
		"localfiles": {"path": "/srv/data"},
	}
	for _, kind := range []string{"s3", "gcs", "azure", "redis", "localfiles"} {
		for _, dir := range []string{dirImport, dirExport} {
			body := map[string]any{"project": project}
			for name, value := range bodies[kind] {
				body[name] = value
			}
			ts.backend.setValidateErr(errors.New("the storage is unreachable"))
			before := len(ts.backend.validations())
			if r := ts.do(http.MethodPost, storagePath(kind, dir, 0, ""), body); r.status != http.StatusBadRequest {
				t.Errorf("%s %s: a create whose connection fails answered %d, want 400: %s", kind, dir, r.status, r.body)
			}
			if len(ts.backend.validations()) == before {
				t.Errorf("%s %s: the create did not test the connection", kind, dir)
			}
			ts.backend.setValidateErr(nil)
			var stored []map[string]any
			ts.decode(ts.mustDo(http.MethodGet, fmt.Sprintf("%s?project=%d", storagePath(kind, dir, 0, ""), project), nil, http.StatusOK), &stored)
			if len(stored) != 0 {
				t.Errorf("%s %s: a refused create stored %d storage(s)", kind, dir, len(stored))
			}
		}
	}
}
