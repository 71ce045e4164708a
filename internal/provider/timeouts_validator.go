package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// checkedTimeouts is the resource's timeouts attribute with its durations
// checked on the attribute itself: Terraform cannot show where an error on
// a key inside an object attribute is (it points at the whole resource), so
// the error goes on timeouts and names the key.
func checkedTimeouts(a schema.Attribute) schema.Attribute {
	nested, ok := a.(schema.SingleNestedAttribute)
	if !ok {
		return a
	}
	attrs := make(map[string]schema.Attribute, len(nested.Attributes))
	for name, inner := range nested.Attributes {
		if s, ok := inner.(schema.StringAttribute); ok {
			s.Validators = nil
			inner = s
		}
		attrs[name] = inner
	}
	nested.Attributes = attrs
	nested.Validators = append(nested.Validators, timeoutsValidator{})
	return nested
}

// timeoutsValidator checks every duration in a timeouts object.
type timeoutsValidator struct{}

func (timeoutsValidator) Description(context.Context) string {
	return "each timeout is a Go duration such as \"30s\", \"20m\" or \"1h\""
}

func (v timeoutsValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (timeoutsValidator) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for name, value := range req.ConfigValue.Attributes() {
		s, ok := value.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		if d, err := time.ParseDuration(s.ValueString()); err != nil || d <= 0 {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid timeouts."+name,
				fmt.Sprintf("timeouts.%s = %q is not a positive duration: use a number with a unit, such as \"30s\", \"20m\" or \"1h30m\" (units: %s).",
					name, s.ValueString(), strings.Join([]string{"ms", "s", "m", "h"}, ", ")))
		}
	}
}
