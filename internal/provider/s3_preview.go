package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/redact"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/storagepreview"
)

// The S3 storage preview, served as a data source and as an ephemeral
// resource: its model, its attributes, their checks and the run.

type s3PreviewModel struct {
	Bucket             types.String `tfsdk:"bucket"`
	Prefix             types.String `tfsdk:"prefix"`
	RegexFilter        types.String `tfsdk:"regex_filter"`
	RecursiveScan      types.Bool   `tfsdk:"recursive_scan"`
	UseBlobURLs        types.Bool   `tfsdk:"use_blob_urls"`
	Presign            types.Bool   `tfsdk:"presign"`
	RegionName         types.String `tfsdk:"region_name"`
	S3Endpoint         types.String `tfsdk:"s3_endpoint"`
	AWSAccessKeyID     types.String `tfsdk:"aws_access_key_id"`
	AWSSecretAccessKey types.String `tfsdk:"aws_secret_access_key"`
	AWSSessionToken    types.String `tfsdk:"aws_session_token"`
	MaxObjects         types.Int64  `tfsdk:"max_objects"`
	Origin             types.String `tfsdk:"origin"`
	Direction          types.String `tfsdk:"direction"`
	CheckWrite         types.Bool   `tfsdk:"check_write"`

	ObjectCount    types.Int64          `tfsdk:"object_count"`
	Truncated      types.Bool           `tfsdk:"truncated"`
	Keys           []types.String       `tfsdk:"keys"`
	TaskFileErrors []taskFileErrorModel `tfsdk:"task_file_errors"`
	CORS           *previewCheckModel   `tfsdk:"cors"`
	Write          *previewCheckModel   `tfsdk:"write"`
}

type taskFileErrorModel struct {
	Key     types.String `tfsdk:"key"`
	Message types.String `tfsdk:"message"`
}

type previewCheckModel struct {
	Status  types.String `tfsdk:"status"`
	Message types.String `tfsdk:"message"`
}

// s3FieldDescription is the description of an S3 storage field in the kinds
// table, so the preview's inputs read as the storage's.
func s3FieldDescription(name string) string {
	for _, f := range append(append([]fieldSpec{}, commonFields...), s3Fields...) {
		if f.name == name {
			return f.description
		}
	}
	return ""
}

// previewDescription is the data source's and the ephemeral resource's.
const previewDescription = "Previews an S3 storage before it syncs, from the machine that runs Terraform: which objects the next " +
	"import sync would consider (Label Studio's own listing rules), whether their task files parse, whether a browser at " +
	"Label Studio's origin may load them (the bucket's CORS rules), and, for an export storage, whether it can write. " +
	"It reads the bucket with the same settings as `labelstudio_s3_import_storage` and does not contact Label Studio."

// previewShape is the Terraform type of a preview attribute.
type previewShape int

const (
	shapeString previewShape = iota
	shapeBool
	shapeInt64
	shapeStringList
	// shapeCheck is an object {status, message}; shapeProblems a list of
	// objects {key, message}.
	shapeCheck
	shapeProblems
)

// previewAttribute is one attribute of the preview; the data source and the
// ephemeral resource render the same table into their schema packages.
type previewAttribute struct {
	name        string
	shape       previewShape
	required    bool
	computed    bool
	sensitive   bool
	description string
	// nested describes the fields of shapeCheck and shapeProblems.
	nested  map[string]string
	strings []validator.String
	ints    []validator.Int64
}

const checkMessageDescription = "What was found and, when something is missing, what to change."

