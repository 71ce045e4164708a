package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// storageResources returns one resource per storage kind and direction, all
// served by the generic storageResource.
func storageResources() []func() resource.Resource {
	out := make([]func() resource.Resource, 0, 2*len(storageKinds))
	for _, kind := range storageKinds {
		for _, dir := range []client.Direction{client.Import, client.Export} {
			out = append(out, newStorageResource(kind, dir))
		}
	}
	return out
}
