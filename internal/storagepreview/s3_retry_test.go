package storagepreview_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/storagepreview"
)

// What a user's S3-compatible endpoint sees when it fails: the preview's SDK
// client (aws-sdk-go-v2 standard retryer, defaults) sends a request three
// times on a 5xx and then reports the server's answer on the bucket. A
// throttling answer (503 SlowDown) is retried the same number of times.
func TestS3RetriesAServerErrorThreeTimes(t *testing.T) {
	// The SDK's defaults, whatever this machine's AWS settings say.
	t.Setenv("AWS_MAX_ATTEMPTS", "")
	t.Setenv("AWS_RETRY_MODE", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_PROFILE", "")
	for _, c := range []struct {
		name, code string
		status     int
	}{
		{"internal error", "InternalError", http.StatusInternalServerError},
		{"throttled", "SlowDown", http.StatusServiceUnavailable},
	} {
		t.Run(c.name, func(t *testing.T) {
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + c.code + `</Code><Message>failing on purpose</Message></Error>`))
			}))
			t.Cleanup(srv.Close)
			b := backendWith(t, storagepreview.S3Config{Bucket: "bucket", Endpoint: srv.URL, Region: "us-east-1", AccessKeyID: "AKID", SecretAccessKey: "secret"})
			_, err := storagepreview.Run(t.Context(), b, storagepreview.Options{Prefix: "tasks"})
			var perr *storagepreview.Error
			if !errors.As(err, &perr) || perr.Field != "bucket" || !strings.Contains(perr.Detail, c.code) {
				t.Errorf("error %v, want an *storagepreview.Error on bucket quoting %s", err, c.code)
			}
			if got := requests.Load(); got != 3 {
				t.Errorf("the endpoint got %d requests, want 3 (one try and two retries)", got)
			}
		})
	}
}