var previewAttributes = []previewAttribute{
	{name: "bucket", shape: shapeString, required: true, description: s3FieldDescription("bucket"), strings: []validator.String{bucketNameValidator()}},
	{name: "prefix", shape: shapeString, description: "Key prefix (folder) inside the bucket. A sync lists `prefix` with one trailing `/`, as Label Studio does."},
	{name: "regex_filter", shape: shapeString, strings: []validator.String{regexFilterValidator()},
		description: s3FieldDescription("regex_filter") + " When Go cannot evaluate the Python pattern (lookarounds, backreferences, ...), the preview warns and leaves `object_count` and `keys` null."},
	{name: "recursive_scan", shape: shapeBool, description: s3FieldDescription("recursive_scan")},
	{name: "use_blob_urls", shape: shapeBool, description: "As the import storage's: `true` makes every object one task holding its URL (media); " +
		"`false` (default) reads every object as JSON task data, and the preview reads and checks the first few matching objects as task files."},
	{name: "presign", shape: shapeBool, description: "As the import storage's `presign` (default `true`): with presigned URLs the browser loads the objects " +
		"from the bucket and CORS is checked; with `false` Label Studio proxies them and `cors.status` is `not_needed`."},
	{name: "region_name", shape: shapeString, description: s3FieldDescription("region_name") + " Unset: the AWS chain's region (`AWS_REGION`, the profile), else `us-east-1`."},
	{name: "s3_endpoint", shape: shapeString, description: s3FieldDescription("s3_endpoint"), strings: []validator.String{httpURLValidator()}},
	{name: "aws_access_key_id", shape: shapeString, sensitive: true, description: "AWS access key ID, given together with `aws_secret_access_key`. Leave both out to use the standard AWS credential chain " +
		"of the machine that runs Terraform (environment, shared config and profiles, SSO, web identity), which may differ from Label Studio's. " +
		"The data source keeps its arguments in state, so Terraform refuses ephemeral values in them; the ephemeral resource " +
		"`labelstudio_s3_storage_preview` takes them and keeps nothing."},
	{name: "aws_secret_access_key", shape: shapeString, sensitive: true, description: "AWS secret access key, given together with `aws_access_key_id`."},
	{name: "aws_session_token", shape: shapeString, sensitive: true, description: "AWS session token of temporary credentials; needs the access key pair."},
	{name: "max_objects", shape: shapeInt64, ints: []validator.Int64{int64validator.AtLeast(1)},
		description: fmt.Sprintf("How many listed objects to examine (default %d); `truncated` tells when the bucket holds more. Listing takes one request per 1000 objects.", storagepreview.DefaultMaxObjects)},
	{name: "origin", shape: shapeString, strings: []validator.String{httpURLValidator()},
		description: "The origin (`https://host[:port]`) of Label Studio in the browser, whose requests the CORS rules must allow. Default: the origin of the provider's `url`."},
	{name: "direction", shape: shapeString, strings: []validator.String{stringvalidator.OneOf("import", "export")},
		description: "`import` (default) previews a source storage; `export` a target storage, where only the bucket's answer and, with `check_write`, write access are checked."},
	{name: "check_write", shape: shapeBool,
		description: "With `direction = \"export\"`: write one small object named `" + storagepreview.ProbePrefix + "<random>` under the prefix (where Label Studio's export writes) and delete it again, at every read. Default `false`."},

	{name: "object_count", shape: shapeInt64, computed: true, description: "How many objects the next import sync would consider (before skipping those already imported): " +
		"the listing of the prefix with one trailing `/`, direct children only unless `recursive_scan`, without keys ending in `/`, filtered by `regex_filter` with Python's `re.match` on the full key. " +
		"With `use_blob_urls = true` each becomes one task; a JSON file may hold several. Null for export, and when the regex cannot be evaluated."},
	{name: "truncated", shape: shapeBool, computed: true, description: "`true` when listing stopped at `max_objects`: the bucket holds more, and `object_count` counts the matches among the first `max_objects` objects."},
	{name: "keys", shape: shapeStringList, computed: true, description: fmt.Sprintf("The first %d matching keys, in key order.", storagepreview.MaxKeys)},
	{name: "task_file_errors", shape: shapeProblems, computed: true,
		description: fmt.Sprintf("With `use_blob_urls = false`: the problems a sync would meet in the first %d matching objects, read as Label Studio reads task files (one task object, a JSON array of tasks, or JSON Lines).", storagepreview.TaskFilesChecked),
		nested:      map[string]string{"key": "Object key.", "message": "The problem, e.g. `not JSON` or `task 2: \"data\" must be an object`."}},
	{name: "cors", shape: shapeCheck, computed: true, description: "Whether a browser at `origin` may GET the objects, from the bucket's CORS rules.",
		nested: map[string]string{"message": checkMessageDescription,
			"status": "`allowed`, `denied` (the message names the missing part and shows a rule that works), `cannot_check` (the rules cannot be read: permission, or a server without bucket CORS) or `not_needed` (export, or `presign = false`)."}},
	{name: "write", shape: shapeCheck, computed: true, description: "Whether an export storage can write under the prefix.",
		nested: map[string]string{"message": checkMessageDescription, "status": "`ok`, `denied`, or `not_checked` (without `check_write`)."}},
}

