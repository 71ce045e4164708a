package provider

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// A labeling configuration is XML that people format by hand, in heredocs,
// from files. labelConfigType compares two configurations by their element
// trees, so that indentation, attribute order, quoting or a trailing newline
// never show up as a change.
type labelConfigMeaning struct{}

type (
	labelConfigType  = semanticStringType[labelConfigMeaning]
	labelConfigValue = semanticStringValue[labelConfigMeaning]
)

func (labelConfigMeaning) name() string          { return "labelConfigType" }
func (labelConfigMeaning) same(a, b string) bool { return sameLabelConfig(a, b) }

// check rejects a configuration that is not XML at plan time, before
// anything reaches the server.
func (labelConfigMeaning) check(v string, at path.Path, diags *diag.Diagnostics) {
	if _, err := parseXMLTree(v); err != nil {
		diags.AddAttributeError(at, "Invalid label configuration",
			fmt.Sprintf("label_config must be an XML document such as <View>…</View>: %v.", err))
	}
}

func newLabelConfigValue(s string) labelConfigValue {
	return labelConfigValue{StringValue: basetypes.NewStringValue(s)}
}

// keepLabelConfigFormatting plans no change when the configured label
// configuration means the same as the one in state. Terraform accepts a
// planned value equal to the prior state as the provider's judgement that the
// two are equivalent.
type keepLabelConfigFormatting struct{}

func (keepLabelConfigFormatting) Description(context.Context) string {
	return "Suppresses differences in formatting, attribute order and whitespace of the XML."
}

func (m keepLabelConfigFormatting) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (keepLabelConfigFormatting) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if sameLabelConfig(req.StateValue.ValueString(), req.PlanValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}

// sameLabelConfig reports whether two documents have the same element tree,
// the same attributes in any order and the same non-whitespace text. A
// document that does not parse equals only an identical string.
func sameLabelConfig(a, b string) bool {
	if a == b {
		return true
	}
	treeA, errA := parseXMLTree(a)
	treeB, errB := parseXMLTree(b)
	if errA != nil || errB != nil {
		return false
	}
	return treeA.equal(treeB)
}

// xmlNode is an element, or (with text set and no name) a run of text.
type xmlNode struct {
	name     xml.Name
	attrs    []xml.Attr
	children []*xmlNode
	text     string
}

func (n *xmlNode) equal(o *xmlNode) bool {
	if n.name != o.name || n.text != o.text || len(n.attrs) != len(o.attrs) || len(n.children) != len(o.children) {
		return false
	}
	for i := range n.attrs {
		if n.attrs[i] != o.attrs[i] {
			return false
		}
	}
	for i := range n.children {
		if !n.children[i].equal(o.children[i]) {
			return false
		}
	}
	return true
}

// parseXMLTree parses a document with exactly one root element. Comments,
// processing instructions and whitespace-only text are dropped; text is
// trimmed; attributes are sorted.
func parseXMLTree(doc string) (*xmlNode, error) {
	decoder := xml.NewDecoder(strings.NewReader(doc))
	var root *xmlNode
	var open []*xmlNode
	for {
		token, err := decoder.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := token.(type) {
		case xml.StartElement:
			if len(open) == 0 && root != nil {
				return nil, fmt.Errorf("more than one root element (<%s> after <%s>)", t.Name.Local, root.name.Local)
			}
			node := &xmlNode{name: t.Name, attrs: sortedAttrs(t.Attr)}
			if len(open) == 0 {
				root = node
			} else {
				parent := open[len(open)-1]
				parent.children = append(parent.children, node)
			}
			open = append(open, node)
		case xml.EndElement:
			open = open[:len(open)-1]
		case xml.CharData:
			text := strings.TrimSpace(string(t))
			if text == "" {
				continue
			}
			if len(open) == 0 {
				return nil, fmt.Errorf("text %q outside the root element", text)
			}
			parent := open[len(open)-1]
			parent.children = append(parent.children, &xmlNode{text: text})
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

func sortedAttrs(attrs []xml.Attr) []xml.Attr {
	sorted := append([]xml.Attr(nil), attrs...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Name.Space != sorted[j].Name.Space {
			return sorted[i].Name.Space < sorted[j].Name.Space
		}
		return sorted[i].Name.Local < sorted[j].Name.Local
	})
	return sorted
}
