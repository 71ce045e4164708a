package provider

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/redact"
)

// labelstudio_ml_backend: a model server connected to a project
// (label_studio/ml: models.py, serializers.py, api.py), served by the
// generic object resource.

type mlBackendResource = objectResource[client.MLBackend]

func newMLBackendResource() resource.Resource { return &mlBackendResource{t: &mlBackendObject} }

// A create or update waits for the model's /health and /setup, twice
// (validation, then update_state): a model that loads on setup takes long.
const defaultMLBackendTimeout = 5 * time.Minute

const (
	mlAuthNone  = "NONE"
	mlAuthBasic = "BASIC_AUTH"
	attrMLURL   = "url"
	attrMLUser  = "basic_auth_user"
	attrMLPass  = "basic_auth_pass"
	attrMLAuth  = "auth_method"
)

// mlBackendFields are MLBackendSerializer's fields (ml/serializers.py)
// with the model defaults (ml/models.py). url, project, auth_method and the
// basic-auth pair go into every update: Label Studio validates an update's
// body alone, calling the model with it (MLBackendSerializer.validate).
var mlBackendFields = []fieldSpec{
	{
		name: attrProject, typ: fieldInt64, required: true, forceNew: true, alwaysSent: true,
		description: "ID of the project the model serves. Label Studio sends the project's label config to the model's `/setup`, so the project must have the label config the model expects. Changing it replaces the ML backend.",
	},
	{
		name: attrMLURL, typ: fieldString, required: true, alwaysSent: true, check: mlBackendURLValidator{},
		description: "Where the model server listens, e.g. `http://ml-backend:9090`. Label Studio calls it (`/health`, `/setup`, `/predict`) from the Label Studio server, " +
			"so the address must resolve and be reachable from there, not from the machine running Terraform. Unlike a webhook URL, a single-label host such as a docker-compose service name is accepted. " +
			"Every create, update and read makes Label Studio call `/health` and `/setup`; a failed call on create or update is an error on this attribute.",
	},
	{name: "title", typ: fieldString, defaults: always("default"), description: "Name of the model in Label Studio. The project's `model_version` follows it when it named this backend."},
	{name: "description", typ: fieldString, defaults: always(""), description: "Description shown in the project's model settings."},
	{name: "is_interactive", typ: fieldBool, defaults: always(false), description: "Use the model for interactive pre-annotation: the labeling interface asks it for predictions while an annotator works (smart tools, auto-annotation)."},
	{name: "timeout", typ: fieldFloat, defaults: always(100.0), description: "Seconds Label Studio waits for the model's predictions."},
	{
		name: attrMLAuth, typ: fieldString, defaults: always(mlAuthNone), alwaysSent: true,
		check:       stringvalidator.OneOf(mlAuthNone, mlAuthBasic),
		description: "How Label Studio authenticates to the model server: `NONE` or `BASIC_AUTH` (HTTP basic authentication with `basic_auth_user` and `basic_auth_pass`, which are then both required).",
	},
	{name: attrMLUser, typ: fieldString, defaults: always(""), alwaysSent: true, description: "User name for `auth_method = \"BASIC_AUTH\"`."},
	{
		name: attrMLPass, typ: fieldString, secret: true, alwaysSent: true,
		description: "Password for `auth_method = \"BASIC_AUTH\"`. Label Studio never returns it, so a change made outside Terraform does not show; it is sent with every update, as Label Studio checks the pair on every request.",
	},
	{name: "extra_params", typ: fieldJSON, description: "A JSON document (use `jsonencode`) Label Studio passes to the model's `/setup` as `extra_params`. Compared by meaning: key order and spacing never show as a change."},
	{name: "auto_update", typ: fieldBool, defaults: always(true), description: "Let Label Studio take the model's version from every `/setup` answer into `model_version`."},
	{name: "state", typ: fieldString, computed: true, description: "The connection's state as of the last call Label Studio made to the model: `CO` connected, `DI` disconnected (`/health` failed), `ER` error (`/setup` failed), `TR` training, `PR` predicting. Every read re-checks it; a change never shows as a difference."},
	{name: "error_message", typ: fieldString, computed: true, description: "Why the last `/setup` failed (null when it succeeded)."},
	{name: "model_version", typ: fieldString, computed: true, description: "The model version the model's `/setup` last reported (with `auto_update`)."},
	{name: attrCreatedAt, typ: fieldString, computed: true, serverDefault: true, description: "When the ML backend was created (ISO 8601)."},
}