// dataSourceAttribute renders a preview attribute. The ephemeral resource
// takes it as it is: every schema package's attributes are fwschema
// attributes, and these use nothing a data source alone has.
func dataSourceAttribute(a previewAttribute) schema.Attribute {
	optional := !a.required && !a.computed
	nested := func() map[string]schema.Attribute {
		out := map[string]schema.Attribute{}
		for name, description := range a.nested {
			out[name] = schema.StringAttribute{Computed: true, MarkdownDescription: description}
		}
		return out
	}
	switch a.shape {
	case shapeBool:
		return schema.BoolAttribute{Optional: optional, Computed: a.computed, MarkdownDescription: a.description}
	case shapeInt64:
		return schema.Int64Attribute{Optional: optional, Computed: a.computed, MarkdownDescription: a.description, Validators: a.ints}
	case shapeStringList:
		return schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: a.description}
	case shapeCheck:
		return schema.SingleNestedAttribute{Computed: true, MarkdownDescription: a.description, Attributes: nested()}
	case shapeProblems:
		return schema.ListNestedAttribute{Computed: true, MarkdownDescription: a.description, NestedObject: schema.NestedAttributeObject{Attributes: nested()}}
	}
	return schema.StringAttribute{Required: a.required, Optional: optional, Computed: a.computed, Sensitive: a.sensitive,
		MarkdownDescription: a.description, Validators: a.strings}
}

// validatePreview checks the settings that go together.
func validatePreview(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) {
	var m s3PreviewModel
	diags.Append(config.Get(ctx, &m)...)
	if diags.HasError() {
		return
	}
	if m.CheckWrite.ValueBool() && m.Direction.ValueString() != "export" && !m.Direction.IsUnknown() {
		diags.AddAttributeError(path.Root("check_write"), "check_write needs direction = \"export\"",
			"Only export storages write to the bucket. Set direction = \"export\", or remove check_write.")
	}
	keyID, secretKey := m.AWSAccessKeyID, m.AWSSecretAccessKey
	if !keyID.IsUnknown() && !secretKey.IsUnknown() && (keyID.ValueString() == "") != (secretKey.ValueString() == "") {
		missing := "aws_secret_access_key"
		if keyID.ValueString() == "" {
			missing = "aws_access_key_id"
		}
		diags.AddAttributeError(path.Root(missing), "Access key ID and secret access key go together",
			"Set both aws_access_key_id and aws_secret_access_key, or neither to use the standard AWS credential chain.")
	}
	if m.AWSSessionToken.ValueString() != "" && !keyID.IsUnknown() && keyID.ValueString() == "" {
		diags.AddAttributeError(path.Root("aws_session_token"), "Session token without an access key",
			"A session token needs aws_access_key_id and aws_secret_access_key of the same temporary credentials.")
	}
}

