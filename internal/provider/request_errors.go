package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// requestSummary says what was requested and how often, for diagnostics
// that show only the server's messages: "POST /api/projects/ answered 400"
// or "… answered 429 after 6 attempts".
func requestSummary(apiErr *client.APIError) string {
	s := fmt.Sprintf("%s %s answered %d", apiErr.Method, apiErr.Path, apiErr.StatusCode)
	if apiErr.Attempts > 1 {
		s += fmt.Sprintf(" after %d attempts", apiErr.Attempts)
	}
	return s
}

// timeoutAdvice explains a timeout and names the setting that expired: the
// provider's request_timeout (one HTTP request) or the resource's
// timeouts.<operation> (the whole operation). It is "" for other errors.
func timeoutAdvice(err error, operation string) string {
	switch {
	case errors.Is(err, client.ErrRequestTimeout):
		return fmt.Sprintf("Label Studio did not answer one request within the provider's request_timeout: %v. "+
			"If the server is slow, raise request_timeout in the provider block, e.g. request_timeout = \"2m\" (timeouts.%s bounds the whole operation, retries included).", err, operation)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("The %s did not finish within the resource's timeouts.%s: %v. "+
			"If the server or the storage is slow, raise it, e.g. timeouts = { %s = \"20m\" }.", operation, operation, err, operation)
	}
	return ""
}