var mlBackendObject = objectType[client.MLBackend]{
	typeName: "ml_backend",
	noun:     "ML backend",
	description: "A model server connected to a Label Studio project (Community and Enterprise), such as one built with label-studio-ml-backend. " +
		"Label Studio calls the model's `/health` and `/setup` (with the project's label config) on create, on every update and on every read; a create or update fails when they do. " +
		"Creating an ML backend also makes Label Studio create a project webhook to `<url>/webhook`, which it never deletes (see the guide *Connect a model*). " +
		"Label Studio never returns `basic_auth_pass`; `basic_auth_pass_wo` keeps it out of Terraform's state.",
	idDescription: "Numeric ID of the ML backend in Label Studio. Import an existing ML backend with this ID.",
	importHint:    "the number Label Studio shows for the ML backend, e.g. in GET /api/ml/?project=",
	timeouts:      sameTimeouts(defaultMLBackendTimeout),
	fields:        mlBackendFields,
	api: objectAPI[client.MLBackend]{
		create:     (*client.Client).CreateMLBackend,
		read:       readByID((*client.Client).GetMLBackend),
		update:     (*client.Client).UpdateMLBackend,
		delete:     (*client.Client).DeleteMLBackend,
		candidates: projectCandidates((*client.Client).ListMLBackends),
		fields:     func(b *client.MLBackend) map[string]any { return b.Fields },
	},
	sameField: func(name string, asked, got any) (same, handled bool) {
		if name != "timeout" {
			return false, false
		}
		// Label Studio returns the float as 100.0 for a sent 100.
		return sameNumber(asked, got), true
	},
	validate: validateMLBackendAuth,
	apiError: reportMLBackendError,
	list: objectList[client.MLBackend]{
		description: "Lists the ML backends of a project, with one request (Label Studio re-checks each model while answering).",
		attribute:   attrProject,
		schema:      listschema.Int64Attribute{Required: true, MarkdownDescription: "ID of the project whose ML backends to list."},
		summary:     "Cannot list the Label Studio ML backends",
		fetch:       projectFetch((*client.Client).ListMLBackends),
		title: func(b *client.MLBackend) string {
			title, _ := b.Fields["title"].(string)
			u, _ := b.Fields[attrMLURL].(string)
			return title + " (" + u + ")"
		},
	},
}

// sameNumber compares two JSON numbers by value.
func sameNumber(asked, got any) bool {
	parse := func(v any) (*big.Float, bool) {
		f, _, err := big.ParseFloat(fmt.Sprint(v), 10, 64, big.ToNearestEven)
		return f, err == nil
	}
	a, okA := parse(asked)
	b, okB := parse(got)
	return okA && okB && a.Cmp(b) == 0
}

// validateMLBackendAuth refuses half a basic-auth pair at plan time, on
// the half that is there: Label Studio refuses BASIC_AUTH without both
// (MLBackendSerializer.validate), and calls the model with basic
// authentication whenever both are set.
func validateMLBackendAuth(config objectValue, diags *diag.Diagnostics) {
	passWO := writeOnlyName(attrMLPass)
	for _, name := range []string{attrMLAuth, attrMLUser, attrMLPass, passWO} {
		if !config.attrs[name].IsKnown() {
			return
		}
	}
	var method, user string
	_ = config.attrs[attrMLAuth].As(&method)
	_ = config.attrs[attrMLUser].As(&user)
	hasUser := user != ""
	passName := attrMLPass
	if config.has(passWO) {
		passName = passWO
	}
	_, hasPass := configuredValue(config, attrMLPass)
	const refusal = "Label Studio refuses basic authentication without both (\"Authentication username and password is required for Basic Authentication.\")"
	password := fmt.Sprintf("%s (or %s with %s)", attrMLPass, passWO, versionName(attrMLPass))
	switch {
	case hasUser && !hasPass:
		diags.AddAttributeError(path.Root(attrMLUser), "Half a basic-auth pair",
			fmt.Sprintf("%s is set without %s: %s. Set the password the model server expects, or remove %s when it needs no authentication.", attrMLUser, password, refusal, attrMLUser))
	case hasPass && !hasUser:
		diags.AddAttributeError(path.Root(passName), "Half a basic-auth pair",
			fmt.Sprintf("%s is set without %s: %s. Set the user the model server expects, or remove %s when it needs no authentication.", passName, attrMLUser, refusal, passName))
	case method == mlAuthBasic && !hasUser:
		diags.AddAttributeError(path.Root(attrMLAuth), "Basic authentication needs a user and a password",
			fmt.Sprintf("auth_method = %q needs %s and %s: %s.", mlAuthBasic, attrMLUser, password, refusal))
	}
}

