package devserver

import (
	"net/http"
	"strings"
	"testing"
)

// Behaviour 1 (projects, API.md 13).

const imageConfig = `<View><Image name="image" value="$image_url"/><Choices name="choice" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices></View>`

func TestProjectCreateAndDefaults(t *testing.T) {
	ts := newTestServer(t, nil)
	empty := ts.object(ts.mustDo(http.MethodPost, "/api/projects/", map[string]any{}, http.StatusCreated))
	if empty["title"] != "" || empty["label_config"] != defaultLabelConfig || empty["show_skip_button"] != true {
		t.Errorf("defaults: %v", empty)
	}
	p := ts.object(ts.mustDo(http.MethodPost, "/api/projects/", map[string]any{"title": "Cats", "label_config": imageConfig, "sampling": "Uniform sampling"}, http.StatusCreated))
	parsed, _ := p["parsed_label_config"].(map[string]any)
	choice, _ := parsed["choice"].(map[string]any)
	if p["config_has_control_tags"] != true || choice["type"] != "Choices" || p["sampling"] != "Uniform sampling" {
		t.Errorf("project: %v", p)
	}
	got := ts.object(ts.mustDo(http.MethodGet, "/api/projects/"+itoa(int64(p["id"].(float64)))+"/", nil, http.StatusOK))
	if got["title"] != "Cats" {
		t.Errorf("retrieve: %v", got["title"])
	}
}

func TestProjectValidation(t *testing.T) {
	ts := newTestServer(t, nil)
	cases := []struct {
		body  map[string]any
		field string
		want  string
	}{
		{map[string]any{"title": "ab"}, "title", "Ensure this field has at least 3 characters."},
		{map[string]any{"title": strings.Repeat("x", 51)}, "title", "Ensure this field has no more than 50 characters."},
		{map[string]any{"label_config": "<View><Image name='a'/><Text name='a'/></View>"}, "label_config", "Label config contains non-unique names"},
		{map[string]any{"label_config": `<View><Image name="a" value="$a"/><Choices name="c" toName="b"/></View>`}, "label_config", `toName="b" not found in names: ['a', 'c']`},
		{map[string]any{"sampling": "Random"}, "sampling", `"Random" is not a valid choice.`},
	}
	for _, c := range cases {
		if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/projects/", c.body), c.field); got[0] != c.want {
			t.Errorf("%v: %v, want %q", c.body, got, c.want)
		}
	}
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/projects/", map[string]any{"label_config": "<View><Image"}), "label_config"); got[0] == "" {
		t.Errorf("XML parse error has no text")
	}
}

func TestProjectUpdateDeleteCascade(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.SyncOnTargetStorageCreation = false })
	id := ts.createProject("")
	patched := ts.object(ts.mustDo(http.MethodPatch, "/api/projects/"+itoa(id)+"/", map[string]any{"title": "Renamed", "label_config": imageConfig}, http.StatusOK))
	if patched["title"] != "Renamed" || patched["label_config"] != imageConfig {
		t.Errorf("patch: %v", patched)
	}
	ts.fieldErrors(ts.do(http.MethodPatch, "/api/projects/"+itoa(id)+"/", map[string]any{"title": "x"}), "title")
	storage := ts.createStorage("s3", dirImport, map[string]any{"project": id})
	export := ts.createStorage("localfiles", dirExport, map[string]any{"project": id, "path": "/out"})

	ts.mustDo(http.MethodDelete, "/api/projects/"+itoa(id)+"/", nil, http.StatusNoContent)
	ts.envelope(ts.do(http.MethodGet, "/api/projects/"+itoa(id)+"/", nil), http.StatusNotFound)
	ts.envelope(ts.do(http.MethodGet, storagePath("s3", dirImport, int64(storage["id"].(float64)), ""), nil), http.StatusNotFound)
	ts.envelope(ts.do(http.MethodGet, storagePath("localfiles", dirExport, int64(export["id"].(float64)), ""), nil), http.StatusNotFound)
	ts.envelope(ts.do(http.MethodDelete, "/api/projects/"+itoa(id)+"/", nil), http.StatusNotFound)
}

func TestProjectListPagination(t *testing.T) {
	ts := newTestServer(t, nil)
	for range 5 {
		ts.createProject("")
	}
	var page struct {
		Count    int
		Next     *string
		Previous *string
		Results  []map[string]any
	}
	ts.decode(ts.mustDo(http.MethodGet, "/api/projects/?page_size=2", nil, http.StatusOK), &page)
	if page.Count != 5 || len(page.Results) != 2 || page.Next == nil || page.Previous != nil {
		t.Fatalf("first page: count %d, %d results, next %v, previous %v", page.Count, len(page.Results), page.Next, page.Previous)
	}
	if !strings.Contains(*page.Next, "page=2") || !strings.HasPrefix(*page.Next, "http://") {
		t.Errorf("next %q", *page.Next)
	}
	ts.decode(ts.mustDo(http.MethodGet, "/api/projects/?page_size=2&page=3", nil, http.StatusOK), &page)
	// label_studio/projects/api.py orders the list newest first.
	if len(page.Results) != 1 || page.Next != nil || page.Previous == nil || page.Results[0]["id"] != float64(1) {
		t.Errorf("last page: %d results, next %v", len(page.Results), page.Next)
	}
	if env := ts.envelope(ts.do(http.MethodGet, "/api/projects/?page=9", nil), http.StatusNotFound); env["detail"] != "Invalid page." {
		t.Errorf("page past the end: %v", env["detail"])
	}
}

