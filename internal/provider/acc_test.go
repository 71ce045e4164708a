package provider

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// testAccProtoV6ProviderFactories runs the provider in process for
// terraform-plugin-testing; every acceptance and UnitTest-style test uses it.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"labelstudio": providerserver.NewProtocol6WithError(New("test")()),
}

// TestMain points terraform-plugin-testing at the terraform CLI on PATH when
// TF_ACC_TERRAFORM_PATH is unset, and gives Terraform an empty CLI
// configuration when the configured one does not exist (it warns otherwise).
func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		if tf, err := exec.LookPath("terraform"); err == nil {
			_ = os.Setenv("TF_ACC_TERRAFORM_PATH", tf)
		} else if os.Getenv("TF_ACC") != "" {
			fmt.Fprintln(os.Stderr, "acceptance tests need the terraform CLI (>= 1.11) on PATH or in TF_ACC_TERRAFORM_PATH")
			os.Exit(1)
		}
	}
	if cfg := os.Getenv("TF_CLI_CONFIG_FILE"); cfg != "" {
		if _, err := os.Stat(cfg); err != nil {
			_ = os.Setenv("TF_CLI_CONFIG_FILE", os.DevNull)
		}
	}
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	os.Exit(m.Run())
}

// testAccProviderConfig renders the provider block for a test environment.
func testAccProviderConfig(env *testenv.Env) string {
	return fmt.Sprintf(`provider "labelstudio" {
  url     = %s
  api_key = %s
}
`, hclString(env.URL), hclString(env.APIKey))
}

// hclString is s as an HCL string literal; template sequences are escaped so
// that the value is taken literally.
func hclString(s string) string {
	quoted := strconv.Quote(s)
	quoted = strings.ReplaceAll(quoted, "${", "$${")
	return strings.ReplaceAll(quoted, "%{", "%%{")
}
