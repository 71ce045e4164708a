package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/labelconfig"
)

// A labeling configuration is XML that people format by hand, in heredocs,
// from files. labelConfigType compares two configurations by their element
// trees, so that indentation, attribute order, quoting or a trailing newline
// never show up as a change.
type labelConfigMeaning struct{}

type (
	labelConfigType  = semanticStringType[labelConfigMeaning]
	labelConfigValue = semanticStringValue[labelConfigMeaning]
)

func (labelConfigMeaning) name() string          { return "labelConfigType" }
func (labelConfigMeaning) same(a, b string) bool { return labelconfig.Same(a, b) }

// check rejects a configuration that is not XML at plan time, before
// anything reaches the server.
func (labelConfigMeaning) check(v string, at path.Path, diags *diag.Diagnostics) {
	if err := labelconfig.Check(v); err != nil {
		diags.AddAttributeError(at, "Invalid label configuration",
			fmt.Sprintf("label_config must be an XML document such as <View>…</View>: %v.", err))
	}
}

func newLabelConfigValue(s string) labelConfigValue {
	return labelConfigValue{StringValue: basetypes.NewStringValue(s)}
}

// keepLabelConfigFormatting plans no change when the configured label
// configuration means the same as the one in state. Terraform accepts a
// planned value equal to the prior state as the provider's judgement that the
// two are equivalent.
type keepLabelConfigFormatting struct{}

func (keepLabelConfigFormatting) Description(context.Context) string {
	return "Suppresses differences in formatting, attribute order and whitespace of the XML."
}

func (m keepLabelConfigFormatting) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (keepLabelConfigFormatting) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if labelconfig.Same(req.StateValue.ValueString(), req.PlanValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}
