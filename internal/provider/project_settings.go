package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	rsschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/labelconfig"
)

// Project settings that Label Studio changes as a side effect of another
// field (projects/serializers.py ProjectSerializer.update, projects/models.py
// Project.save): left unset, they are kept from state, except in the plan
// that causes the side effect, where they are unknown so that the server's
// new value is no surprise to Terraform.
var (
	// model_version: show_collab_predictions switched off empties it.
	fieldModelVersion = withStringPlanModifier(fieldString, recomputedByServer{
		description: "Unknown when show_collab_predictions is switched off, which makes Label Studio empty it.",
		when:        collabPredictionsSwitchedOff,
	})
	// control_weights: a new label configuration makes Label Studio derive
	// them again.
	fieldControlWeights = withStringPlanModifier(fieldJSON, recomputedByServer{
		description: "Unknown when label_config changes, which makes Label Studio derive the weights again.",
		when:        labelConfigChanges,
	})
)

// withStringPlanModifier is a string field type whose resource attribute
// has one more plan modifier.
func withStringPlanModifier(base *fieldType, modifier planmodifier.String) *fieldType {
	t := *base
	t.resourceAttribute = func(a attributeSpec) rsschema.Attribute {
		attribute := base.resourceAttribute(a).(rsschema.StringAttribute)
		attribute.PlanModifiers = append(attribute.PlanModifiers, modifier)
		return attribute
	}
	return &t
}

// recomputedByServer plans an unconfigured value unknown on an update when
// the rest of the plan makes Label Studio change it.
type recomputedByServer struct {
	description string
	when        func(ctx context.Context, plan tfsdk.Plan, state tfsdk.State) bool
}

func (m recomputedByServer) Description(context.Context) string { return m.description }

func (m recomputedByServer) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m recomputedByServer) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() || req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	if m.when(ctx, req.Plan, req.State) {
		resp.PlanValue = types.StringUnknown()
	}
}

// collabPredictionsSwitchedOff: the plan turns show_collab_predictions
// from true to false (or to a value not known yet).
func collabPredictionsSwitchedOff(ctx context.Context, plan tfsdk.Plan, state tfsdk.State) bool {
	var planned, prior types.Bool
	if plan.GetAttribute(ctx, path.Root("show_collab_predictions"), &planned).HasError() ||
		state.GetAttribute(ctx, path.Root("show_collab_predictions"), &prior).HasError() {
		return true
	}
	return planned.IsUnknown() || !planned.ValueBool() && prior.ValueBool()
}

// labelConfigChanges: the plan's label_config means something else than
// state's (or is not known yet).
func labelConfigChanges(ctx context.Context, plan tfsdk.Plan, state tfsdk.State) bool {
	var planned, prior labelConfigValue
	if plan.GetAttribute(ctx, path.Root("label_config"), &planned).HasError() ||
		state.GetAttribute(ctx, path.Root("label_config"), &prior).HasError() {
		return true
	}
	if planned.IsUnknown() {
		return true
	}
	return !labelconfig.Same(planned.ValueString(), prior.ValueString())
}

// checkControlWeights refuses configured control_weights that Label Studio
// would store in another form: Project.get_updated_weights keeps one entry
// per control tag of the label configuration (Filter excepted), with the
// tag's type and every label, filling missing weights with 1.0, whenever it
// derives them (on create and when the configuration changes).
func checkControlWeights(config objectValue, diags *diag.Diagnostics) {
	weights, labelConfig := config.attrs["control_weights"], config.attrs["label_config"]
	if !weights.IsKnown() || weights.IsNull() || !labelConfig.IsKnown() {
		return
	}
	text := defaultLabelConfig
	if !labelConfig.IsNull() {
		_ = labelConfig.As(&text)
	}
	controls, err := labelconfig.Controls(text)
	if err != nil {
		return // label_config's own check reports it
	}
	var weightsText string
	_ = weights.As(&weightsText)
	given, err := decodeJSONText(weightsText)
	if err != nil {
		return // the attribute's JSON check reports it
	}
	stored := storedControlWeights(controls, given)
	if sameJSONValue(given, stored) {
		return
	}
	want, _ := json.Marshal(stored)
	diags.AddAttributeError(path.Root("control_weights"), "Label Studio would store other control weights",
		fmt.Sprintf("control_weights must hold one entry per control tag of label_config (Filter excepted), each with that tag's type and all its labels, "+
			"as Label Studio keeps them; it would store %s. Write that (change the weights as you like), or leave control_weights out to keep Label Studio's.", want))
}

// storedControlWeights is what Label Studio derives from the control tags
// and the given weights.
func storedControlWeights(controls []labelconfig.Control, given any) map[string]any {
	givenTags, _ := given.(map[string]any)
	out := map[string]any{}
	for _, c := range controls {
		if c.Type == "Filter" {
			continue
		}
		entry, _ := givenTags[c.Name].(map[string]any)
		overall, ok := entry["overall"]
		if !ok || overall == nil {
			overall = json.Number("1.0")
		}
		givenLabels, _ := entry["labels"].(map[string]any)
		labels := map[string]any{}
		for _, label := range c.Labels {
			weight, ok := givenLabels[label]
			if !ok || weight == nil {
				weight = json.Number("1.0")
			}
			labels[label] = weight
		}
		out[c.Name] = map[string]any{"overall": overall, "type": c.Type, "labels": labels}
	}
	return out
}
