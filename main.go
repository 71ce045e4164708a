// Command terraform-provider-labelstudio serves the Label Studio provider over
// the Terraform plugin protocol.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

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

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: registryAddress,
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
