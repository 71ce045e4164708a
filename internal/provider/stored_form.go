package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/htmlclean"
)

// storedForm is what Label Studio stores for a configured text value, with
// the changes in words. Label Studio trims title and description (DRF's
// CharField) and sanitises expert_instruction with bleach
// (label_studio/projects/serializers.py).
type storedForm func(string) (string, []string)

func trimmedForm(s string) (string, []string) {
	trimmed := strings.TrimSpace(s)
	if trimmed == s {
		return s, nil
	}
	return trimmed, []string{"removes the leading and trailing whitespace"}
}

func sanitisedForm(s string) (string, []string) {
	res := htmlclean.Clean(s)
	return res.HTML, res.Changes
}

// warnStoredForm warns at plan time when Label Studio will store a configured
// value in another form. The plan keeps the configured value: state keeps it
// too as long as the server holds exactly its stored form (keepConfigured),
// so the next plan is empty.
type warnStoredForm struct{ form storedForm }

func (warnStoredForm) Description(context.Context) string {
	return "Warns when Label Studio will store the value in another form."
}

func (m warnStoredForm) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (m warnStoredForm) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	configured := req.ConfigValue.ValueString()
	stored, changes := m.form(configured)
	if stored == configured {
		return
	}
	name := req.Path.String()
	resp.Diagnostics.AddAttributeWarning(req.Path, "Label Studio will change "+name,
		fmt.Sprintf("Label Studio stores %s in another form than configured: it %s. It will hold:\n\n%s\n\n"+
			"Terraform keeps the configured value while Label Studio holds exactly that form; "+
			"write that form in the configuration to silence this warning.",
			name, strings.Join(changes, "; "), stored))
}

// keepConfigured is the value state records for a text attribute the server
// answered with: the value already in state (the plan, or the prior state on
// refresh) when the server holds exactly its stored form, else the server's.
func keepConfigured(current, server tftypes.Value, form storedForm) tftypes.Value {
	if form == nil || server.IsNull() || !current.IsKnown() || current.IsNull() {
		return server
	}
	var configured, stored string
	if current.As(&configured) != nil || server.As(&stored) != nil {
		return server
	}
	if canonical, _ := form(configured); canonical == stored {
		return current
	}
	return server
}
