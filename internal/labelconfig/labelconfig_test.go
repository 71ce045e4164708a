package labelconfig

import (
	"reflect"
	"testing"
)

const imageClassification = `<View>
  <Image name="image" value="$image"/>
  <Choices name="choice" toName="image" choice="single">
    <Choice value="Cat"/>
    <Choice value="Dog"/>
  </Choices>
</View>`

func TestSame(t *testing.T) {
	tests := map[string]struct {
		other string
		same  bool
	}{
		"identical": {imageClassification, true},
		"one line":  {`<View><Image name="image" value="$image"/><Choices name="choice" toName="image" choice="single"><Choice value="Cat"/><Choice value="Dog"/></Choices></View>`, true},
		"attribute order and quotes": {`<View><Image value='$image' name="image"></Image>
			<Choices choice="single" toName="image" name="choice"><Choice value="Cat"></Choice><Choice value="Dog"/></Choices></View>`, true},
		"trailing newline and comment": {imageClassification + "\n<!-- pets -->\n", true},
		"attribute value differs":      {`<View><Image name="image" value="$img"/><Choices name="choice" toName="image" choice="single"><Choice value="Cat"/><Choice value="Dog"/></Choices></View>`, false},
		"child order differs":          {`<View><Image name="image" value="$image"/><Choices name="choice" toName="image" choice="single"><Choice value="Dog"/><Choice value="Cat"/></Choices></View>`, false},
		"extra attribute":              {`<View><Image name="image" value="$image" zoom="true"/><Choices name="choice" toName="image" choice="single"><Choice value="Cat"/><Choice value="Dog"/></Choices></View>`, false},
		"extra element":                {`<View><Header value="Pets"/><Image name="image" value="$image"/><Choices name="choice" toName="image" choice="single"><Choice value="Cat"/><Choice value="Dog"/></Choices></View>`, false},
		"not XML":                      {`<View><Image name="image"></View>`, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Same(imageClassification, tt.other); got != tt.same {
				t.Errorf("Same() = %t, want %t", got, tt.same)
			}
		})
	}
}

func TestSameComparesText(t *testing.T) {
	if !Same("<View><Header>Pick one</Header></View>", "<View>\n  <Header>\n    Pick one\n  </Header>\n</View>") {
		t.Error("text differing only in surrounding whitespace should be equal")
	}
	if Same("<View><Header>Pick one</Header></View>", "<View><Header>Pick two</Header></View>") {
		t.Error("different text should differ")
	}
}

func TestControls(t *testing.T) {
	controls, err := Controls(`<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Car"/><Label value="Bus"/></RectangleLabels>
  <Choices name="mood" toName="image, image"><Choice value="Happy"/></Choices>
  <Header value="not a control"/>
</View>`)
	if err != nil {
		t.Fatal(err)
	}
	want := []Control{
		{Name: "box", Type: "RectangleLabels", ToName: []string{"image"}, Labels: []string{"Car", "Bus"}},
		{Name: "mood", Type: "Choices", ToName: []string{"image", "image"}, Labels: []string{"Happy"}},
	}
	if !reflect.DeepEqual(controls, want) {
		t.Errorf("Controls = %+v, want %+v", controls, want)
	}
}

// TestCheckNames follows validate_label_config (core/label_config.py):
// its messages for repeated names and a toName that names nothing.
func TestCheckNames(t *testing.T) {
	cases := map[string]string{
		`<View><Text name="t" value="$t"/><Choices name="c" toName="t"><Choice value="A"/></Choices></View>`:  "",
		`<View><Text name="t" value="$t"/><Choices name="t" toName="t"><Choice value="A"/></Choices></View>`:  "Label config contains non-unique names",
		`<View><Text name="t" value="$t"/><Choices name="c" toName="tx"><Choice value="A"/></Choices></View>`: `toName="tx" not found in names: ['c', 't']`,
		`<View><Text name="t" value="$t">`: "XML syntax error on line 1: unexpected EOF",
	}
	for doc, want := range cases {
		err := CheckNames(doc)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("CheckNames(%s) = %q, want %q", doc, got, want)
		}
	}
}
