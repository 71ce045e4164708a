package provider

import (
	slashpath "path"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// normalizeLocalPath does what Label Studio does to a local-files path before
// saving it: trim, turn `\` into `/`, then os.path.normpath (which also drops
// a trailing slash).
func normalizeLocalPath(p string) string {
	p = strings.TrimSpace(p)
	if p == "" {
		return p
	}
	p = strings.ReplaceAll(p, `\`, "/")
	cleaned := slashpath.Clean(p)
	// POSIX normpath keeps exactly two leading slashes; path.Clean does not.
	if strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "///") {
		cleaned = "/" + cleaned
	}
	return cleaned
}

// localPathMeaning: two paths are equal when Label Studio would store them
// the same way, so `/data/x/` never diffs against `/data/x`.
type localPathMeaning struct{}

type (
	localPathType  = semanticStringType[localPathMeaning]
	localPathValue = semanticStringValue[localPathMeaning]
)

func (localPathMeaning) name() string                               { return "localPathType" }
func (localPathMeaning) same(a, b string) bool                      { return normalizeLocalPath(a) == normalizeLocalPath(b) }
func (localPathMeaning) check(string, path.Path, *diag.Diagnostics) {}

func newLocalPathValue(s string) localPathValue {
	return localPathValue{StringValue: basetypes.NewStringValue(s)}
}
