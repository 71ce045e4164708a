package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// What the provider serves; list resources are in list_resources.go.

// objectResources returns the resources of the objects table (project,
// webhook, view, ML backend), served by the generic objectResource.
func objectResources() []func() resource.Resource {
	return []func() resource.Resource{newProjectResource, newWebhookResource, newViewResource, newMLBackendResource}
}

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

// syncResources returns the storage sync resource.
func syncResources() []func() resource.Resource {
	return []func() resource.Resource{newStorageSyncResource}
}

// dataSources returns every data source of the provider.
func dataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{newProjectDataSource, newStoragesDataSource, newS3PreviewDataSource}
}

// syncActions returns the storage sync action (Terraform 1.14+).
func syncActions() []func() action.Action {
	return []func() action.Action{newStorageSyncAction}
}
