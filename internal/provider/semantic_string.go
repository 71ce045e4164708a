package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// stringMeaning is what a string type with semantic equality knows about its
// values: Label Studio stores some strings in another spelling than sent (a
// local path normalised, a labeling configuration reformatted), and two
// spellings of one meaning must never show a difference.
type stringMeaning interface {
	// name names the type in messages.
	name() string
	// same says whether two values mean the same.
	same(a, b string) bool
	// check reports a value that cannot be sent, at plan time.
	check(v string, at path.Path, diags *diag.Diagnostics)
}

type semanticStringType[M stringMeaning] struct {
	basetypes.StringType
}

var (
	_ basetypes.StringTypable                    = semanticStringType[localPathMeaning]{}
	_ basetypes.StringValuableWithSemanticEquals = semanticStringValue[localPathMeaning]{}
	_ xattr.ValidateableAttribute                = semanticStringValue[localPathMeaning]{}
)

func (t semanticStringType[M]) String() string {
	var m M
	return m.name()
}

func (t semanticStringType[M]) Equal(o attr.Type) bool {
	other, ok := o.(semanticStringType[M])
	return ok && t.StringType.Equal(other.StringType)
}

func (t semanticStringType[M]) ValueType(context.Context) attr.Value { return semanticStringValue[M]{} }

func (t semanticStringType[M]) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return semanticStringValue[M]{StringValue: in}, nil
}

func (t semanticStringType[M]) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return semanticStringValue[M]{StringValue: s}, nil
}

// semanticStringValue is a value of semanticStringType.
type semanticStringValue[M stringMeaning] struct {
	basetypes.StringValue
}

func (v semanticStringValue[M]) Type(context.Context) attr.Type { return semanticStringType[M]{} }

func (v semanticStringValue[M]) Equal(o attr.Value) bool {
	other, ok := o.(semanticStringValue[M])
	return ok && v.StringValue.Equal(other.StringValue)
}

// StringSemanticEquals keeps the configured spelling when the server
// returns another one of the same meaning.
func (v semanticStringValue[M]) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	var m M
	newValue, ok := newValuable.(semanticStringValue[M])
	if !ok {
		diags.AddError("Semantic equality check error",
			fmt.Sprintf("Expected a %s value, got %T. Please report this to the provider developers.", m.name(), newValuable))
		return false, diags
	}
	return m.same(v.ValueString(), newValue.ValueString()), diags
}

// ValidateAttribute rejects at plan time a value that cannot be sent.
func (v semanticStringValue[M]) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	var m M
	m.check(v.ValueString(), req.Path, &resp.Diagnostics)
}
