package provider

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Each object field type carries a value from the server into state and
// back out into a request body unchanged, and builds its attribute with a
// default.
func TestObjectFieldTypesRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		typ    *fieldType
		server any // as client.decodeFields gives it
		sent   any // as the request body holds it
		def    any
	}{
		{"float", fieldFloat, json.Number("0.25"), 0.25, 0.5},
		{"list", fieldStringList, []any{"b", "a"}, []any{"b", "a"}, []string{"x"}},
		{"set", fieldStringSet, []any{"b", "a"}, []any{"a", "b"}, []string{}},
		{"map", fieldStringMap, map[string]any{"X-Token": "t"}, map[string]any{"X-Token": "t"}, nil},
		{"json", fieldJSON, map[string]any{"a": json.Number("1"), "b": []any{true}}, map[string]any{"a": json.Number("1"), "b": []any{true}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := fieldSpec{name: "f", typ: tc.typ}
			if tc.def != nil {
				f.defaults = always(tc.def)
			}
			if f.objectAttribute() == nil {
				t.Fatal("no attribute")
			}
			v, err := f.decode(tc.server)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			got, err := tc.typ.toJSON(v)
			if err != nil {
				t.Fatalf("toJSON: %v", err)
			}
			if !reflect.DeepEqual(got, tc.sent) {
				t.Errorf("sent %#v, want %#v", got, tc.sent)
			}
		})
	}
}

func TestObjectFieldTypesRefuseWrongJSON(t *testing.T) {
	for name, tc := range map[string]struct {
		typ    *fieldType
		server any
	}{
		"float from text":    {fieldFloat, "1.5"},
		"list of numbers":    {fieldStringList, []any{json.Number("1")}},
		"set from an object": {fieldStringSet, map[string]any{}},
		"map of numbers":     {fieldStringMap, map[string]any{"a": json.Number("1")}},
	} {
		if _, err := (fieldSpec{name: name, typ: tc.typ}).decode(tc.server); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

// A JSON document keeps its configured spelling while it means the same.
func TestJSONFieldKeepsEquivalentText(t *testing.T) {
	configured := tftypes.NewValue(tftypes.String, `{ "b": [1, 2], "a": "x" }`)
	same := tftypes.NewValue(tftypes.String, `{"a":"x","b":[1,2]}`)
	other := tftypes.NewValue(tftypes.String, `{"a":"x","b":[2,1]}`)
	if !fieldJSON.equivalent(configured, same) {
		t.Error("reordered keys and spacing count as a change")
	}
	if fieldJSON.equivalent(configured, other) {
		t.Error("a reordered list counts as the same")
	}
	if _, err := decodeJSONText(`{"a":1} {"b":2}`); err == nil {
		t.Error("two documents accepted as one")
	}
	var problems int
	for _, text := range []string{`{"a":`, `[1,2]`} {
		if _, err := decodeJSONText(text); err != nil {
			problems++
		}
	}
	if problems != 1 {
		t.Errorf("%d of a broken and a valid document refused, want 1", problems)
	}
}