// label_studio/projects/serializers.py: expert_instruction is the raw request
// value through bleach.clean with label_studio/constants.py's allow-lists
// (not trimmed, unlike the other text fields, which DRF's CharField trims);
// bleach refuses anything but text, which ends as a 500.
func TestProjectSanitisesInstructionAndTrimsText(t *testing.T) {
	ts := newTestServer(t, nil)
	p := ts.object(ts.mustDo(http.MethodPost, "/api/projects/", map[string]any{
		"title":              "  Cats  ",
		"description":        "\tAbout cats\n",
		"label_config":       "\n" + imageConfig + "\n",
		"expert_instruction": ` <a href="#" onerror=alert(1)>Read</a> <foo> `,
	}, http.StatusCreated))
	want := map[string]any{
		"title": "Cats", "description": "About cats", "label_config": imageConfig,
		"expert_instruction": ` <a href="#">Read</a> &lt;foo&gt; `,
	}
	for name, value := range want {
		if p[name] != value {
			t.Errorf("%s = %q, want %q", name, p[name], value)
		}
	}
	id := itoa(int64(p["id"].(float64)))
	patched := ts.object(ts.mustDo(http.MethodPatch, "/api/projects/"+id+"/",
		map[string]any{"expert_instruction": `<img src="javascript:x()" alt=cat>`}, http.StatusOK))
	if patched["expert_instruction"] != `<img alt="cat">` {
		t.Errorf("patched instruction %q", patched["expert_instruction"])
	}
	env := ts.envelope(ts.do(http.MethodPatch, "/api/projects/"+id+"/", map[string]any{"expert_instruction": nil}), http.StatusInternalServerError)
	if env["detail"] != "argument cannot be of 'NoneType' type, must be of text type" {
		t.Errorf("null instruction: %v", env["detail"])
	}
}

// label_studio/projects/api.py: ProjectFilterSet (ids "in", title
// icontains), OrderingFilter, GetFieldsSerializer (include names the count
// fields to compute; the rest come back null), ProjectListPagination.
func TestProjectListFilters(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, title := range []string{"Cats", "Dogs", "Big cats", "Birds"} {
		ts.mustDo(http.MethodPost, "/api/projects/", map[string]any{"title": title}, http.StatusCreated)
	}
	list := func(query string) ([]string, []map[string]any) {
		var page struct {
			Count   int
			Results []map[string]any
		}
		ts.decode(ts.mustDo(http.MethodGet, "/api/projects/"+query, nil, http.StatusOK), &page)
		var titles []string
		for _, p := range page.Results {
			titles = append(titles, p["title"].(string))
		}
		if page.Count != len(titles) {
			t.Errorf("%s: count %d for %d results", query, page.Count, len(titles))
		}
		return titles, page.Results
	}
	for query, want := range map[string]string{
		"":                             "Birds,Big cats,Dogs,Cats",
		"?title=CAT":                   "Big cats,Cats",
		"?ids=1,3":                     "Big cats,Cats",
		"?ids=2&title=cat":             "",
		"?ordering=title":              "Big cats,Birds,Cats,Dogs",
		"?ordering=-id":                "Birds,Big cats,Dogs,Cats",
		"?ordering=id":                 "Cats,Dogs,Big cats,Birds",
		"?ordering=no_such_field":      "Birds,Big cats,Dogs,Cats",
		"?ordering=title&title=b":      "Big cats,Birds",
		"?ids=4,1&ordering=created_at": "Cats,Birds",
	} {
		got, _ := list(query)
		if strings.Join(got, ",") != want {
			t.Errorf("%q: %v, want %s", query, got, want)
		}
	}
	_, results := list("?ids=1&include=task_number")
	if results[0]["task_number"] != float64(0) || results[0]["finished_task_number"] != nil || results[0]["title"] != "Cats" {
		t.Errorf("include=task_number: task_number %v, finished_task_number %v, title %v",
			results[0]["task_number"], results[0]["finished_task_number"], results[0]["title"])
	}
	ts.envelope(ts.do(http.MethodGet, "/api/projects/?ids=1,x", nil), http.StatusInternalServerError)
	if got := ts.fieldErrors(ts.do(http.MethodGet, "/api/projects/?include=", nil), "include"); got[0] != "This field may not be blank." {
		t.Errorf("include=: %v", got)
	}
}
