// Command terraform-provider-labelstudio serves the Label Studio provider over
// the Terraform plugin protocol.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/provider"
)

// version is set by goreleaser at build time.
var version = "dev"

// registryAddress is where users find the provider; dev_overrides use it too.
const registryAddress = "registry.terraform.io/labelstudio-tf/labelstudio"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	quietWhenTerraformDiscardsLogs()
	tuneGarbageCollector()

	server, err := provider.NewProtocol6Server(version)()
	if err != nil {
		log.Fatal(err.Error())
	}
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err = tf6server.Serve(registryAddress, func() tfprotov6.ProviderServer { return server }, opts...)
	if err != nil {
		log.Fatal(err.Error())
	}
}

// quietWhenTerraformDiscardsLogs turns the plugin SDK's and the provider's
// logs off when no TF_LOG variable asks for them. Terraform then throws plugin
// logs away anyway, yet producing the SDK's trace lines costs about a third
// of the provider's CPU time in a plan (see BENCHMARKS.md). With TF_LOG or
// TF_LOG_PROVIDER set, nothing changes.
func quietWhenTerraformDiscardsLogs() {
	for _, name := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		if os.Getenv(name) != "" {
			return
		}
	}
	for _, name := range []string{"TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		_ = os.Setenv(name, "OFF")
	}
}
