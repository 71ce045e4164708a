package provider

import (
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

func TestParseVersion(t *testing.T) {
	for in, want := range map[string][3]int{
		"1.23.2":      {1, 23, 2},
		"1.24.0.dev0": {1, 24, 0},
		"v1.20":       {1, 20, 0},
		"1.9.2post0":  {1, 9, 2},
	} {
		got, ok := parseVersion(in)
		if !ok || got != want {
			t.Errorf("parseVersion(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "develop", "latest"} {
		if _, ok := parseVersion(in); ok {
			t.Errorf("parseVersion(%q) accepted", in)
		}
	}
	if !versionBefore([3]int{1, 20, 9}, [3]int{1, 21, 0}) || versionBefore([3]int{1, 21, 0}, [3]int{1, 21, 0}) || versionBefore([3]int{2, 0, 0}, [3]int{1, 21, 0}) {
		t.Error("versionBefore orders releases wrongly")
	}
}

// TestCLIOldLabelStudioWarning plans against stand-ins that report an old
// and a current release: the old one gets exactly one warning in the plan
// output, naming the release; the current one none.
func TestCLIOldLabelStudioWarning(t *testing.T) {
	terraformPath, cliConfig := cliPrerequisites(t)
	const summary = "Label Studio version not tested with this provider"

	for _, tc := range []struct {
		version  string
		warnings int
	}{
		{version: "1.20.1", warnings: 1},
		{version: "1.21.0", warnings: 0},
		{version: "", warnings: 0}, // the stand-in's default, the newest release
	} {
		t.Run("version "+tc.version, func(t *testing.T) {
			env := testenv.Start(t, testenv.Options{Version: tc.version})
			if env.Real {
				t.Skip("a real Label Studio reports its own version")
			}
			w := newCLIWorkdir(t, terraformPath, cliConfig, env)
			w.writeFile("main.tf", cliTerraformBlock+projectsConfig("version check")+"\nresource \"labelstudio_project\" \"more\" {\n  title = \"second\"\n}\n")
			out := w.run(planChanges, "plan", "-detailed-exitcode")
			if got := strings.Count(out, summary); got != tc.warnings {
				t.Errorf("%d version warnings, want %d:\n%s", got, tc.warnings, out)
			}
			if tc.warnings > 0 {
				// Terraform wraps diagnostics; compare the words.
				expectOutput(t, strings.Join(strings.Fields(out), " "), "reports Label Studio "+tc.version+";", "tested for Label Studio 1.21 and later")
			}
		})
	}
}
