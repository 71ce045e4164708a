package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// providerData is what every resource, data source and action receives in
// its Configure call.
type providerData struct {
	Client *client.Client
	// URL is Label Studio's base URL: the storage preview's default origin.
	URL string
}

// configuredClient is the client the provider configured. Embedded, it is
// the Configure of a resource, and of a list resource (same signature).
type configuredClient struct {
	client *client.Client
}

func (c *configuredClient) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	c.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// dataSourceClient is configuredClient for a data source.
type dataSourceClient struct {
	client *client.Client
}

func (c *dataSourceClient) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	c.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// actionClient is configuredClient for an action.
type actionClient struct {
	client *client.Client
}

func (c *actionClient) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	c.client = clientFromProviderData(req.ProviderData, &resp.Diagnostics)
}

// clientFromProviderData is the client the provider's Configure passed on,
// or nil while the provider is not configured yet (early validation, or a
// url or api_key unknown at plan time).
func clientFromProviderData(providerDataValue any, diags *diag.Diagnostics) *client.Client {
	if providerDataValue == nil {
		return nil
	}
	data, ok := providerDataValue.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. Please report this to the provider developers.", providerDataValue))
		return nil
	}
	return data.Client
}

// labelStudioURL is the provider's url, "" while it is not configured.
func labelStudioURL(providerDataValue any) string {
	if data, ok := providerDataValue.(*providerData); ok {
		return data.URL
	}
	return ""
}

// requireClient reports, once per operation, that the provider has no client:
// its url or api_key depended on something unknown when it was configured.
func requireClient(c *client.Client, diags *diag.Diagnostics) bool {
	if c == nil {
		diags.AddError("Provider not configured",
			"The labelstudio provider has no client yet, usually because its url, api_key or headers depend on a resource that does not exist yet. Apply that resource first, or set them from values known at plan time.")
		return false
	}
	return true
}
