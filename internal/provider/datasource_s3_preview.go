package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

var (
	_ datasource.DataSource                   = (*s3PreviewDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*s3PreviewDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*s3PreviewDataSource)(nil)
)

func newS3PreviewDataSource() datasource.DataSource { return &s3PreviewDataSource{} }

// s3PreviewDataSource reads an S3 bucket the way a Label Studio storage
// would, from the machine that runs Terraform, without touching Label Studio.
type s3PreviewDataSource struct {
	labelStudioURL string
}

func (d *s3PreviewDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_s3_storage_preview"
}

func (d *s3PreviewDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := make(map[string]schema.Attribute, len(previewAttributes))
	for _, a := range previewAttributes {
		attrs[a.name] = dataSourceAttribute(a)
	}
	resp.Schema = schema.Schema{MarkdownDescription: previewDescription, Attributes: attrs}
}

func (d *s3PreviewDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	validatePreview(ctx, req.Config, &resp.Diagnostics)
}

func (d *s3PreviewDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, _ *datasource.ConfigureResponse) {
	d.labelStudioURL = labelStudioURL(req.ProviderData)
}

func (d *s3PreviewDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if m := runPreview(ctx, req.Config, d.labelStudioURL, &resp.Diagnostics); m != nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	}
}
