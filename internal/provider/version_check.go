package provider

import (
	"context"
	"fmt"
	"regexp"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// The Label Studio releases the provider is built and tested for: CI runs
// the acceptance tests against the newest patch of each minor release from
// minLabelStudioVersion on (docs/index.md lists them).
var minLabelStudioVersion = [3]int{1, 21, 0}

var releasePattern = regexp.MustCompile(`^v?(\d+)\.(\d+)(?:\.(\d+))?`)

// parseVersion reads the leading major.minor[.patch] of a release string
// such as "1.23.2" or "1.24.0.dev0".
func parseVersion(s string) ([3]int, bool) {
	m := releasePattern.FindStringSubmatch(s)
	if m == nil {
		return [3]int{}, false
	}
	var v [3]int
	for i := range v {
		if m[i+1] != "" {
			n, err := strconv.Atoi(m[i+1])
			if err != nil {
				return [3]int{}, false
			}
			v[i] = n
		}
	}
	return v, true
}

// versionBefore reports whether a is an older release than b.
func versionBefore(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// warnOnOldLabelStudio adds one warning when the server reports a release
// older than the ones the provider is tested with. A server that does not
// say is left alone: the version is advice, not a requirement.
func warnOnOldLabelStudio(ctx context.Context, c *client.Client, diags *diag.Diagnostics) {
	info, err := c.Version(ctx)
	if err != nil {
		tflog.Debug(ctx, "cannot read /api/version; skipping the version check", map[string]any{"error": err.Error()})
		return
	}
	v, ok := parseVersion(info.Release)
	if !ok || !versionBefore(v, minLabelStudioVersion) {
		return
	}
	diags.AddWarning("Label Studio version not tested with this provider",
		fmt.Sprintf("The server reports Label Studio %s; this provider is built and tested for Label Studio %d.%d and later. Older releases may lack fields or behave differently (for example in storage validation and token handling). Upgrade Label Studio, or check plans carefully.",
			info.Release, minLabelStudioVersion[0], minLabelStudioVersion[1]))
}
