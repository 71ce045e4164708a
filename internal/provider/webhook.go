package provider

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// labelstudio_webhook: a project webhook (label_studio/webhooks: models.py,
// serializers.py, api.py), served by the generic object resource.

type webhookResource = objectResource[client.Webhook]

func newWebhookResource() resource.Resource { return &webhookResource{t: &webhookObject} }

const defaultWebhookTimeout = 5 * time.Minute

// Webhook actions (WebhookAction.ACTIONS in webhooks/models.py; the REVIEW_
// ones exist only in Label Studio Enterprise). The organisation-only ones
// are refused on a project webhook (Webhook.validate_actions).
var (
	webhookActions = []string{
		"PROJECT_CREATED", "PROJECT_UPDATED", "PROJECT_DELETED",
		"TASKS_CREATED", "TASKS_DELETED",
		"ANNOTATION_CREATED", "ANNOTATIONS_CREATED", "ANNOTATION_UPDATED", "ANNOTATIONS_DELETED",
		"LABEL_LINK_CREATED", "LABEL_LINK_UPDATED", "LABEL_LINK_DELETED",
		"REVIEW_CREATED", "REVIEW_UPDATED", "REVIEWS_DELETED",
	}
	webhookOrganizationOnlyActions = []string{"PROJECT_CREATED", "PROJECT_DELETED"}
)

// webhookHeaderName is a key Label Studio's HEADERS_SCHEMA accepts.
var webhookHeaderName = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// webhookMaxHeaders is HEADERS_SCHEMA's maxProperties.
const webhookMaxHeaders = 10

