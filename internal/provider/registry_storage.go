package provider

import "github.com/hashicorp/terraform-plugin-framework/resource"

// storageResources returns one resource per storage kind and direction.
func storageResources() []func() resource.Resource { return nil }
