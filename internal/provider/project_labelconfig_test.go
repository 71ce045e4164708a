package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const imageClassification = `<View>
  <Image name="image" value="$image"/>
  <Choices name="choice" toName="image" choice="single">
    <Choice value="Cat"/>
    <Choice value="Dog"/>
  </Choices>
</View>`

func TestLabelConfigValidation(t *testing.T) {
	tests := map[string]struct {
		config  string
		wantErr bool
	}{
		"valid":             {imageClassification, false},
		"unclosed element":  {`<View><Image name="image">`, true},
		"mismatched tags":   {`<View><Text name="t"></Image></View>`, true},
		"two root elements": {`<View/><View/>`, true},
		"plain text":        {`choices: cat, dog`, true},
		"empty":             {``, true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			resp := &xattr.ValidateAttributeResponse{}
			newLabelConfigValue(tt.config).ValidateAttribute(context.Background(),
				xattr.ValidateAttributeRequest{Path: path.Root("label_config")}, resp)
			if got := resp.Diagnostics.HasError(); got != tt.wantErr {
				t.Errorf("error = %t, want %t: %v", got, tt.wantErr, resp.Diagnostics)
			}
		})
	}
}

func TestKeepLabelConfigFormatting(t *testing.T) {
	reformatted := `<View><Image value="$image" name="image"/><Choices name="choice" toName="image" choice="single"><Choice value="Cat"/><Choice value="Dog"/></Choices></View>`
	changed := `<View><Image name="image" value="$image"/></View>`
	tests := map[string]struct {
		state, plan, want types.String
	}{
		"reformatted keeps state": {types.StringValue(imageClassification), types.StringValue(reformatted), types.StringValue(imageClassification)},
		"changed plans new value": {types.StringValue(imageClassification), types.StringValue(changed), types.StringValue(changed)},
		"create plans config":     {types.StringNull(), types.StringValue(changed), types.StringValue(changed)},
		"unknown stays unknown":   {types.StringValue(imageClassification), types.StringUnknown(), types.StringUnknown()},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			req := planmodifier.StringRequest{StateValue: tt.state, PlanValue: tt.plan, ConfigValue: tt.plan}
			resp := &planmodifier.StringResponse{PlanValue: tt.plan}
			keepLabelConfigFormatting{}.PlanModifyString(context.Background(), req, resp)
			if !resp.PlanValue.Equal(tt.want) {
				t.Errorf("planned %s, want %s", resp.PlanValue, tt.want)
			}
		})
	}
}
