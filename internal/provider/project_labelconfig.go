package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"

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

// checkLabelConfigOnServer asks Label Studio about a label_config that the
// plan changes, so that a configuration it would refuse fails the plan,
// with its reason on label_config, before anything is applied: for an
// existing project POST /api/projects/{id}/validate/, which also checks the
// configuration against the project's annotations, for a new one POST
// /api/projects/validate/. When Label Studio cannot be asked (no client
// while the provider's configuration is unknown, or no answer), the
// provider checks the names offline instead.
func checkLabelConfigOnServer(ctx context.Context, c *client.Client, plan, prior objectValue, diags *diag.Diagnostics) {
	planned := plan.attrs[projectLabelConfig.name]
	if !planned.IsKnown() || planned.IsNull() {
		return
	}
	var config, old string
	_ = planned.As(&config)
	if prior.has(projectLabelConfig.name) {
		// The plan keeps the state's text for a configuration that means
		// the same (keepLabelConfigFormatting).
		if _ = prior.attrs[projectLabelConfig.name].As(&old); old == config {
			return
		}
	}
	if labelconfig.Check(config) != nil {
		return // not XML: ValidateConfig reported it
	}
	if c == nil {
		checkLabelConfigOffline(config, "the provider's own configuration is not known until apply, so Label Studio could not be asked", diags)
		return
	}
	request := "POST /api/projects/validate/"
	var err error
	if prior.has(attrID) {
		number, _ := int64JSON(prior.attrs[attrID])
		id, _ := number.(int64)
		request = fmt.Sprintf("POST /api/projects/%d/validate/", id)
		err = c.ValidateProjectLabelConfig(ctx, id, config)
	} else {
		err = c.ValidateLabelConfig(ctx, config)
	}
	if err == nil {
		return
	}
	var apiErr *client.APIError
	if errors.As(err, &apiErr) && errors.Is(err, client.ErrValidation) {
		var reasons []string
		for _, field := range slices.Sorted(maps.Keys(apiErr.FieldErrors())) {
			reasons = append(reasons, apiErr.FieldErrors()[field]...)
		}
		reasons = append(reasons, apiErr.Messages()...)
		detail := fmt.Sprintf("Label Studio refuses the new label_config (%s); nothing was applied:\n\n%s", request, strings.Join(reasons, "\n"))
		if prior.has(attrID) {
			detail += "\n\nLabel Studio checks a new configuration against the project's annotations: it must keep every control tag, type and label " +
				"they use. Keep them, or remove those annotations in Label Studio first."
		}
		diags.AddAttributeError(path.Root(projectLabelConfig.name), "Label Studio refuses this label configuration", detail)
		return
	}
	tflog.Debug(ctx, "Label Studio could not check the label configuration; checking it offline", map[string]any{"error": err.Error()})
	checkLabelConfigOffline(config, fmt.Sprintf("Label Studio gave no verdict on %s: %v", request, err), diags)
}

// checkLabelConfigOffline applies the checks of Label Studio's
// validate_label_config that need no server: every name once, every
// toName a name.
func checkLabelConfigOffline(config, why string, diags *diag.Diagnostics) {
	if err := labelconfig.CheckNames(config); err != nil {
		diags.AddAttributeError(path.Root(projectLabelConfig.name), "Invalid label configuration",
			fmt.Sprintf("label_config: %v. Label Studio refuses such a configuration: every name must be unique and every toName must be a name. "+
				"(Checked by the provider: %s.)", err, why))
	}
}