// reportMLBackendError puts Label Studio's refusals of the model server on
// url, saying which call failed and what to check; other errors get the
// generic diagnostics.
func reportMLBackendError(diags *diag.Diagnostics, operation, summary string, err error, secrets []string) {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		for _, msg := range apiErr.Messages() {
			if advice := mlBackendCheckAdvice(msg); advice != "" {
				diags.AddAttributeError(path.Root(attrMLURL), summary,
					redact.Secrets(advice+" Label Studio's message: "+msg+" ("+requestSummary(apiErr)+")", secrets))
				return
			}
		}
	}
	diags.Append(apiErrorDiagnostics(err, apiFailure{summary: summary, operation: operation, secrets: secrets, attribute: isMLBackendAttribute})...)
}

func isMLBackendAttribute(name string) bool {
	for _, f := range mlBackendFields {
		if f.name == name && !f.computed {
			return true
		}
	}
	return false
}

// reachableAdvice says from where the model must be reachable.
const reachableAdvice = "The address is resolved and called by the Label Studio server, not by the machine running Terraform: " +
	"check that the model server is up and that url names it as the Label Studio server sees it (in docker-compose, its service name; " +
	"localhost there is the Label Studio container itself), and that no firewall is in the way."

// mlBackendCheckAdvice explains Label Studio's messages about the model
// server (ml/serializers.py, core/utils/io.py), or is "".
func mlBackendCheckAdvice(msg string) string {
	switch {
	case strings.Contains(msg, "health check failed"):
		return "Label Studio could not reach the model: its health check (GET /health on url) failed. " + reachableAdvice
	case strings.Contains(msg, "authentication parameters were either not provided or are incorrect"):
		return "The model's /health refused Label Studio's credentials (401): check auth_method, basic_auth_user and basic_auth_pass against the user and password the model server expects (BASIC_AUTH_USER and BASIC_AUTH_PASS for label-studio-ml-backend)."
	case strings.Contains(msg, "doesn't look like a valid ML backend"):
		return "Label Studio reached the model's /health, but its setup call (POST /setup on url) failed: the model refused the project's label config or extra_params. " +
			"Check that the project's label config has the tags and labels the model expects (its from_name, to_name and labels), and read the model server's log for the reason."
	case strings.Contains(msg, "URLs must begin with http:// or https://"):
		return "Label Studio refused the URL: it must begin with http:// or https://, and with ML_BLOCK_LOCAL_IP set on the server it cannot be a local address."
	case strings.Contains(msg, "Can't resolve hostname"):
		return "The Label Studio server cannot resolve the model server's host name. " + reachableAdvice
	}
	return ""
}

// mlBackendURLValidator checks at plan time what Label Studio's
// validate_upload_url refuses outright: a scheme other than http or https.
type mlBackendURLValidator struct{}

func (mlBackendURLValidator) Description(context.Context) string {
	return "must be an http:// or https:// URL with a host"
}

func (v mlBackendURLValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (mlBackendURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Label Studio will refuse this ML backend URL",
			fmt.Sprintf("%q is not an http:// or https:// URL with a host; Label Studio accepts no other (\"URLs must begin with http:// or https://\"). Write it as http://host:port, with the host as the Label Studio server reaches the model.", raw))
	}
}
