package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	rsschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The field types beyond strings, booleans and whole numbers (field_spec.go)
// that API objects need: fractions, lists, sets and maps of strings, and
// JSON documents.

var (
	fieldFloat = &fieldType{
		tfType: tftypes.Number,
		resourceAttribute: func(a attributeSpec) rsschema.Attribute {
			attribute := rsschema.Float64Attribute{
				Required: a.required, Optional: a.optional, Computed: a.computed, Sensitive: a.sensitive,
				MarkdownDescription: a.description,
				Validators:          checksOf[validator.Float64](a),
			}
			if v, ok := a.def.(float64); ok {
				attribute.Default = float64default.StaticFloat64(v)
			}
			if a.keepState {
				attribute.PlanModifiers = []planmodifier.Float64{float64planmodifier.UseStateForUnknown()}
			}
			if a.forceNew {
				attribute.PlanModifiers = append(attribute.PlanModifiers, float64planmodifier.RequiresReplace())
			}
			return attribute
		},
		dataSourceAttribute: func(a attributeSpec) dsschema.Attribute {
			return dsschema.Float64Attribute{Computed: true, MarkdownDescription: a.description}
		},
		toJSON: func(v tftypes.Value) (any, error) {
			var f big.Float
			if err := v.As(&f); err != nil {
				return nil, err
			}
			x, _ := f.Float64()
			return x, nil
		},
		fromJSON: func(v any) (any, error) {
			n, ok := v.(json.Number)
			if !ok {
				return expectJSON[json.Number](v)
			}
			f, _, err := big.ParseFloat(n.String(), 10, 512, big.ToNearestEven)
			return f, err
		},
	}

	fieldStringList = &fieldType{
		tfType: tftypes.List{ElementType: tftypes.String},
		resourceAttribute: func(a attributeSpec) rsschema.Attribute {
			attribute := rsschema.ListAttribute{
				ElementType: types.StringType,
				Required:    a.required, Optional: a.optional, Computed: a.computed, Sensitive: a.sensitive, WriteOnly: a.writeOnly,
				MarkdownDescription: a.description,
				Validators:          checksOf[validator.List](a),
			}
			if v, ok := a.def.([]string); ok {
				attribute.Default = listdefault.StaticValue(types.ListValueMust(types.StringType, stringValues(v)))
			}
			if a.keepState {
				attribute.PlanModifiers = []planmodifier.List{listplanmodifier.UseStateForUnknown()}
			}
			if a.forceNew {
				attribute.PlanModifiers = append(attribute.PlanModifiers, listplanmodifier.RequiresReplace())
			}
			return attribute
		},
		dataSourceAttribute: func(a attributeSpec) dsschema.Attribute {
			return dsschema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: a.description}
		},
		toJSON:   stringsJSON(false),
		fromJSON: stringElements,
		empty:    []any{},
	}

	// fieldStringSet is sent as a list in a stable (sorted) order.
	fieldStringSet = &fieldType{
		tfType: tftypes.Set{ElementType: tftypes.String},
		resourceAttribute: func(a attributeSpec) rsschema.Attribute {
			attribute := rsschema.SetAttribute{
				ElementType: types.StringType,
				Required:    a.required, Optional: a.optional, Computed: a.computed, Sensitive: a.sensitive,
				MarkdownDescription: a.description,
				Validators:          checksOf[validator.Set](a),
			}
			if v, ok := a.def.([]string); ok {
				attribute.Default = setdefault.StaticValue(types.SetValueMust(types.StringType, stringValues(v)))
			}
			if a.keepState {
				attribute.PlanModifiers = []planmodifier.Set{setplanmodifier.UseStateForUnknown()}
			}
			if a.forceNew {
				attribute.PlanModifiers = append(attribute.PlanModifiers, setplanmodifier.RequiresReplace())
			}
			return attribute
		},
		dataSourceAttribute: func(a attributeSpec) dsschema.Attribute {
			return dsschema.SetAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: a.description}
		},
		toJSON:   stringsJSON(true),
		fromJSON: stringElements,
		empty:    []any{},
	}

	fieldStringMap = &fieldType{
		tfType: tftypes.Map{ElementType: tftypes.String},
		resourceAttribute: func(a attributeSpec) rsschema.Attribute {
			attribute := rsschema.MapAttribute{
				ElementType: types.StringType,
				Required:    a.required, Optional: a.optional, Computed: a.computed, Sensitive: a.sensitive, WriteOnly: a.writeOnly,
				MarkdownDescription: a.description,
				Validators:          checksOf[validator.Map](a),
			}
			if a.keepState {
				attribute.PlanModifiers = []planmodifier.Map{mapplanmodifier.UseStateForUnknown()}
			}
			if a.forceNew {
				attribute.PlanModifiers = append(attribute.PlanModifiers, mapplanmodifier.RequiresReplace())
			}
			return attribute
		},
		dataSourceAttribute: func(a attributeSpec) dsschema.Attribute {
			return dsschema.MapAttribute{ElementType: types.StringType, Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.description}
		},
		toJSON: func(v tftypes.Value) (any, error) {
			var elems map[string]tftypes.Value
			if err := v.As(&elems); err != nil {
				return nil, err
			}
			out := make(map[string]any, len(elems))
			for key, elem := range elems {
				var s string
				if err := elem.As(&s); err != nil {
					return nil, err
				}
				out[key] = s
			}
			return out, nil
		},
		fromJSON: func(v any) (any, error) {
			object, ok := v.(map[string]any)
			if !ok {
				return expectJSON[map[string]any](v)
			}
			out := make(map[string]tftypes.Value, len(object))
			for key, elem := range object {
				s, ok := elem.(string)
				if !ok {
					return nil, fmt.Errorf("%q is not a string", key)
				}
				out[key] = tftypes.NewValue(tftypes.String, s)
			}
			return out, nil
		},
		empty: map[string]any{},
	}

	// fieldJSON is a JSON document held as text: sent as the document,
	// read back in compact form, and kept as configured while it means the
	// same (key order, spacing).
	fieldJSON = &fieldType{
		tfType: tftypes.String,
		resourceAttribute: func(a attributeSpec) rsschema.Attribute {
			a.checks = append(a.checks, jsonTextValidator{})
			return stringAttribute(a, nil)
		},
		dataSourceAttribute: stringDataSourceAttribute,
		toJSON: func(v tftypes.Value) (any, error) {
			var text string
			if err := v.As(&text); err != nil {
				return nil, err
			}
			return decodeJSONText(text)
		},
		fromJSON: func(v any) (any, error) {
			text, err := json.Marshal(v)
			return string(text), err
		},
		equivalent: func(configured, server tftypes.Value) bool {
			var a, b string
			if configured.As(&a) != nil || server.As(&b) != nil {
				return false
			}
			x, errA := decodeJSONText(a)
			y, errB := decodeJSONText(b)
			return errA == nil && errB == nil && reflect.DeepEqual(x, y)
		},
	}
)

