package client

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestStorageDecoding(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/8") {
			writeJSON(w, http.StatusOK, `{"id":8,"type":"redis","project":3,"title":null,"status":"initialized","meta":null,
				"last_sync":null,"last_sync_count":null,"last_sync_job":null,"traceback":null,"db":1}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"id":9007199254740993,"type":"s3","project":3,"title":"raw","status":"failed",
			"created_at":"2026-01-01T00:00:00Z","last_sync":null,"last_sync_count":4,"last_sync_job":"job-1",
			"traceback":"boom","meta":{"attempts":2},"presign_ttl":1}`)
	})
	c, _ := newTestClient(t, srv.URL, "key")
	ctx := context.Background()

	s, err := c.GetStorage(ctx, StorageRef{Kind: "s3", Direction: Import, ID: 9007199254740993})
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != 9007199254740993 || s.Type != "s3" || s.Project != 3 || *s.Title != "raw" || s.Status != "failed" ||
		s.CreatedAt != "2026-01-01T00:00:00Z" || s.LastSync != nil || *s.LastSyncCount != 4 ||
		*s.LastSyncJob != "job-1" || *s.Traceback != "boom" || string(s.Meta) != `{"attempts":2}` {
		t.Errorf("decoded storage = %+v", s)
	}
	if s.Fields["presign_ttl"] != json.Number("1") || s.Fields["id"] != json.Number("9007199254740993") || len(s.Fields) != 12 {
		t.Errorf("Fields = %v, want every key decoded, numbers exact", s.Fields)
	}

	s, err = c.GetStorage(ctx, StorageRef{Kind: "redis", Direction: Import, ID: 8})
	if err != nil {
		t.Fatal(err)
	}
	if s.Title != nil || s.LastSyncCount != nil || s.Traceback != nil || string(s.Meta) != "{}" {
		t.Errorf("nulls decoded as %+v (meta %s)", s, s.Meta)
	}
	if s.Fields["meta"] != nil || s.Fields["db"] != json.Number("1") {
		t.Errorf("Fields changed the server's values: %v", s.Fields)
	}
}