var webhookObject = objectType[client.Webhook]{
	typeName: "webhook",
	noun:     "webhook",
	description: "A Label Studio project webhook (Community and Enterprise): Label Studio sends a POST to `url` when something " +
		"happens in the project (tasks created, annotations created or updated, …). Label Studio switches a webhook off " +
		"after consecutive failed deliveries; with `is_active = true` configured, that shows as a change and the next apply " +
		"switches it back on. Label Studio returns `headers` in clear to anyone who can view webhooks; `headers_wo` keeps " +
		"them out of Terraform's state.",
	idDescription: "Numeric ID of the webhook in Label Studio. Import an existing webhook with this ID.",
	importHint:    "the number Label Studio shows for the webhook, e.g. in GET /api/webhooks/?project=",
	timeouts:      sameTimeouts(defaultWebhookTimeout),
	fields: []fieldSpec{
		{
			name: attrProject, typ: fieldInt64, required: true, forceNew: true,
			description: "ID of the project whose events the webhook sends. Changing it replaces the webhook: Label Studio cannot move a webhook to another project.",
		},
		{
			name: "url", typ: fieldString, required: true, check: webhookURLValidator{},
			description: "Where Label Studio sends the POST requests. Label Studio checks it as a Django URLField, which refuses a host name " +
				"without a dot (a docker-compose or Kubernetes short service name such as `http://ml-backend:9090/hook`): use a dotted name " +
				"(`http://ml-backend.default.svc.cluster.local:9090/hook`) or an IP address. With `SSRF_PROTECTION_ENABLED` on the server, private addresses are refused too.",
		},
		{name: "send_payload", typ: fieldBool, defaults: always(true), description: "Send the objects of the event (tasks, annotations, …) in the request body; when false only the action name is sent."},
		{name: "send_for_all_actions", typ: fieldBool, defaults: always(true), description: "Send every action; when false only those in `actions`."},
		{
			name: "actions", typ: fieldStringSet, defaults: always([]string{}), alwaysSent: true,
			check: setvalidator.All(
				setvalidator.ValueStringsAre(stringvalidator.OneOf(webhookActions...)),
				organizationOnlyActionsValidator{},
			),
			description: "The actions to send when `send_for_all_actions` is false: " + markdownList(webhookActions) +
				" (the REVIEW ones in Label Studio Enterprise). PROJECT_CREATED and PROJECT_DELETED are organisation-level and refused on a project webhook. " +
				"Checked at plan time against the server's action list (`GET /api/webhooks/info/`).",
		},
		{
			name: "headers", typ: fieldStringMap, secret: true, returnedSecret: true,
			check: mapvalidator.All(
				mapvalidator.SizeAtMost(webhookMaxHeaders),
				mapvalidator.KeysAre(stringvalidator.RegexMatches(webhookHeaderName, "a header name of letters, digits, `-` and `_` (Label Studio's HEADERS_SCHEMA)")),
			),
			description: "Extra HTTP headers Label Studio sends with each request, e.g. an `Authorization` token the receiver checks: at most 10, " +
				"names of letters, digits, `-` and `_`. Label Studio returns them on read, so a change made outside Terraform shows in the plan.",
		},
		{name: "is_active", typ: fieldBool, defaults: always(true), description: "Whether Label Studio sends requests. Label Studio sets it to false after consecutive failed deliveries; the next plan then shows the change back to true."},
		{name: "consecutive_failures", typ: fieldInt64, computed: true, description: "Failed deliveries in a row, as Label Studio counts them (null on versions that do not count)."},
		{name: attrCreatedAt, typ: fieldString, computed: true, serverDefault: true, description: "When the webhook was created (ISO 8601)."},
		{name: "updated_at", typ: fieldString, computed: true, description: "When the webhook was last changed (ISO 8601)."},
	},
	api: objectAPI[client.Webhook]{
		create: (*client.Client).CreateWebhook,
		// From the project's list of webhooks (one request for all of them).
		read: func(c *client.Client, ctx context.Context, ref objectRef) (*client.Webhook, error) {
			return c.ReadWebhook(ctx, ref.ID, ref.Project)
		},
		update: (*client.Client).UpdateWebhook,
		delete: (*client.Client).DeleteWebhook,
		candidates: func(c *client.Client, ctx context.Context, body map[string]any) ([]client.Webhook, error) {
			project, _ := body[attrProject].(int64)
			return c.ListWebhooks(ctx, project)
		},
		fields: func(w *client.Webhook) map[string]any { return w.Fields },
	},
	sameField: func(name string, asked, got any) (same, handled bool) {
		if name != "actions" {
			return false, false
		}
		// Label Studio keeps actions as a set of rows: any order.
		return slices.Equal(sortedStrings(asked), sortedStrings(got)), true
	},
	checkPlan: checkWebhookActionsOnServer,
	list: objectList[client.Webhook]{
		description: "Lists the webhooks of a project, with one request.",
		attribute:   attrProject,
		schema:      listschema.Int64Attribute{Required: true, MarkdownDescription: "ID of the project whose webhooks to list."},
		summary:     "Cannot list the Label Studio webhooks",
		fetch: func(ctx context.Context, c *client.Client, filter tftypes.Value) ([]client.Webhook, error) {
			project, err := int64JSON(filter)
			if err != nil {
				return nil, err
			}
			return c.ListWebhooks(ctx, project.(int64))
		},
		title: func(w *client.Webhook) string {
			u, _ := w.Fields["url"].(string)
			return u
		},
	},
}

func markdownList(names []string) string {
	quoted := make([]string, len(names))
	for i, name := range names {
		quoted[i] = "`" + name + "`"
	}
	return strings.Join(quoted, ", ")
}

func sortedStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, elem := range list {
		if s, ok := elem.(string); ok {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// checkWebhookActionsOnServer refuses actions the server's catalogue lacks
// (GET /api/webhooks/info/), e.g. the REVIEW ones on Community Edition. A
// server that cannot say leaves the check to the create.
func checkWebhookActionsOnServer(ctx context.Context, c *client.Client, plan, _ objectValue, diags *diag.Diagnostics) {
	actions := plan.attrs["actions"]
	if c == nil || !actions.IsKnown() || actions.IsNull() {
		return
	}
	asked, err := fieldStringSet.toJSON(actions)
	if err != nil || len(sortedStrings(asked)) == 0 {
		return
	}
	catalogue, err := c.WebhookActions(ctx)
	if err != nil {
		tflog.Debug(ctx, "the webhook action list could not be read; the actions are checked by the create", map[string]any{"error": err.Error()})
		return
	}
	known := make([]string, 0, len(catalogue))
	for name := range catalogue {
		known = append(known, name)
	}
	sort.Strings(known)
	for _, name := range sortedStrings(asked) {
		if _, ok := catalogue[name]; !ok {
			diags.AddAttributeError(path.Root("actions"), "Unknown webhook action",
				fmt.Sprintf("This Label Studio server has no webhook action %s (its list, GET /api/webhooks/info/: %s). The REVIEW actions exist only in Label Studio Enterprise.",
					name, strings.Join(known, ", ")))
		}
	}
}

// organizationOnlyActionsValidator refuses the organisation-level actions,
// which Label Studio refuses on a project webhook with "Project webhook
// can't contain organization-only action." (webhooks/models.py).
type organizationOnlyActionsValidator struct{}

func (organizationOnlyActionsValidator) Description(context.Context) string {
	return "must not contain " + strings.Join(webhookOrganizationOnlyActions, " or ")
}

func (v organizationOnlyActionsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (organizationOnlyActionsValidator) ValidateSet(ctx context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var names []types.String
	resp.Diagnostics.Append(req.ConfigValue.ElementsAs(ctx, &names, false)...)
	for _, name := range names {
		if slices.Contains(webhookOrganizationOnlyActions, name.ValueString()) {
			resp.Diagnostics.AddAttributeError(req.Path, "Organisation-level webhook action",
				fmt.Sprintf("%s is an organisation-level action: Label Studio refuses it on a project webhook (\"Project webhook can't contain organization-only action.\"). "+
					"Remove it from %s; a project webhook can send PROJECT_UPDATED.", name.ValueString(), req.Path))
		}
	}
}

// webhookURLValidator applies the checks of Django's URLField that users
// trip over, so that they fail at plan time with the fix: the scheme, and a
// host that is an IP address, localhost, or a dotted name whose last label
// is letters (Django's URLValidator host pattern).
type webhookURLValidator struct{}

func (webhookURLValidator) Description(context.Context) string {
	return "must be an http(s) URL whose host is an IP address, localhost or a dotted name"
}

func (v webhookURLValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (webhookURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := webhookURLProblem(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Label Studio will refuse this webhook URL", msg)
	}
}

// webhookURLProblem says why Label Studio would refuse raw, or "".
func webhookURLProblem(raw string) string {
	const maxLength = 2048 // the model's max_length
	if len(raw) > maxLength {
		return fmt.Sprintf("The URL has %d characters; Label Studio stores at most %d.", len(raw), maxLength)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Sprintf("%q is not an absolute URL; write it as http://host:port/path.", raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ftp", "ftps":
	default:
		return fmt.Sprintf("%q must start with http:// or https:// (Label Studio's URLField accepts no other scheme for a webhook it can call).", raw)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "localhost" || net.ParseIP(host) != nil {
		return ""
	}
	labels := strings.Split(host, ".")
	last := labels[len(labels)-1]
	if len(labels) == 1 {
		return fmt.Sprintf("Label Studio checks webhook URLs with Django's URLField, which refuses the single-label host name %q (\"Enter a valid URL.\"; label-studio issues #2035, #4659): "+
			"a docker-compose or Kubernetes short service name is not accepted. Use a dotted name that resolves from the Label Studio server "+
			"(e.g. %s.default.svc.cluster.local in Kubernetes, or a name under your own domain) or an IP address.", host, host)
	}
	if !isDjangoTLD(last) {
		return fmt.Sprintf("Label Studio checks webhook URLs with Django's URLField, which refuses the host %q: its last label %q must be letters (a top-level domain such as .com or .local) or xn--. Use such a name or an IP address.", host, last)
	}
	return ""
}

// isDjangoTLD follows URLValidator.tld_re: 2 to 63 letters (non-ASCII
// letters included) or an xn-- label, no leading or trailing hyphen.
func isDjangoTLD(label string) bool {
	if strings.HasPrefix(label, "xn--") {
		return len(label) > 4
	}
	if len(label) < 2 || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
		return false
	}
	for _, r := range label {
		if r != '-' && (r < 'a' || r > 'z') && r < 0xa1 {
			return false
		}
	}
	return true
}
