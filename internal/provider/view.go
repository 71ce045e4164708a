package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// labelstudio_view: a data-manager view, a tab of a project's task list
// (label_studio/data_manager: models.py, serializers.py, api.py), served by
// the generic object resource. Its settings live in the view's free JSON
// `data`; Label Studio lifts data.filters into a filter group and
// data.ordering into a column of their own on write and puts them back on
// read (ViewSerializer.to_internal_value and to_representation).

type viewResource = objectResource[client.View]

func newViewResource() resource.Resource { return &viewResource{t: &viewObject} }

const defaultViewTimeout = 5 * time.Minute

// The names the data manager knows: operators from
// data_manager/managers.py (those it applies) and prepare_params.py
// (Operator, those it documents); value types from prepare_params.py
// (Type) and the column types of the data manager's task data.
var (
	viewFilterOperators = []string{
		"equal", "not_equal", "less", "greater", "less_or_equal", "greater_or_equal",
		"in", "not_in", "in_list", "not_in_list", "empty", "contains", "not_contains", "regex",
		"exists", "not_exists", "starts_with", "ends_with",
	}
	viewFilterTypes = []string{
		"String", "Number", "Boolean", "Datetime", "List", "Unknown",
		"Image", "Audio", "AudioPlus", "Video", "Text", "HyperText", "TimeSeries",
	}
	// viewFilterColumn is FilterSerializer.validate_column's prefix rule:
	// Label Studio refuses every other prefix, filter:annotations: too.
	viewFilterColumn = regexp.MustCompile(`^filter:tasks:-?[^\s]+$`)
	// viewOrderingColumn is a column of ordering_schema: tasks:<column>,
	// with a leading - for descending order.
	viewOrderingColumn = regexp.MustCompile(`^-?tasks:[^\s]+$`)
	viewHiddenColumn   = regexp.MustCompile(`^(tasks|annotations):[^\s]+$`)
)

// viewDataKeys maps the attributes kept in the view's data to their keys.
var viewDataKeys = map[string]string{
	"title": "title", "type": "type", "target": "target",
	"filters": "filters", "ordering": "ordering", "hidden_columns": "hiddenColumns",
}

var viewFiltersType = fieldNestedObject(
	nestedMember{
		name: "conjunction", kind: nestedText, required: true,
		check:       stringvalidator.OneOf("and", "or"),
		description: "How the items combine: `and` or `or` (one conjunction for all items).",
	},
	nestedMember{
		name: "items", kind: nestedObjectList, required: true,
		check:       listvalidator.All(listvalidator.SizeAtLeast(1), viewFilterValuesValidator{}),
		description: "The filters, in the order the tab shows them; at least one (for a tab without filters leave `filters` unset).",
		members: []nestedMember{
			{
				name: "filter", kind: nestedText, required: true,
				check: stringvalidator.RegexMatches(viewFilterColumn,
					"a data-manager column id filter:tasks:<column>, e.g. filter:tasks:data.image (a field of the task data) or filter:tasks:id; Label Studio refuses any other prefix, filter:annotations: included"),
				description: "The column filtered, as the data manager names it: `filter:tasks:<column>`, e.g. `filter:tasks:data.image` for a field of the task data, " +
					"`filter:tasks:id`, `filter:tasks:total_annotations` (GET /api/dm/columns/ lists a project's columns). Label Studio refuses other prefixes and, " +
					"outside `data.`, names with `__` unless the server's DATA_MANAGER_FILTER_ALLOWLIST has them.",
			},
			{
				name: "operator", kind: nestedText, required: true,
				check:       stringvalidator.OneOf(viewFilterOperators...),
				description: "The comparison: " + markdownList(viewFilterOperators) + ". `in` and `not_in` take `{min, max}`; `in_list` and `not_in_list` a list; `empty` true or false.",
			},
			{
				name: "type", kind: nestedText, required: true,
				check:       stringvalidator.OneOf(viewFilterTypes...),
				description: "The column's value type: " + markdownList(viewFilterTypes) + ".",
			},
			{
				name: "value", kind: nestedJSONText, required: true,
				description: "The value compared with, as JSON text: `jsonencode(\"cat\")`, `jsonencode(5)`, `jsonencode({ min = 1, max = 7 })`, `jsonencode(true)`.",
			},
		},
	},
)

