package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/syncengine"
)

func TestTruncateTracebackKeepsTheException(t *testing.T) {
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, "  File \"/label_studio/io_storages/base_models.py\", line %d, in sync\n", i)
	}
	b.WriteString("botocore.exceptions.ClientError: An error occurred (NoSuchBucket)")
	full := b.String()

	got := truncateTraceback(full, 500)

	if len(got) > 560 {
		t.Errorf("kept %d bytes, want about 500", len(got))
	}
	if !strings.HasSuffix(got, "(NoSuchBucket)") || !strings.HasPrefix(got, "[… ") || !strings.Contains(got, "earlier bytes left out]\n  File") {
		t.Errorf("truncated traceback should note the cut and start at a line:\n%s", got)
	}
	if short := "ValueError: bad"; truncateTraceback(short, 500) != short {
		t.Error("a short traceback was changed")
	}
}

func TestSyncResultDiagnostics(t *testing.T) {
	ref := client.StorageRef{Kind: "s3", Direction: client.Import, ID: 5}
	traceback := "Task 3: annotations without data"
	count := int64(7)
	withErrors := syncengine.Result{Ref: ref, Status: syncengine.StatusCompletedWithErrors, LastSyncCount: &count, Traceback: &traceback}

	for _, tc := range []struct {
		name   string
		result syncengine.Result
		policy string
		want   diag.Severity
		text   []string
	}{
		{"completed", syncengine.Result{Ref: ref, Status: syncengine.StatusCompleted}, "warn", 0, nil},
		{"with errors, warn", withErrors, "warn", diag.SeverityWarning, []string{"s3 import storage 5", "7 new tasks", traceback}},
		{"with errors, fail", withErrors, "fail", diag.SeverityError, []string{"completed with errors", traceback}},
		{"failed", syncengine.Result{Ref: ref, Status: syncengine.StatusFailed}, "warn", diag.SeverityError, []string{"failed", "no traceback"}},
		{"timeout", syncengine.Result{Ref: ref, Status: syncengine.StatusInProgress, Err: fmt.Errorf("stopped waiting for the sync: %w", context.DeadlineExceeded)}, "warn", diag.SeverityError, []string{"within the timeout of 10m0s", `"in_progress"`}},
		{"refused", syncengine.Result{Ref: ref, Err: errors.New("400 Storage 5 is not synchronizable")}, "warn", diag.SeverityError, []string{"could not be run", "not synchronizable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			diags := syncResultDiagnostics([]syncengine.Result{tc.result}, tc.policy, 10*time.Minute)
			if tc.want == 0 {
				if len(diags) != 0 {
					t.Fatalf("diagnostics for a clean sync: %v", diags)
				}
				return
			}
			if len(diags) != 1 || diags[0].Severity() != tc.want {
				t.Fatalf("diagnostics = %v, want one of severity %v", diags, tc.want)
			}
			for _, text := range tc.text {
				if !strings.Contains(diags[0].Summary()+" "+diags[0].Detail(), text) {
					t.Errorf("diagnostic %q / %q lacks %q", diags[0].Summary(), diags[0].Detail(), text)
				}
			}
		})
	}
}

// TestSyncProgressNamesAttempts: a restarted import sync says which attempt
// failed, why, and which one starts.
func TestSyncProgressNamesAttempts(t *testing.T) {
	ref := client.StorageRef{Kind: "s3", Direction: client.Import, ID: 5}
	traceback := "Traceback (most recent call last):\n  ...\nRuntimeError: job was not found in redis"
	failed := syncengine.Result{Ref: ref, Status: syncengine.StatusFailed, Traceback: &traceback}
	for _, tc := range []struct {
		ev   syncengine.Event
		want string
	}{
		{syncengine.Event{Kind: syncengine.EventRestart, Ref: ref, Attempt: 2, MaxAttempts: 3, Result: &failed},
			"Sync of the s3 import storage 5 failed (attempt 1 of 3): RuntimeError: job was not found in redis; it will be started again, importing only what the failed run missed"},
		{syncengine.Event{Kind: syncengine.EventStarted, Ref: ref, Attempt: 2, MaxAttempts: 3},
			"Starting the sync of the s3 import storage 5 again (attempt 2 of 3)"},
		{syncengine.Event{Kind: syncengine.EventFinished, Ref: ref, Status: syncengine.StatusCompleted, Attempt: 2, Elapsed: 3 * time.Second},
			"Sync of the s3 import storage 5 ended completed after 3s and 2 attempts"},
	} {
		if got := syncProgressMessage(tc.ev); got != tc.want {
			t.Errorf("message\n got  %q\n want %q", got, tc.want)
		}
	}
	failed.Attempts = make([]syncengine.Attempt, 3)
	diags := syncResultDiagnostics([]syncengine.Result{failed}, "warn", time.Minute)
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "failed after 3 attempts") {
		t.Errorf("diagnostics = %v, want the failure after 3 attempts", diags)
	}
}

// A restart's progress message quotes the exception the failed run's
// traceback ends with, as the client's API errors do.
func TestSyncProgressQuotesTheTracebacksLastLine(t *testing.T) {
	traceback := "Traceback (most recent call last):\n  File \"base_models.py\", line 3, in sync\n    S3StorageError: no bucket\n\n"
	ev := syncengine.Event{Kind: syncengine.EventRestart, Ref: client.StorageRef{Kind: "s3", Direction: client.Import, ID: 5},
		Attempt: 2, MaxAttempts: 3, Result: &syncengine.Result{Traceback: &traceback}}
	got := syncProgressMessage(ev)
	if !strings.Contains(got, "(attempt 1 of 3): S3StorageError: no bucket; it will be started again") {
		t.Errorf("progress message: %q", got)
	}
}
