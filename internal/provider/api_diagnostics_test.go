package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// TestTimeoutAdviceNamesTheSettingThatExpired: a request timeout points at
// request_timeout, the operation's deadline at timeouts.<operation>.
func TestTimeoutAdviceNamesTheSettingThatExpired(t *testing.T) {
	requestTimeout := &client.RequestError{Method: "POST", Path: "/api/projects/", Attempts: 1, Written: true,
		Err: fmt.Errorf("%w (30s)", client.ErrRequestTimeout)}
	operation := &client.RequestError{Method: "GET", Path: "/api/projects/3/", Attempts: 2, Err: context.DeadlineExceeded}

	got := timeoutAdvice(requestTimeout, "create")
	if !strings.Contains(got, `raise request_timeout in the provider block`) || strings.Contains(got, `timeouts = {`) {
		t.Errorf("request timeout advice: %s", got)
	}
	got = timeoutAdvice(operation, "read")
	if !strings.Contains(got, `timeouts.read`) || !strings.Contains(got, `timeouts = { read = "20m" }`) || strings.Contains(got, "request_timeout") {
		t.Errorf("operation timeout advice: %s", got)
	}
	if timeoutAdvice(errors.New("connection refused"), "create") != "" {
		t.Error("advice for an error that is no timeout")
	}
}

// TestStorageErrorsSayWhatWasRequested: every storage diagnostic built from
// a server answer names the method, the path and the attempts.
func TestStorageErrorsSayWhatWasRequested(t *testing.T) {
	r := testStorage(t, "s3", client.Import)
	var diags diag.Diagnostics
	r.addAPIError(&diags, "create", "Cannot create the storage", &client.APIError{
		StatusCode: 400, Method: "POST", Path: "/api/storages/s3/", Detail: "Validation error", Attempts: 2,
		ValidationErrors: map[string][]string{"bucket": {"Invalid bucket."}, "non_field_errors": {"Something else."}},
	}, nil)
	if len(diags) != 2 {
		t.Fatalf("diagnostics = %v, want the field error and the general one", diags)
	}
	for _, d := range diags {
		if !strings.Contains(d.Detail(), "(POST /api/storages/s3/ answered 400 after 2 attempts)") {
			t.Errorf("%q does not say what was requested", d.Detail())
		}
	}
	if withPath, ok := diags[0].(diag.DiagnosticWithPath); !ok || !withPath.Path().Equal(path.Root("bucket")) {
		t.Errorf("first diagnostic is not on bucket: %v", diags[0])
	}
}
