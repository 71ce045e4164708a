package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ ephemeral.EphemeralResource                   = (*s3PreviewEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithConfigure      = (*s3PreviewEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithValidateConfig = (*s3PreviewEphemeral)(nil)
)

func newS3PreviewEphemeral() ephemeral.EphemeralResource { return &s3PreviewEphemeral{} }

// s3PreviewEphemeral is the preview as an ephemeral resource: the same
// inputs and results, but Terraform keeps nothing of it in plan or state,
// so its credentials may come from ephemeral values.
type s3PreviewEphemeral struct {
	labelStudioURL string
}

func (e *s3PreviewEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_s3_storage_preview"
}

func (e *s3PreviewEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	attrs := make(map[string]schema.Attribute, len(previewAttributes))
	for _, a := range previewAttributes {
		attrs[a.name] = ephemeralAttribute(a)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: previewDescription + " As an ephemeral resource it keeps nothing in plan or state and accepts " +
			"ephemeral credentials (Terraform 1.10+); its results can be used in `check` blocks, preconditions and postconditions.",
		Attributes: attrs,
	}
}

func ephemeralAttribute(a previewAttribute) schema.Attribute {
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

func (e *s3PreviewEphemeral) ValidateConfig(ctx context.Context, req ephemeral.ValidateConfigRequest, resp *ephemeral.ValidateConfigResponse) {
	var m s3PreviewModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if !resp.Diagnostics.HasError() {
		validatePreview(&m, &resp.Diagnostics)
	}
}

func (e *s3PreviewEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, _ *ephemeral.ConfigureResponse) {
	e.labelStudioURL = labelStudioURL(req.ProviderData)
}

func (e *s3PreviewEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m s3PreviewModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if runPreview(ctx, &m, e.labelStudioURL, &resp.Diagnostics) {
		resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
	}
}