var viewHiddenColumnsType = fieldNestedObject(
	nestedMember{
		name: "explore", kind: nestedTextList, required: true,
		check:       listvalidator.ValueStringsAre(stringvalidator.RegexMatches(viewHiddenColumn, "a column id such as tasks:data.image or tasks:inner_id")),
		description: "Columns hidden in the task list, e.g. `tasks:inner_id`, `tasks:data.image`.",
	},
	nestedMember{
		name: "labeling", kind: nestedTextList, required: true,
		check:       listvalidator.ValueStringsAre(stringvalidator.RegexMatches(viewHiddenColumn, "a column id such as tasks:data.image or tasks:inner_id")),
		description: "Columns hidden in the list beside the labeling stream.",
	},
)

var viewObject = objectType[client.View]{
	typeName: "view",
	noun:     "view",
	description: "A data-manager view of a Label Studio project (Community and Enterprise): a tab of the project's task list with its title, " +
		"layout, filters, ordering and hidden columns. Every user of the project sees the project's tabs. Settings the Label Studio UI keeps in a tab " +
		"that this resource does not manage (column widths, for instance) are kept on update.",
	idDescription: "Numeric ID of the view in Label Studio. Import an existing view with this ID.",
	importHint:    "the number Label Studio gives the tab, e.g. in GET /api/dm/views/?project=",
	timeouts:      sameTimeouts(defaultViewTimeout),
	fields: []fieldSpec{
		{
			name: attrProject, typ: fieldInt64, required: true, forceNew: true,
			description: "ID of the project the tab belongs to. Changing it replaces the view.",
		},
		{name: "title", typ: fieldString, required: true, description: "The tab's title."},
		{
			name: "type", typ: fieldString, defaults: always("list"), check: stringvalidator.OneOf("list", "grid"),
			description: "The tab's layout: `list` or `grid`.",
		},
		{
			name: "target", typ: fieldString, defaults: always("tasks"), check: stringvalidator.OneOf("tasks", "annotations"),
			description: "What the tab lists: `tasks` or `annotations`.",
		},
		{
			name: "filters", typ: viewFiltersType,
			description: "The tab's filters, e.g. `{ conjunction = \"and\", items = [{ filter = \"filter:tasks:data.image\", operator = \"contains\", type = \"String\", value = jsonencode(\"cat\") }] }`. " +
				"Removing them clears the tab's filters.",
		},
		{
			name: "ordering", typ: fieldStringList, serverDefault: true,
			check: listvalidator.All(
				listvalidator.SizeAtLeast(1),
				listvalidator.ValueStringsAre(stringvalidator.RegexMatches(viewOrderingColumn, "a column id tasks:<column>, with a leading - for descending order, e.g. -tasks:created_at")),
			),
			description: "The column the tab sorts by, e.g. `[\"-tasks:created_at\"]` (a leading `-` sorts descending; the data manager uses the first). " +
				"Label Studio cannot clear a tab's ordering: left unset, the tab keeps the ordering it has.",
		},
		{
			name: "hidden_columns", typ: viewHiddenColumnsType, serverDefault: true,
			description: "The columns the tab hides, e.g. `{ explore = [\"tasks:inner_id\"], labeling = [\"tasks:inner_id\"] }`. Left unset, the tab keeps the columns the UI hides.",
		},
		{name: "order", typ: fieldInt64, computed: true, description: "The tab's position among the project's tabs, from the left; Label Studio sets it."},
	},
	api: objectAPI[client.View]{
		create: func(c *client.Client, ctx context.Context, body map[string]any) (*client.View, error) {
			return c.CreateView(ctx, viewRequest(body, nil))
		},
		// From the project's list of views (one request for all of them).
		read: func(c *client.Client, ctx context.Context, ref objectRef) (*client.View, error) {
			return c.ReadView(ctx, ref.ID, ref.Project)
		},
		// An update merges what changed into the view's current data:
		// Label Studio replaces the stored data with the data sent, and the
		// UI keeps settings of its own there.
		update: func(c *client.Client, ctx context.Context, id int64, body map[string]any) (*client.View, error) {
			current, err := c.GetView(ctx, id)
			if err != nil {
				return nil, err
			}
			// Label Studio answers an update of a locked tab with the tab
			// unchanged (ViewSerializer.update keeps only column widths).
			if current.Fields["is_locked"] == true {
				return nil, fmt.Errorf("view %d is locked in Label Studio, which ignores every change to a locked tab but its column widths. "+
					"Unlock the tab in the data manager (a manager, owner or administrator can), then apply again", id)
			}
			data, _ := current.Fields["data"].(map[string]any)
			return c.UpdateView(ctx, id, viewRequest(body, data))
		},
		delete: (*client.Client).DeleteView,
		candidates: func(c *client.Client, ctx context.Context, body map[string]any) ([]client.View, error) {
			project, _ := body[attrProject].(int64)
			return c.ListViews(ctx, project)
		},
		fields:         viewFields,
		noCreationTime: true,
	},
	list: objectList[client.View]{
		description: "Lists the data-manager views (tabs) of a project, with one request.",
		attribute:   attrProject,
		schema:      listschema.Int64Attribute{Required: true, MarkdownDescription: "ID of the project whose views to list."},
		summary:     "Cannot list the Label Studio views",
		fetch: func(ctx context.Context, c *client.Client, filter tftypes.Value) ([]client.View, error) {
			project, err := int64JSON(filter)
			if err != nil {
				return nil, err
			}
			return c.ListViews(ctx, project.(int64))
		},
		title: func(v *client.View) string {
			title, _ := viewFields(v)["title"].(string)
			return title
		},
	},
}

