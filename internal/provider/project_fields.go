package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	rsschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// projectSetting is one plain project setting: the resource sends it as is,
// the resource and the data source read it back the same way. Its type is the
// type of its default, which is Label Studio's own default for the field, so
// that leaving a setting out of the configuration never shows a difference.
type projectSetting struct {
	name             string
	description      string
	serverDefault    any // bool, int64 or string
	stringValidators []validator.String
	int64Validators  []validator.Int64
	// storedForm is how Label Studio rewrites a text value before storing it
	// (nil: stored as sent).
	storedForm storedForm
}

// Samplings and skip queues Label Studio accepts.
var (
	projectSamplings  = []string{"Sequential sampling", "Uniform sampling", "Uncertainty sampling"}
	projectSkipQueues = []string{"REQUEUE_FOR_ME", "REQUEUE_FOR_OTHERS", "IGNORE_SKIPPED"}
)

// projectSettings are the fields of the project create schema that a setup
// repository wants to pin, with Label Studio's model defaults.
var projectSettings = []projectSetting{
	{name: "description", serverDefault: "", description: "Description of the project. Label Studio trims leading and trailing whitespace.", storedForm: trimmedForm},
	{
		name: "expert_instruction", serverDefault: "",
		description: "Labeling instructions for annotators, in HTML. Label Studio sanitises it with bleach: tags outside its allowed list " +
			"are escaped, attributes outside its list (`style`, `id`, event handlers) and links other than http, https and mailto are removed, " +
			"comments are dropped and open tags closed. The plan warns about what will change.",
		storedForm: sanitisedForm,
	},
	{name: "show_instruction", serverDefault: false, description: "Show the instructions to annotators before they start."},
	{name: "show_skip_button", serverDefault: true, description: "Show a skip button and let annotators skip tasks."},
	{name: "enable_empty_annotation", serverDefault: true, description: "Allow annotators to submit empty annotations."},
	{name: "show_annotation_history", serverDefault: false, description: "Show the annotation history to annotators."},
	{name: "show_collab_predictions", serverDefault: true, description: "Let annotators see model predictions."},
	{
		name: "maximum_annotations", serverDefault: int64(1),
		description:     "Annotations a task needs to count as labeled.",
		int64Validators: []validator.Int64{int64validator.AtLeast(1)},
	},
	{
		name: "min_annotations_to_start_training", serverDefault: int64(0),
		description:     "Completed tasks after which model training starts.",
		int64Validators: []validator.Int64{int64validator.AtLeast(0)},
	},
	{
		name: "sampling", serverDefault: projectSamplings[0],
		description:      "Order in which annotators get tasks: `Sequential sampling`, `Uniform sampling` or `Uncertainty sampling`.",
		stringValidators: []validator.String{stringvalidator.OneOf(projectSamplings...)},
	},
	{
		name: "skip_queue", serverDefault: "REQUEUE_FOR_OTHERS",
		description:      "What happens to skipped tasks: `REQUEUE_FOR_ME`, `REQUEUE_FOR_OTHERS` or `IGNORE_SKIPPED`.",
		stringValidators: []validator.String{stringvalidator.OneOf(projectSkipQueues...)},
	},
	{
		name: "color", serverDefault: "#FFFFFF",
		description:      "Color of the project card, e.g. `#FF8800`.",
		stringValidators: []validator.String{stringvalidator.LengthAtMost(16)},
	},
	{name: "is_published", serverDefault: false, description: "Whether the project is published to annotators."},
}

// resourceAttribute is the setting as an Optional+Computed resource
// attribute defaulting to the server's default.
func (s projectSetting) resourceAttribute() rsschema.Attribute {
	switch def := s.serverDefault.(type) {
	case bool:
		return rsschema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(def),
			Description: fmt.Sprintf("%s Defaults to `%t`.", s.description, def),
		}
	case int64:
		return rsschema.Int64Attribute{
			CustomType: wholeNumberType{},
			Optional:   true, Computed: true, Default: int64default.StaticInt64(def),
			Validators:  s.int64Validators,
			Description: fmt.Sprintf("%s Defaults to `%d`.", s.description, def),
		}
	default:
		description := fmt.Sprintf("%s Defaults to `%v`.", s.description, def)
		if def == "" {
			description = s.description + " Defaults to empty."
		}
		attribute := rsschema.StringAttribute{
			Optional: true, Computed: true, Default: stringdefault.StaticString(fmt.Sprint(def)),
			Validators:  s.stringValidators,
			Description: description,
		}
		if s.storedForm != nil {
			attribute.PlanModifiers = []planmodifier.String{warnStoredForm{form: s.storedForm}}
		}
		return attribute
	}
}

// dataSourceAttribute is the setting as a computed data source attribute.
func (s projectSetting) dataSourceAttribute() dsschema.Attribute {
	switch s.serverDefault.(type) {
	case bool:
		return dsschema.BoolAttribute{Computed: true, Description: s.description}
	case int64:
		return dsschema.Int64Attribute{Computed: true, Description: s.description}
	default:
		return dsschema.StringAttribute{Computed: true, Description: s.description}
	}
}

// attributeSetter is what the resource's and the data source's tfsdk.State
// have in common, so that one function fills both (attributeGetter is its
// reading counterpart).
type attributeSetter interface {
	SetAttribute(ctx context.Context, p path.Path, value any) diag.Diagnostics
}

