package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// syncResources returns the storage sync resource.
func syncResources() []func() resource.Resource {
	return []func() resource.Resource{newStorageSyncResource}
}

// syncActions returns the storage sync action (Terraform 1.14+).
func syncActions() []func() action.Action {
	return []func() action.Action{newStorageSyncAction}
}
