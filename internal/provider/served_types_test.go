package provider

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// notObjects are the served resource types that stand for no object with an
// id of its own in Label Studio, so nothing can be imported or listed.
var notObjects = map[string]string{
	"labelstudio_storage_sync": "a sync run over storages, not an object of Label Studio",
}

// Every served resource type that is an object has what a user of it needs:
// an identity, a list resource for `terraform query`, an example with an
// import example, a docs page and a case in the bad-configuration table.
func TestEveryServedObjectTypeIsComplete(t *testing.T) {
	ctx := context.Background()
	p := New("test")()
	lists := map[string]bool{}
	for _, newList := range p.(interface {
		ListResources(context.Context) []func() list.ListResource
	}).ListResources(ctx) {
		var resp resource.MetadataResponse
		newList().Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "labelstudio"}, &resp)
		lists[resp.TypeName] = true
	}
	badCases, _ := badConfigs(1)
	repo := filepath.Join("..", "..")

	seen := map[string]bool{}
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "labelstudio"}, &meta)
		name := meta.TypeName
		seen[name] = true
		if _, exempt := notObjects[name]; exempt {
			continue
		}
		if o, ok := r.(interface{ missingClientCalls() []string }); !ok {
			t.Errorf("%s is not served by the generic object resource (object_resource.go)", name)
		} else if missing := o.missingClientCalls(); len(missing) > 0 {
			t.Errorf("%s: its object type has no client call for %s", name, strings.Join(missing, ", "))
		}
		if _, ok := r.(resource.ResourceWithIdentity); !ok {
			t.Errorf("%s has no resource identity", name)
		}
		if _, ok := r.(resource.ResourceWithImportState); !ok {
			t.Errorf("%s cannot be imported", name)
		}
		if !lists[name] {
			t.Errorf("%s has no list resource", name)
		}
		for _, file := range []string{"resource.tf", "import.sh", "import-by-string-id.tf"} {
			if _, err := os.Stat(filepath.Join(repo, "examples", "resources", name, file)); err != nil {
				t.Errorf("%s has no example %s: %v", name, file, err)
			}
		}
		if _, err := os.Stat(filepath.Join(repo, "docs", "resources", strings.TrimPrefix(name, "labelstudio_")+".md")); err != nil {
			t.Errorf("%s has no docs page (run make generate): %v", name, err)
		}
		hasBadCase := false
		for _, c := range badCases {
			hasBadCase = hasBadCase || strings.HasPrefix(c.name, name+" ")
		}
		if !hasBadCase {
			t.Errorf("%s has no case in the bad-configuration table (bad_config_test.go)", name)
		}
	}
	for name := range notObjects {
		if !seen[name] {
			t.Errorf("notObjects names %s, which the provider does not serve", name)
		}
	}
}

// missingClientCalls names the client calls the row of an object type
// leaves out.
func (r *objectResource[T]) missingClientCalls() []string {
	api := r.table().api
	var missing []string
	for _, call := range []struct {
		name  string
		unset bool
	}{
		{"create", api.create == nil}, {"read", api.read == nil}, {"update", api.update == nil}, {"delete", api.delete == nil},
		{"candidates", api.candidates == nil}, {"fields", api.fields == nil},
	} {
		if call.unset {
			missing = append(missing, call.name)
		}
	}
	return missing
}
