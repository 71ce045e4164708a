package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/redact"
)

// apiFailure says how to report one failed call to Label Studio.
type apiFailure struct {
	summary string
	// operation is the timeouts key that bounds the call (create, read,
	// update, delete, invoke); "" where no timeouts block does (data
	// sources, list resources).
	operation string
	// attribute reports whether a field the server names is an attribute
	// of the configuration, which then carries the field's messages.
	attribute func(field string) bool
	// secrets are configured values scrubbed from every text.
	secrets []string
	// about goes before every detail that has no attribute, e.g. which of
	// several storages the call was for.
	about string
}

// apiErrorDiagnostics turns a failed call into what the user sees: the
// messages about an attribute of the configuration on that attribute, the
// rest in one error, each message first, then what was requested (method,
// path, attempts), and for the server messages users trip over what to do.
// A timeout names the setting that expired. No configured secret survives.
func apiErrorDiagnostics(err error, f apiFailure) diag.Diagnostics {
	var diags diag.Diagnostics
	scrub := redact.New(f.secrets)
	addError := func(detail string) { diags.AddError(f.summary, scrub.Redact(f.about+detail)) }
	if advice := timeoutAdvice(err, f.operation); advice != "" {
		addError(advice)
		return diags
	}
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || len(apiErr.ValidationErrors) == 0 {
		addError(explainServerMessage(err.Error()))
		return diags
	}

	requested := requestSummary(apiErr)
	fieldErrs := apiErr.FieldErrors()
	fields := make([]string, 0, len(fieldErrs))
	for field := range fieldErrs {
		fields = append(fields, field)
	}
	sort.Strings(fields)
	var unattached []string
	for _, field := range fields {
		msg := explainServerMessage(strings.Join(fieldErrs[field], " "))
		if f.attribute != nil && f.attribute(field) {
			diags.AddAttributeError(path.Root(field), f.summary, scrub.Redact("Label Studio rejected "+field+": "+msg+" ("+requested+")"))
			continue
		}
		unattached = append(unattached, field+": "+msg)
	}
	for _, msg := range apiErr.Messages() {
		unattached = append(unattached, explainServerMessage(msg))
	}
	if len(unattached) > 0 {
		addError(strings.Join(unattached, "; ") + " (" + requested + ")")
	}
	return diags
}

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
		advice := fmt.Sprintf("Label Studio did not answer one request within the provider's request_timeout: %v. "+
			"If the server is slow, raise request_timeout in the provider block, e.g. request_timeout = \"2m\"", err)
		if operation == "" {
			return advice + "."
		}
		return advice + fmt.Sprintf(" (timeouts.%s bounds the whole operation, retries included).", operation)
	case errors.Is(err, context.DeadlineExceeded) && operation != "":
		return fmt.Sprintf("The %s did not finish within the resource's timeouts.%s: %v. "+
			"If the server or the storage is slow, raise it, e.g. timeouts = { %s = \"20m\" }.", operation, operation, err, operation)
	}
	return ""
}

// explainServerMessage adds the fix to server messages users trip over.
func explainServerMessage(msg string) string {
	if strings.Contains(msg, "Serving local files can be dangerous") {
		return "Label Studio does not serve local files: set LOCAL_FILES_SERVING_ENABLED=true and LOCAL_FILES_DOCUMENT_ROOT to a parent directory of path in the Label Studio server's environment (LABEL_STUDIO_-prefixed names work too), then restart it. Server message: " + msg
	}
	if strings.Contains(msg, "must be a subdirectory of LOCAL_FILES_DOCUMENT_ROOT") || strings.Contains(msg, "cannot be the same as LOCAL_FILES_DOCUMENT_ROOT") {
		return "path must be a directory strictly below the Label Studio server's LOCAL_FILES_DOCUMENT_ROOT: choose a subdirectory of it, or change LOCAL_FILES_DOCUMENT_ROOT in the server's environment. Server message: " + msg
	}
	if strings.Contains(msg, "Error validating storage connection") {
		return msg + ". Label Studio does not say why: check the bucket or container, prefix, path or host, the credentials, and that the Label Studio server can reach the storage."
	}
	return msg
}