// viewRequest is the request body for the attributes in body, over the
// view's current data (nil for a create). A null attribute removes its
// key; filters are cleared with an empty filter group, because Label
// Studio keeps the filters of a view whose data has none.
func viewRequest(body map[string]any, current map[string]any) map[string]any {
	data := maps.Clone(current)
	if data == nil {
		data = map[string]any{}
	}
	// selectedItems is put into data on read only; it is kept apart.
	delete(data, "selectedItems")
	for attr, key := range viewDataKeys {
		value, sent := body[attr]
		switch {
		case !sent:
		case value != nil:
			data[key] = value
		case attr == "filters":
			conjunction := "and"
			if old, ok := data[key].(map[string]any); ok {
				if c, ok := old["conjunction"].(string); ok && c != "" {
					conjunction = c
				}
			}
			data[key] = map[string]any{"conjunction": conjunction, "items": []any{}}
		default:
			delete(data, key)
		}
	}
	out := map[string]any{"data": data}
	if project, ok := body[attrProject]; ok {
		out[attrProject] = project
	}
	return out
}

// viewFields is the view as the attributes see it: the keys of its data
// beside id, project and order. A view without type or target in its data
// is a list of tasks (the data manager's defaults); filters without items
// are none.
func viewFields(v *client.View) map[string]any {
	data, _ := v.Fields["data"].(map[string]any)
	out := map[string]any{"id": v.Fields["id"], attrProject: v.Fields[attrProject], "order": v.Fields["order"]}
	for attr, key := range viewDataKeys {
		out[attr] = data[key]
	}
	if out["type"] == nil {
		out["type"] = "list"
	}
	if out["target"] == nil {
		out["target"] = "tasks"
	}
	out["filters"] = viewFilters(data["filters"])
	if isEmptyJSON(out["ordering"]) {
		out["ordering"] = nil
	}
	return out
}

