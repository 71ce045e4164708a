package provider

import (
	"context"
	"fmt"
	"math"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Plan-time checks that the framework's own conversions would otherwise
// turn into errors that point at the wrong place or blame the provider.

// wholeNumberType is the type of every configurable integer attribute. A
// configured number that is not an integer or does not fit 64 bits reads as
// unknown instead of failing the framework's conversion (whose message calls
// it a provider bug); rejectNonIntegers then reports it on its attribute.
type wholeNumberType struct{ basetypes.Int64Type }

var _ basetypes.Int64Typable = wholeNumberType{}

// Equal accepts types.Int64 too: values read from this type are plain
// types.Int64, so the code reading them needs no custom value type.
func (t wholeNumberType) Equal(o attr.Type) bool {
	switch o.(type) {
	case wholeNumberType, basetypes.Int64Type:
		return true
	}
	return false
}

func (t wholeNumberType) String() string { return "wholeNumberType" }

// Validate leaves non-integers to rejectNonIntegers, whose message names
// the attribute and the range.
func (t wholeNumberType) Validate(context.Context, tftypes.Value, path.Path) diag.Diagnostics {
	return nil
}

func (t wholeNumberType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	if _, ok := nonInteger(in); ok {
		return types.Int64Unknown(), nil
	}
	return t.Int64Type.ValueFromTerraform(ctx, in)
}

// nonInteger returns a known number that is not a 64-bit integer.
func nonInteger(v tftypes.Value) (*big.Float, bool) {
	if !v.Type().Is(tftypes.Number) || !v.IsKnown() || v.IsNull() {
		return nil, false
	}
	var f *big.Float
	if err := v.As(&f); err != nil || f == nil {
		return nil, false
	}
	if _, acc := f.Int64(); f.IsInt() && acc == big.Exact {
		return nil, false
	}
	return f, true
}

// rejectNonIntegers reports, on its attribute, every configured number that
// is not a 64-bit integer. Every number a user configures in this provider
// is an integer attribute.
func rejectNonIntegers(config tftypes.Value) diag.Diagnostics {
	var diags diag.Diagnostics
	_ = tftypes.Walk(config, func(p *tftypes.AttributePath, v tftypes.Value) (bool, error) {
		f, bad := nonInteger(v)
		if !bad {
			return true, nil
		}
		at, full, ok := frameworkPath(p)
		if !ok {
			return true, nil
		}
		detail := fmt.Sprintf("%s does not fit: use a whole number from %d to %d.", f.Text('f', 0), math.MinInt64, math.MaxInt64)
		if !f.IsInt() {
			detail = fmt.Sprintf("%s is not a whole number.", f.Text('g', -1))
		}
		diags.AddAttributeError(at, "Invalid "+full, fmt.Sprintf("%s: %s", full, detail))
		return true, nil
	})
	return diags
}

// frameworkPath converts an attribute path of a configuration value: full
// is its name for people (storages[0].id), at the deepest part of it
// Terraform can point at in the configuration (storages[0]): Terraform
// shows errors inside an object attribute on the whole resource.
func frameworkPath(p *tftypes.AttributePath) (at path.Path, full string, ok bool) {
	steps := p.Steps()
	if len(steps) == 0 {
		return path.Empty(), "", false
	}
	name, isName := steps[0].(tftypes.AttributeName)
	if !isName {
		return path.Empty(), "", false
	}
	at = path.Root(string(name))
	full = string(name)
	pointable := true
	for _, step := range steps[1:] {
		switch s := step.(type) {
		case tftypes.AttributeName:
			full += "." + string(s)
			pointable = false
		case tftypes.ElementKeyInt:
			full += fmt.Sprintf("[%d]", int(s))
			if pointable {
				at = at.AtListIndex(int(s))
				pointable = false
			}
		case tftypes.ElementKeyString:
			full += fmt.Sprintf("[%q]", string(s))
			if pointable {
				at = at.AtMapKey(string(s))
				pointable = false
			}
		}
	}
	return at, full, true
}
