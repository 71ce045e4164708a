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
	{
		name: "model_version", typ: fieldModelVersion, serverDefault: true,
		description: "Model version whose predictions annotators see: the title of an ML backend connected to the project, or the `model_version` " +
			"of predictions imported into it; Label Studio refuses any other non-empty value on update. Label Studio also sets it itself: when an ML backend " +
			"is connected, renamed or removed, and it empties it when `show_collab_predictions` is switched off. Left unset, it follows Label Studio and never " +
			"shows a difference. Label Studio's default is empty.",
	},
	{name: "evaluate_predictions_automatically", typ: fieldBool, defaults: always(false), description: "Retrieve and show predictions when a task is loaded (deprecated in Label Studio)."},
	{name: "reveal_preannotations_interactively", typ: fieldBool, defaults: always(false), description: "Reveal pre-annotations region by region as the annotator works, instead of all at once."},
	{name: "show_ground_truth_first", typ: fieldBool, defaults: always(false), description: "Onboarding mode: show the ground-truth tasks first in the labeling stream (deprecated in Label Studio)."},
	{name: "show_overlap_first", typ: fieldBool, defaults: always(false), description: "Show the tasks that need several annotations (the overlap cohort) first."},
	{
		name: "overlap_cohort_percentage", typ: fieldInt64, defaults: always(int64(100)),
		description: "Percentage of tasks, 0 to 100, that get `maximum_annotations` annotations; the others get one.",
		check:       int64validator.Between(0, 100),
	},
	{
		name: "control_weights", typ: fieldControlWeights, serverDefault: true,
		description: "Weights of the control tags in agreement metrics, as JSON (`jsonencode({...})`): one entry per control tag of `label_config` " +
			"(`Filter` excepted), `{ overall = <weight>, type = \"<tag>\", labels = { <label> = <weight>, ... } }`. Label Studio derives it from the label " +
			"configuration (every weight 1.0) when the project is created and whenever the configuration changes; left unset it follows Label Studio and never " +
			"shows a difference. Set, it must hold exactly the tags and labels of `label_config`, as Label Studio stores it (checked at plan time); compared by " +
			"meaning, so key order, spacing and `1` against `1.0` are no differences.",
	},
	{
		name: "task_data_login", typ: fieldString,
		description: "Login Label Studio uses to fetch task data that needs HTTP authentication (with `task_data_password`), at most 256 characters. Label Studio's default is none (null).",
		check:       stringvalidator.LengthAtMost(projectTaskDataCredentialMaxLength),
	},
	{
		name: "task_data_password", typ: fieldString, secret: true, returnedSecret: true,
		description: "Password that goes with `task_data_login`, at most 256 characters. Label Studio returns it in clear on every read of the project, " +
			"so a change made outside Terraform shows in the plan. Label Studio's default is none (null).",
		check: stringvalidator.LengthAtMost(projectTaskDataCredentialMaxLength),
	},
}

// projectTaskDataCredentialMaxLength is the max_length of
// task_data_login and task_data_password (projects/models.py).
const projectTaskDataCredentialMaxLength = 256

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
			"a plan that changes it asks Label Studio to check it (tags, unique `name`s, `toName` references and, for an existing project, " +
			"the labels its annotations use) and fails with Label Studio's reason. When Label Studio cannot be asked, the provider checks the names itself.",
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
	return f.typ.dataSourceAttribute(attributeSpec{name: f.name, description: f.description, sensitive: f.secret})
}

// setProjectState writes everything the server returned about a project into
// state (the resource's, a list result's or the data source's).
func setProjectState(_ context.Context, state *tfsdk.State, project *client.Project) diag.Diagnostics {
	return projectObject.setState(state, project)
}
