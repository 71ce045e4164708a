package provider

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// Samplings and skip queues Label Studio accepts.
var (
	projectSamplings  = []string{"Sequential sampling", "Uniform sampling", "Uncertainty sampling"}
	projectSkipQueues = []string{"REQUEUE_FOR_ME", "REQUEUE_FOR_OTHERS", "IGNORE_SKIPPED"}
)

// projectSettings are the fields of the project create schema that a setup
// repository wants to pin, with Label Studio's model defaults, so that
// leaving a setting out of the configuration never shows a difference. The
// resource sends them as they are; the resource and the data source read
// them back the same way.
var projectSettings = []fieldSpec{
	{name: "description", typ: fieldString, defaults: always(""), description: "Description of the project. Label Studio trims leading and trailing whitespace.", storedForm: trimmedForm},
	{
		name: "expert_instruction", typ: fieldString, defaults: always(""),
		description: "Labeling instructions for annotators, in HTML. Label Studio sanitises it with bleach: tags outside its allowed list " +
			"are escaped, attributes outside its list (`style`, `id`, event handlers) and links other than http, https and mailto are removed, " +
			"comments are dropped and open tags closed. The plan warns about what will change.",
		storedForm: sanitisedForm,
	},
	{name: "show_instruction", typ: fieldBool, defaults: always(false), description: "Show the instructions to annotators before they start."},
	{name: "show_skip_button", typ: fieldBool, defaults: always(true), description: "Show a skip button and let annotators skip tasks."},
	{name: "enable_empty_annotation", typ: fieldBool, defaults: always(true), description: "Allow annotators to submit empty annotations."},
	{name: "show_annotation_history", typ: fieldBool, defaults: always(false), description: "Show the annotation history to annotators."},
	{name: "show_collab_predictions", typ: fieldBool, defaults: always(true), description: "Let annotators see model predictions."},
	{
		name: "maximum_annotations", typ: fieldInt64, defaults: always(int64(1)),
		description: "Annotations a task needs to count as labeled.",
		check:       int64validator.AtLeast(1),
	},
	{
		name: "min_annotations_to_start_training", typ: fieldInt64, defaults: always(int64(0)),
		description: "Completed tasks after which model training starts.",
		check:       int64validator.AtLeast(0),
	},
	{
		name: "sampling", typ: fieldString, defaults: always(projectSamplings[0]),
		description: "Order in which annotators get tasks: `Sequential sampling`, `Uniform sampling` or `Uncertainty sampling`.",
		check:       stringvalidator.OneOf(projectSamplings...),
	},
	{
		name: "skip_queue", typ: fieldString, defaults: always("REQUEUE_FOR_OTHERS"),
		description: "What happens to skipped tasks: `REQUEUE_FOR_ME`, `REQUEUE_FOR_OTHERS` or `IGNORE_SKIPPED`.",
		check:       stringvalidator.OneOf(projectSkipQueues...),
	},
	{
		name: "color", typ: fieldString, defaults: always("#FFFFFF"),
		description: "Color of the project card, e.g. `#FF8800`.",
		check:       stringvalidator.LengthAtMost(16),
	},
	{name: "is_published", typ: fieldBool, defaults: always(false), description: "Whether the project is published to annotators."},
}

// The project's other fields. The data source has attributes of its own for
// them: it looks projects up by id or title.
var (
	projectTitle = fieldSpec{
		name: "title", typ: fieldString, defaults: always(""), storedForm: trimmedForm,
		description: "Project title, 3 to 50 characters. Label Studio trims leading and trailing whitespace.",
		check:       stringvalidator.LengthBetween(3, 50),
	}
	projectLabelConfig = fieldSpec{
		name: "label_config", typ: fieldLabelConfig, defaults: always(defaultLabelConfig),
		description: "Labeling configuration, as XML. Compared by meaning: changes in indentation, " +
			"attribute order or whitespace between tags are not differences. Checked for well-formed XML at plan time; " +
			"Label Studio then checks tags, unique `name`s and `toName` references.",
	}
	projectCreatedAt = fieldSpec{
		name: "created_at", typ: fieldString, computed: true, serverDefault: true,
		description: "When the project was created (ISO 8601).",
	}
	// projectSent are the fields a create or an update sends.
	projectSent = append([]fieldSpec{projectTitle, projectLabelConfig}, projectSettings...)
	// projectFields are the resource's fields: those sent and created_at.
	projectFields = append(slices.Clone(projectSent), projectCreatedAt)
)

// dataSourceAttribute is the setting as a computed data source attribute.
func (f fieldSpec) dataSourceAttribute() dsschema.Attribute {
	return f.typ.dataSourceAttribute(attributeSpec{name: f.name, description: f.description})
}

// setProjectState writes everything the server returned about a project into
// state (the resource's, a list result's or the data source's).
func setProjectState(_ context.Context, state *tfsdk.State, project *client.Project) diag.Diagnostics {
	return projectObject.setState(state, project)
}
