package client

import (
	"net/http"
	"testing"
)

// Label Studio answers an exception DRF does not handle with detail
// "Unknown error" and (DEBUG on) the traceback in exc_info
// (core/utils/common.py custom_exception_handler); the error names what
// failed from the traceback's last line.
func TestAPIErrorReadsTheTracebacksLastLine(t *testing.T) {
	body := `{"id":"u","status_code":500,"version":"1.23.2","detail":"Unknown error",` +
		`"exc_info":"Traceback (most recent call last):\n  File \"x.py\", line 1, in v\nio_storages.s3.utils.S3StorageError: Debugging info is not available for s3 endpoints on domain: minio\n"}`
	e := parseAPIError(http.StatusInternalServerError, "POST", "/api/storages/s3/", http.Header{"Content-Type": {"application/json"}}, []byte(body))
	const want = "POST /api/storages/s3/: 500 Unknown error: io_storages.s3.utils.S3StorageError: Debugging info is not available for s3 endpoints on domain: minio"
	if e.Error() != want {
		t.Errorf("Error() = %q\nwant      %q", e.Error(), want)
	}
	if msgs := e.Messages(); len(msgs) != 1 || msgs[0] != "Unknown error: io_storages.s3.utils.S3StorageError: Debugging info is not available for s3 endpoints on domain: minio" {
		t.Errorf("Messages() = %q", msgs)
	}
	hidden := parseAPIError(http.StatusInternalServerError, "GET", "/api/x", nil, []byte(`{"id":"u","status_code":500,"version":"1","detail":"Unknown error","exc_info":null}`))
	if hidden.Error() != "GET /api/x: 500 Unknown error" {
		t.Errorf("without exc_info: %q", hidden.Error())
	}
}

// TracebackLastLine is the exception a Python traceback ends with, without
// the blank lines and indentation around it.
func TestTracebackLastLine(t *testing.T) {
	for tb, want := range map[string]string{
		"Traceback (most recent call last):\n  File \"x.py\", line 1, in v\nValueError: bad\n":          "ValueError: bad",
		"Traceback (most recent call last):\r\n  File \"x.py\"\r\n  S3StorageError: no bucket \r\n\r\n": "S3StorageError: no bucket",
		"ValueError: bad": "ValueError: bad",
		"":                "",
	} {
		if got := TracebackLastLine(tb); got != want {
			t.Errorf("TracebackLastLine(%q) = %q, want %q", tb, got, want)
		}
	}
}
