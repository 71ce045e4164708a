package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
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
		attrs[a.name] = dataSourceAttribute(a)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: previewDescription + " As an ephemeral resource it keeps nothing in plan or state and accepts " +
			"ephemeral credentials (Terraform 1.10+); its results can be used in `check` blocks, preconditions and postconditions.",
		Attributes: attrs,
	}
}

func (e *s3PreviewEphemeral) ValidateConfig(ctx context.Context, req ephemeral.ValidateConfigRequest, resp *ephemeral.ValidateConfigResponse) {
	validatePreview(ctx, req.Config, &resp.Diagnostics)
}

func (e *s3PreviewEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, _ *ephemeral.ConfigureResponse) {
	e.labelStudioURL = labelStudioURL(req.ProviderData)
}

func (e *s3PreviewEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	if m := runPreview(ctx, req.Config, e.labelStudioURL, &resp.Diagnostics); m != nil {
		resp.Diagnostics.Append(resp.Result.Set(ctx, m)...)
	}
}
