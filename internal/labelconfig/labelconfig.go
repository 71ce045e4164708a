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
