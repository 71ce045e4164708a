package connect

import (
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/storagepreview"
)

// The cases below are written by hand from Label Studio's source, not taken
// from either implementation: S3ImportStorage.iter_objects and
// S3ExportStorage.save_annotation in label_studio/io_storages/s3/models.py
// (gcs/models.py and azure_blob/models.py follow the same rules). The
// stand-in and the storage preview each keep their own copy of the rules;
// both must give Label Studio's answer.
func TestListingRulesFollowLabelStudio(t *testing.T) {
	// list_kwargs['Prefix'] = self.prefix.rstrip('/') + '/' if self.prefix.
	prefixes := []struct{ prefix, want string }{
		{"", ""}, // no Prefix argument: the whole bucket
		{"tasks", "tasks/"},
		{"tasks/", "tasks/"},
		{"tasks///", "tasks/"},
		{"a/b", "a/b/"},
		{"/", "/"},              // ''.rstrip('/') + '/'
		{" tasks ", " tasks /"}, // rstrip('/') leaves spaces alone
	}
	for _, c := range prefixes {
		if got := listPrefix(c.prefix); got != c.want {
			t.Errorf("stand-in: list prefix of %q = %q, Label Studio lists under %q", c.prefix, got, c.want)
		}
		if got := storagepreview.ListPrefix(c.prefix); got != c.want {
			t.Errorf("preview: list prefix of %q = %q, Label Studio lists under %q", c.prefix, got, c.want)
		}
	}

	// if not self.recursive_scan: list_kwargs['Delimiter'] = '/'
	delimiters := []struct {
		recursive bool
		want      string
	}{{false, "/"}, {true, ""}}
	for _, c := range delimiters {
		if got := listDelimiter(c.recursive); got != c.want {
			t.Errorf("stand-in: delimiter with recursive_scan=%t = %q, Label Studio sends %q", c.recursive, got, c.want)
		}
		if got := storagepreview.Delimiter(c.recursive); got != c.want {
			t.Errorf("preview: delimiter with recursive_scan=%t = %q, Label Studio sends %q", c.recursive, got, c.want)
		}
	}

	// key = str(self.prefix) + '/' + key if self.prefix else key
	keys := []struct{ prefix, name, want string }{
		{"", "17", "17"},
		{"out", "17", "out/17"},
		{"out/", "17", "out//17"}, // the prefix is not normalised on export
		{"a/b", "5.json", "a/b/5.json"},
		{"/", "17", "//17"},
	}
	for _, c := range keys {
		if got := exportKey(c.prefix, c.name); got != c.want {
			t.Errorf("stand-in: export key of %q under %q = %q, Label Studio writes %q", c.name, c.prefix, got, c.want)
		}
		if got := storagepreview.ExportKey(c.prefix, c.name); got != c.want {
			t.Errorf("preview: export key of %q under %q = %q, Label Studio writes %q", c.name, c.prefix, got, c.want)
		}
	}
}
