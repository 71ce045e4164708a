package provider

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// normalizeLocalPath does what Label Studio does to a local-files path before
// saving it: trim, turn `\` into `/`, then os.path.normpath (which also drops
// a trailing slash).
func normalizeLocalPath(p string) string {
	p = strings.TrimSpace(p)
	if p == "" {
		return p
	}
	p = strings.ReplaceAll(p, `\`, "/")
	cleaned := path.Clean(p)
	// POSIX normpath keeps exactly two leading slashes; path.Clean does not.
	if strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "///") {
		cleaned = "/" + cleaned
	}
	return cleaned
}

var (
	_ basetypes.StringTypable                    = localPathType{}
	_ basetypes.StringValuableWithSemanticEquals = localPathValue{}
)

// localPathType is a string type whose values are equal when Label Studio
// would store them the same way, so `/data/x/` never diffs against `/data/x`.
type localPathType struct {
	basetypes.StringType
}

func (t localPathType) String() string { return "localPathType" }

func (t localPathType) Equal(o attr.Type) bool {
	other, ok := o.(localPathType)
	return ok && t.StringType.Equal(other.StringType)
}

func (t localPathType) ValueType(context.Context) attr.Value { return localPathValue{} }

func (t localPathType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return localPathValue{StringValue: in}, nil
}

func (t localPathType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return localPathValue{StringValue: s}, nil
}

// localPathValue is a value of localPathType.
type localPathValue struct {
	basetypes.StringValue
}

func (v localPathValue) Type(context.Context) attr.Type { return localPathType{} }

func (v localPathValue) Equal(o attr.Value) bool {
	other, ok := o.(localPathValue)
	return ok && v.StringValue.Equal(other.StringValue)
}

// StringSemanticEquals reports whether both paths normalise to the same one.
func (v localPathValue) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	newValue, ok := newValuable.(localPathValue)
	if !ok {
		diags.AddError("Semantic equality check error", fmt.Sprintf("expected a local path value, got %T", newValuable))
		return false, diags
	}
	return normalizeLocalPath(v.ValueString()) == normalizeLocalPath(newValue.ValueString()), diags
}

func newLocalPathNull() localPathValue { return localPathValue{StringValue: basetypes.NewStringNull()} }

func newLocalPathValue(s string) localPathValue {
	return localPathValue{StringValue: basetypes.NewStringValue(s)}
}