func stringValues(v []string) []attr.Value {
	out := make([]attr.Value, len(v))
	for i, s := range v {
		out[i] = types.StringValue(s)
	}
	return out
}

// stringsJSON is the JSON list of a list or set of strings.
func stringsJSON(sorted bool) func(tftypes.Value) (any, error) {
	return func(v tftypes.Value) (any, error) {
		var elems []tftypes.Value
		if err := v.As(&elems); err != nil {
			return nil, err
		}
		texts := make([]string, len(elems))
		for i, elem := range elems {
			if err := elem.As(&texts[i]); err != nil {
				return nil, err
			}
		}
		if sorted {
			sort.Strings(texts)
		}
		out := make([]any, len(texts))
		for i, s := range texts {
			out[i] = s
		}
		return out, nil
	}
}

func stringElements(v any) (any, error) {
	list, ok := v.([]any)
	if !ok {
		return expectJSON[[]any](v)
	}
	out := make([]tftypes.Value, len(list))
	for i, elem := range list {
		s, ok := elem.(string)
		if !ok {
			return nil, fmt.Errorf("element %d is not a string", i)
		}
		out[i] = tftypes.NewValue(tftypes.String, s)
	}
	return out, nil
}

// decodeJSONText decodes a JSON document with exact numbers.
func decodeJSONText(text string) (any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return v, nil
}

// jsonTextValidator refuses text that is not one JSON document.
type jsonTextValidator struct{}

func (jsonTextValidator) Description(context.Context) string { return "must be a JSON document" }

func (v jsonTextValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (jsonTextValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := decodeJSONText(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Not a JSON document",
			fmt.Sprintf("%s must be JSON text, e.g. jsonencode({ key = \"value\" }): %v.", req.Path, err))
	}
}
