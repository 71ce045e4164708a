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
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
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
			return errA == nil && errB == nil && sameJSONValue(x, y)
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

// sameJSONValue compares two decoded JSON values (numbers as json.Number)
// by meaning: numbers by value, so that 1 and 1.0 (Python's float) are the
// same; objects in any key order.
func sameJSONValue(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		fx, _, errX := big.ParseFloat(x.String(), 10, 512, big.ToNearestEven)
		fy, _, errY := big.ParseFloat(y.String(), 10, 512, big.ToNearestEven)
		return errX == nil && errY == nil && fx.Cmp(fy) == 0
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for key, value := range x {
			other, found := y[key]
			if !found || !sameJSONValue(value, other) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJSONValue(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
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

// nestedKind is what one member of a nested object holds.
type nestedKind int

const (
	nestedText       nestedKind = iota // a string
	nestedJSONText                     // a JSON document held as text (jsonencode)
	nestedTextList                     // a list of strings
	nestedObjectList                   // a list of nested objects of members
)

// nestedMember is one attribute of a nested object, named as the JSON key.
type nestedMember struct {
	name        string
	kind        nestedKind
	required    bool
	description string
	// check is a validator of the member's type (validator.String,
	// validator.List).
	check   validator.Describer
	members []nestedMember
}

// fieldNestedObject is a JSON object with a fixed set of members (strings,
// JSON documents held as text, lists of strings, lists of such objects),
// as one nested attribute. A value that means the same as configured (a
// JSON member spelled differently) keeps the configured spelling; the
// server's members the table does not name are not read.
func fieldNestedObject(members ...nestedMember) *fieldType {
	return &fieldType{
		tfType: nestedObjectType(members),
		resourceAttribute: func(a attributeSpec) rsschema.Attribute {
			attribute := rsschema.SingleNestedAttribute{
				Attributes: nestedAttributes(members),
				Required:   a.required, Optional: a.optional, Computed: a.computed, Sensitive: a.sensitive,
				MarkdownDescription: a.description,
				Validators:          checksOf[validator.Object](a),
			}
			if a.keepState {
				attribute.PlanModifiers = []planmodifier.Object{objectplanmodifier.UseStateForUnknown()}
			}
			if a.forceNew {
				attribute.PlanModifiers = append(attribute.PlanModifiers, objectplanmodifier.RequiresReplace())
			}
			return attribute
		},
		dataSourceAttribute: func(a attributeSpec) dsschema.Attribute {
			return dsschema.SingleNestedAttribute{Attributes: nestedDataSourceAttributes(members), Computed: true, MarkdownDescription: a.description}
		},
		toJSON: func(v tftypes.Value) (any, error) { return nestedToJSON(members, v) },
		fromJSON: func(v any) (any, error) {
			return nestedFromJSON(members, v)
		},
		equivalent: func(configured, server tftypes.Value) bool {
			x, errA := nestedToJSON(members, configured)
			y, errB := nestedToJSON(members, server)
			return errA == nil && errB == nil && reflect.DeepEqual(x, y)
		},
	}
}

func nestedObjectType(members []nestedMember) tftypes.Object {
	attrTypes := make(map[string]tftypes.Type, len(members))
	for _, m := range members {
		attrTypes[m.name] = m.tfType()
	}
	return tftypes.Object{AttributeTypes: attrTypes}
}

func (m nestedMember) tfType() tftypes.Type {
	switch m.kind {
	case nestedTextList:
		return tftypes.List{ElementType: tftypes.String}
	case nestedObjectList:
		return tftypes.List{ElementType: nestedObjectType(m.members)}
	}
	return tftypes.String
}

func nestedAttributes(members []nestedMember) map[string]rsschema.Attribute {
	out := make(map[string]rsschema.Attribute, len(members))
	for _, m := range members {
		a := attributeSpec{name: m.name}
		if m.check != nil {
			a.checks = []validator.Describer{m.check}
		}
		switch m.kind {
		case nestedText, nestedJSONText:
			if m.kind == nestedJSONText {
				a.checks = append(a.checks, jsonTextValidator{})
			}
			out[m.name] = rsschema.StringAttribute{Required: m.required, Optional: !m.required, MarkdownDescription: m.description, Validators: checksOf[validator.String](a)}
		case nestedTextList:
			out[m.name] = rsschema.ListAttribute{ElementType: types.StringType, Required: m.required, Optional: !m.required, MarkdownDescription: m.description, Validators: checksOf[validator.List](a)}
		case nestedObjectList:
			out[m.name] = rsschema.ListNestedAttribute{
				NestedObject: rsschema.NestedAttributeObject{Attributes: nestedAttributes(m.members)},
				Required:     m.required, Optional: !m.required, MarkdownDescription: m.description, Validators: checksOf[validator.List](a),
			}
		}
	}
	return out
}

func nestedDataSourceAttributes(members []nestedMember) map[string]dsschema.Attribute {
	out := make(map[string]dsschema.Attribute, len(members))
	for _, m := range members {
		switch m.kind {
		case nestedText, nestedJSONText:
			out[m.name] = dsschema.StringAttribute{Computed: true, MarkdownDescription: m.description}
		case nestedTextList:
			out[m.name] = dsschema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: m.description}
		case nestedObjectList:
			out[m.name] = dsschema.ListNestedAttribute{
				NestedObject: dsschema.NestedAttributeObject{Attributes: nestedDataSourceAttributes(m.members)},
				Computed:     true, MarkdownDescription: m.description,
			}
		}
	}
	return out
}

// nestedToJSON is the JSON object of a known, non-null value; null members
// are left out.
func nestedToJSON(members []nestedMember, v tftypes.Value) (map[string]any, error) {
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		return nil, err
	}
	out := make(map[string]any, len(members))
	for _, m := range members {
		elem, ok := attrs[m.name]
		if !ok || elem.IsNull() {
			continue
		}
		if !elem.IsKnown() {
			return nil, fmt.Errorf("%s is not known yet", m.name)
		}
		var err error
		switch m.kind {
		case nestedText:
			out[m.name], err = goValue[string](elem)
		case nestedJSONText:
			var text string
			if err = elem.As(&text); err == nil {
				out[m.name], err = decodeJSONText(text)
			}
		case nestedTextList:
			out[m.name], err = stringsJSON(false)(elem)
		case nestedObjectList:
			var list []tftypes.Value
			if err = elem.As(&list); err == nil {
				objects := make([]any, len(list))
				for i, item := range list {
					if objects[i], err = nestedToJSON(m.members, item); err != nil {
						break
					}
				}
				out[m.name] = objects
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.name, err)
		}
	}
	return out, nil
}

// nestedFromJSON is the Go value (for tftypes.NewValue) of a decoded JSON
// object; a missing member is null.
func nestedFromJSON(members []nestedMember, v any) (map[string]tftypes.Value, error) {
	object, ok := v.(map[string]any)
	if !ok {
		_, err := expectJSON[map[string]any](v)
		return nil, err
	}
	out := make(map[string]tftypes.Value, len(members))
	for _, m := range members {
		raw, present := object[m.name]
		if !present || raw == nil && m.kind != nestedJSONText {
			out[m.name] = tftypes.NewValue(m.tfType(), nil)
			continue
		}
		var value any
		var err error
		switch m.kind {
		case nestedText:
			value, err = expectJSON[string](raw)
		case nestedJSONText:
			var text []byte
			text, err = json.Marshal(raw)
			value = string(text)
		case nestedTextList:
			value, err = stringElements(raw)
		case nestedObjectList:
			list, isList := raw.([]any)
			if !isList {
				_, err = expectJSON[[]any](raw)
				break
			}
			elems := make([]tftypes.Value, len(list))
			for i, item := range list {
				var attrs map[string]tftypes.Value
				if attrs, err = nestedFromJSON(m.members, item); err != nil {
					break
				}
				elems[i] = tftypes.NewValue(nestedObjectType(m.members), attrs)
			}
			value = elems
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.name, err)
		}
		out[m.name] = tftypes.NewValue(m.tfType(), value)
	}
	return out, nil
}