// runPreview previews the configured storage and returns the configuration
// with its results, or nil after reporting an error.
func runPreview(ctx context.Context, config tfsdk.Config, labelStudioURL string, diags *diag.Diagnostics) *s3PreviewModel {
	m := &s3PreviewModel{}
	diags.Append(config.Get(ctx, m)...)
	if diags.HasError() {
		return nil
	}
	// The SDK's and the servers' messages may quote what was sent.
	secrets := redact.New([]string{m.AWSAccessKeyID.ValueString(), m.AWSSecretAccessKey.ValueString(), m.AWSSessionToken.ValueString()})
	backend, err := storagepreview.NewS3(ctx, storagepreview.S3Config{
		Bucket:          m.Bucket.ValueString(),
		Region:          m.RegionName.ValueString(),
		Endpoint:        m.S3Endpoint.ValueString(),
		AccessKeyID:     m.AWSAccessKeyID.ValueString(),
		SecretAccessKey: m.AWSSecretAccessKey.ValueString(),
		SessionToken:    m.AWSSessionToken.ValueString(),
	})
	if err != nil {
		addPreviewError(diags, err, secrets)
		return nil
	}
	origin := m.Origin.ValueString()
	if origin == "" {
		origin = labelStudioURL
	}
	direction := storagepreview.Import
	if m.Direction.ValueString() == "export" {
		direction = storagepreview.Export
	}
	report, err := storagepreview.Run(ctx, backend, storagepreview.Options{
		Direction:     direction,
		Prefix:        m.Prefix.ValueString(),
		RegexFilter:   m.RegexFilter.ValueString(),
		RecursiveScan: m.RecursiveScan.ValueBool(),
		UseBlobURLs:   m.UseBlobURLs.ValueBool(),
		MaxObjects:    int(m.MaxObjects.ValueInt64()),
		Origin:        storagepreview.OriginOf(origin),
		CheckCORS:     m.Presign.IsNull() || m.Presign.ValueBool(),
		CheckWrite:    m.CheckWrite.ValueBool(),
	})
	if err != nil {
		addPreviewError(diags, err, secrets)
		return nil
	}
	for _, w := range report.Warnings {
		diags.AddAttributeWarning(path.Root("regex_filter"), "Preview incomplete", secrets.Redact(w))
	}

	m.ObjectCount = types.Int64Null()
	if report.ObjectCount != nil && direction == storagepreview.Import {
		m.ObjectCount = types.Int64Value(int64(*report.ObjectCount))
	}
	m.Truncated = types.BoolValue(report.Truncated)
	m.Keys = make([]types.String, 0, len(report.Keys))
	for _, k := range report.Keys {
		m.Keys = append(m.Keys, types.StringValue(k))
	}
	m.TaskFileErrors = make([]taskFileErrorModel, 0, len(report.TaskFileErrors))
	for _, e := range report.TaskFileErrors {
		m.TaskFileErrors = append(m.TaskFileErrors, taskFileErrorModel{Key: types.StringValue(e.Key), Message: types.StringValue(secrets.Redact(e.Message))})
	}
	m.CORS = &previewCheckModel{Status: types.StringValue(string(report.CORS.Status)), Message: types.StringValue(secrets.Redact(report.CORS.Message))}
	m.Write = &previewCheckModel{Status: types.StringValue(string(report.Write.Status)), Message: types.StringValue(secrets.Redact(report.Write.Message))}
	return m
}

// addPreviewError reports a failure to reach the bucket on the attribute to
// fix when the backend could tell which one, without the secrets.
func addPreviewError(diags *diag.Diagnostics, err error, secrets redact.Redactor) {
	var perr *storagepreview.Error
	if errors.As(err, &perr) {
		diags.AddAttributeError(path.Root(perr.Field), secrets.Redact(perr.Summary), secrets.Redact(perr.Detail))
		return
	}
	diags.AddError("Cannot preview the S3 storage", secrets.Redact(err.Error()))
}