// attributeState reads and writes state.
type attributeState interface {
	attributeGetter
	attributeSetter
}

// projectRequestBody is the request body for the planned project. With a
// prior state it holds only what changed, so that an update PATCHes nothing
// it does not have to (a label_config PATCH is checked against existing
// annotations).
func projectRequestBody(ctx context.Context, plan attributeGetter, prior attributeGetter) (map[string]any, diag.Diagnostics) {
	var diags diag.Diagnostics
	body := map[string]any{}

	var title, priorTitle types.String
	diags.Append(plan.GetAttribute(ctx, path.Root("title"), &title)...)
	var labelConfig, priorLabelConfig labelConfigValue
	diags.Append(plan.GetAttribute(ctx, path.Root("label_config"), &labelConfig)...)
	if prior != nil {
		diags.Append(prior.GetAttribute(ctx, path.Root("title"), &priorTitle)...)
		diags.Append(prior.GetAttribute(ctx, path.Root("label_config"), &priorLabelConfig)...)
	}
	if prior == nil || !title.Equal(priorTitle) {
		body["title"] = title.ValueString()
	}
	if prior == nil || !labelConfig.Equal(priorLabelConfig) {
		body["label_config"] = labelConfig.ValueString()
	}

	for _, setting := range projectSettings {
		value, getDiags := settingValue(ctx, plan, setting)
		diags.Append(getDiags...)
		if prior != nil {
			priorValue, priorDiags := settingValue(ctx, prior, setting)
			diags.Append(priorDiags...)
			if priorValue == value {
				continue
			}
		}
		body[setting.name] = value
	}
	return body, diags
}

// settingValue reads a setting as a plain Go value (bool, int64 or string).
func settingValue(ctx context.Context, from attributeGetter, setting projectSetting) (any, diag.Diagnostics) {
	p := path.Root(setting.name)
	switch setting.serverDefault.(type) {
	case bool:
		var v types.Bool
		diags := from.GetAttribute(ctx, p, &v)
		return v.ValueBool(), diags
	case int64:
		var v types.Int64
		diags := from.GetAttribute(ctx, p, &v)
		return v.ValueInt64(), diags
	default:
		var v types.String
		diags := from.GetAttribute(ctx, p, &v)
		return v.ValueString(), diags
	}
}

// setProjectState writes everything the server returned about a project into
// state. A JSON null, or a field the server left out, becomes null.
//
// Text that Label Studio stores in another form than sent (trimmed,
// sanitised) keeps the value already in state when the server holds exactly
// its stored form, so that a configuration with such text plans no change.
func setProjectState(ctx context.Context, state attributeState, project *client.Project) diag.Diagnostics {
	var diags diag.Diagnostics
	diags.Append(state.SetAttribute(ctx, path.Root("id"), types.Int64Value(project.ID))...)

	title, err := keepConfigured(ctx, state, "title", &project.Title, trimmedForm)
	if err != nil {
		diags.AddError("Cannot record the Label Studio project", err.Error())
		return diags
	}
	diags.Append(state.SetAttribute(ctx, path.Root("title"), types.StringPointerValue(title))...)

	var labelConfig *string
	diags.Append(decodeProjectField(project, "label_config", &labelConfig)...)
	labelConfigAttr := labelConfigValue{StringValue: types.StringPointerValue(labelConfig)}
	diags.Append(state.SetAttribute(ctx, path.Root("label_config"), labelConfigAttr)...)

	var createdAt *string
	diags.Append(decodeProjectField(project, "created_at", &createdAt)...)
	diags.Append(state.SetAttribute(ctx, path.Root("created_at"), types.StringPointerValue(createdAt))...)

	for _, setting := range projectSettings {
		p := path.Root(setting.name)
		switch setting.serverDefault.(type) {
		case bool:
			var v *bool
			diags.Append(decodeProjectField(project, setting.name, &v)...)
			diags.Append(state.SetAttribute(ctx, p, types.BoolPointerValue(v))...)
		case int64:
			var v *int64
			diags.Append(decodeProjectField(project, setting.name, &v)...)
			diags.Append(state.SetAttribute(ctx, p, types.Int64PointerValue(v))...)
		default:
			var v *string
			diags.Append(decodeProjectField(project, setting.name, &v)...)
			kept, err := keepConfigured(ctx, state, setting.name, v, setting.storedForm)
			if err != nil {
				diags.AddError("Cannot record the Label Studio project", err.Error())
				continue
			}
			diags.Append(state.SetAttribute(ctx, p, types.StringPointerValue(kept))...)
		}
	}
	return diags
}

// decodeProjectField decodes one field of the server's response; a missing
// field leaves target untouched.
func decodeProjectField(project *client.Project, name string, target any) diag.Diagnostics {
	var diags diag.Diagnostics
	raw, ok := project.Fields[name]
	if !ok {
		return diags
	}
	if err := json.Unmarshal(raw, target); err != nil {
		diags.AddAttributeError(path.Root(name), "Unexpected project field in Label Studio's response",
			fmt.Sprintf("Project %d: field %q is not of the expected type: %v.", project.ID, name, err))
	}
	return diags
}
