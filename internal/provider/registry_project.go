package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// projectResources returns the project resource.
func projectResources() []func() resource.Resource {
	return []func() resource.Resource{newProjectResource}
}

// dataSources returns every data source of the provider.
func dataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{newProjectDataSource, newStoragesDataSource, newS3PreviewDataSource}
}