// viewFilters is data.filters without the child_filters list recent
// releases give every item (empty for filters made here), so that a lost
// create's settlement finds the items it sent, or nil when there are no
// items.
func viewFilters(raw any) any {
	filters, ok := raw.(map[string]any)
	if !ok {
		return raw
	}
	items, _ := filters["items"].([]any)
	if len(items) == 0 {
		return nil
	}
	out := maps.Clone(filters)
	cleaned := make([]any, len(items))
	for i, item := range items {
		cleaned[i] = item
		if m, ok := item.(map[string]any); ok && isEmptyJSON(m["child_filters"]) {
			m = maps.Clone(m)
			delete(m, "child_filters")
			cleaned[i] = m
		}
	}
	out["items"] = cleaned
	return out
}

// viewListMembershipColumns are the columns besides data.* that in_list
// and not_in_list accept (data_manager/serializers.py
// _column_supports_list_membership).
var viewListMembershipColumns = []string{"id", "inner_id", "total_annotations", "total_predictions", "cancelled_annotations"}

// viewFilterValuesValidator checks each filter's value against its
// operator as Label Studio does on save (FilterSerializer.validate) or
// needs to filter at all (managers.py: in and not_in read min and max).
type viewFilterValuesValidator struct{}

func (viewFilterValuesValidator) Description(context.Context) string {
	return "each filter's value must suit its operator"
}

func (v viewFilterValuesValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (viewFilterValuesValidator) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for i, elem := range req.ConfigValue.Elements() {
		item, ok := elem.(types.Object)
		if !ok || item.IsNull() || item.IsUnknown() {
			continue
		}
		attrs := item.Attributes()
		operator, _ := attrs["operator"].(types.String)
		value, _ := attrs["value"].(types.String)
		column, _ := attrs["filter"].(types.String)
		if operator.IsUnknown() || value.IsUnknown() || value.IsNull() {
			continue
		}
		decoded, err := decodeJSONText(value.ValueString())
		if err != nil {
			continue // the value's own check reports it
		}
		itemPath := req.Path.AtListIndex(i)
		switch operator.ValueString() {
		case "in_list", "not_in_list":
			if msg := listMembershipProblem(decoded); msg != "" {
				resp.Diagnostics.AddAttributeError(itemPath.AtName("value"), "Label Studio will refuse this filter value",
					fmt.Sprintf("%s: %s", itemPath.AtName("value"), msg))
			}
			if !column.IsUnknown() && !column.IsNull() && !viewColumnTakesLists(column.ValueString()) {
				resp.Diagnostics.AddAttributeError(itemPath.AtName("filter"), "Label Studio will refuse this filter",
					fmt.Sprintf("%s: %s filters only task data fields (filter:tasks:data.<field>) and filter:tasks:%s; %s is none of them.",
						itemPath.AtName("filter"), operator.ValueString(), strings.Join(viewListMembershipColumns, ", filter:tasks:"), column.ValueString()))
			}
		case "in", "not_in":
			if rangeValue, ok := decoded.(map[string]any); !ok || rangeValue["min"] == nil || rangeValue["max"] == nil {
				resp.Diagnostics.AddAttributeError(itemPath.AtName("value"), "The filter needs a range",
					fmt.Sprintf("%s: %s compares with a range: write the value as jsonencode({ min = 1, max = 7 }).", itemPath.AtName("value"), operator.ValueString()))
			}
		}
	}
}

// listMembershipProblem says why Label Studio refuses v as the value of an
// in_list filter, or "".
func listMembershipProblem(v any) string {
	list, ok := v.([]any)
	if !ok {
		return "in_list and not_in_list take a JSON array (Label Studio: \"`in_list` / `not_in_list` require a JSON array.\"): write the value as jsonencode([1, 2, 3]) or jsonencode([\"a\", \"b\"])."
	}
	for _, el := range list {
		switch el.(type) {
		case string, json.Number, bool:
		default:
			return "the list may hold only strings and numbers (Label Studio: \"List elements must be strings or numbers.\")."
		}
	}
	return ""
}

// viewColumnTakesLists is _column_supports_list_membership.
func viewColumnTakesLists(column string) bool {
	field, ok := strings.CutPrefix(column, "filter:tasks:")
	if !ok {
		return true // the column's own check reports it
	}
	field = strings.TrimPrefix(field, "-")
	return strings.HasPrefix(field, "data.") || slices.Contains(viewListMembershipColumns, field)
}
