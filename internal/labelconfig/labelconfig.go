// Package labelconfig compares Label Studio labeling configurations, XML
// that people format by hand, in heredocs, from files, by their element
// trees: indentation, attribute order, quoting, comments or a trailing
// newline never make two configurations differ. It knows nothing of
// Terraform.
package labelconfig

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Same reports whether two documents have the same element tree, the same
// attributes in any order and the same non-whitespace text. A document that
// does not parse equals only an identical string.
func Same(a, b string) bool {
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

// Check reports why doc is not a labeling configuration Same can compare: an
// XML document with exactly one root element.
func Check(doc string) error {
	_, err := parseXMLTree(doc)
	return err
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

// Control is a control tag of a labeling configuration (Choices, Labels,
// RectangleLabels, …): a tag with a name and a toName.
type Control struct {
	Name, Type string
	ToName     []string
	// Labels are the value attributes of its direct children.
	Labels []string
}

// Controls lists the control tags of doc in document order, as Label
// Studio's parse_config finds them.
func Controls(doc string) ([]Control, error) {
	root, err := parseXMLTree(doc)
	if err != nil {
		return nil, err
	}
	var out []Control
	root.walk(func(n *xmlNode) {
		name, toName := n.attr("name"), n.attr("toName")
		if name == "" || toName == "" {
			return
		}
		c := Control{Name: name, Type: n.name.Local, ToName: splitNames(toName)}
		for _, child := range n.children {
			if label := child.attr("value"); child.text == "" && label != "" {
				c.Labels = append(c.Labels, label)
			}
		}
		out = append(out, c)
	})
	return out, nil
}

// CheckNames applies the name rules of Label Studio's
// validate_label_config (core/label_config.py) that need no schema: every
// name once, and every toName a defined name. Its messages are Label
// Studio's.
func CheckNames(doc string) error {
	root, err := parseXMLTree(doc)
	if err != nil {
		return err
	}
	names := map[string]bool{}
	duplicate := false
	root.walk(func(n *xmlNode) {
		if name := n.attr("name"); name != "" {
			duplicate = duplicate || names[name]
			names[name] = true
		}
	})
	if duplicate {
		return errNonUniqueNames
	}
	quoted := make([]string, 0, len(names))
	for name := range names {
		quoted = append(quoted, "'"+name+"'")
	}
	sort.Strings(quoted)
	var missing error
	root.walk(func(n *xmlNode) {
		for _, to := range splitNames(n.attr("toName")) {
			if !names[to] && missing == nil {
				missing = fmt.Errorf("toName=\"%s\" not found in names: [%s]", to, strings.Join(quoted, ", "))
			}
		}
	})
	return missing
}

// errNonUniqueNames is Label Studio's message, capitalised as it is.
var errNonUniqueNames = errors.New("Label config contains non-unique names") //nolint:staticcheck // quoted from Label Studio

// walk visits n and the elements below it in document order.
func (n *xmlNode) walk(visit func(*xmlNode)) {
	if n.text != "" {
		return
	}
	visit(n)
	for _, child := range n.children {
		child.walk(visit)
	}
}

// attr is the value of the attribute with this local name, or "".
func (n *xmlNode) attr(local string) string {
	for _, a := range n.attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// splitNames splits a toName list ("a,b").
func splitNames(list string) []string {
	var out []string
	for _, name := range strings.Split(list, ",") {
		if name = strings.TrimSpace(name); name != "" {
			out = append(out, name)
		}
	}
	return out
}
