package devserver

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Reading a project's labeling configuration: its control and object tags,
// as Label Studio's label_config parsing sees them.

// labelTag is one element of a labeling config.
type labelTag struct {
	tag    string
	name   string
	toName []string
	value  string
	// children are the values of the element's child tags (labels).
	children []string
}

// parseLabelConfig validates a labeling config the way Label Studio does
// (API.md 13): XML, unique names, every toName a known name.
func parseLabelConfig(config string) ([]*labelTag, error) {
	dec := xml.NewDecoder(strings.NewReader(config))
	var tags []*labelTag
	var stack []*labelTag
	roots := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "XML syntax error on "))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				roots++
			}
			tag := &labelTag{tag: t.Name.Local}
			for _, a := range t.Attr {
				switch a.Name.Local {
				case "name":
					tag.name = a.Value
				case "toName":
					for _, n := range strings.Split(a.Value, ",") {
						tag.toName = append(tag.toName, strings.TrimSpace(n))
					}
				case "value":
					tag.value = a.Value
				}
			}
			if len(stack) > 0 && tag.value != "" {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, tag.value)
			}
			tags = append(tags, tag)
			stack = append(stack, tag)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	if roots == 0 {
		return nil, errors.New("no element found: line 1, column 0")
	}
	if roots > 1 {
		return nil, errors.New("junk after document element")
	}
	names := map[string]bool{}
	for _, t := range tags {
		if t.name == "" {
			continue
		}
		if names[t.name] {
			return nil, labelStudioMessage("Label config contains non-unique names")
		}
		names[t.name] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, "'"+n+"'")
	}
	sort.Strings(sorted)
	for _, t := range tags {
		for _, to := range t.toName {
			if !names[to] {
				return nil, fmt.Errorf("toName=\"%s\" not found in names: [%s]", to, strings.Join(sorted, ", "))
			}
		}
	}
	return tags, nil
}

// firstObjectVariable is the variable of the config's first object tag
// ($image_url → image_url), "" when there is none.
func firstObjectVariable(config string) string {
	tags, err := parseLabelConfig(config)
	if err != nil {
		return ""
	}
	for _, t := range tags {
		if t.name != "" && len(t.toName) == 0 && strings.HasPrefix(t.value, "$") {
			return strings.TrimPrefix(t.value, "$")
		}
	}
	return ""
}

// parsedLabelConfig is the parsed_label_config of a project: the control
// tags with their targets, inputs and labels.
func parsedLabelConfig(config string) map[string]any {
	out := map[string]any{}
	for _, c := range controlTags(config) {
		inputs := []any{}
		for _, in := range c.inputs {
			inputs = append(inputs, in)
		}
		out[c.name] = map[string]any{"type": c.typ, "to_name": c.toName, "inputs": inputs, "labels": append([]string{}, c.labels...), "labels_attrs": map[string]any{}}
	}
	return out
}
