variable "azure_spi_client_secret" {
  description = "Client secret of the Entra app registration Label Studio signs in as."
  type        = string
  sensitive   = true
  ephemeral   = true # never written to plan or state
}

# Label Studio Enterprise only: a Microsoft Entra service principal instead
# of the storage account key.
resource "labelstudio_azure_spi_import_storage" "example" {
  project       = labelstudio_project.example.id
  title         = "Raw images (service principal)"
  account_name  = "acmelabeling"
  container     = "labeling"
  prefix        = "images/raw"
  regex_filter  = ".*\\.png$"
  use_blob_urls = true

  tenant_id                = "72f988bf-86f1-41af-91ab-2d7cd011db47"
  client_id                = "0b7e3f1c-5d4a-4e2b-9c8d-1a2b3c4d5e6f"
  client_secret_wo         = var.azure_spi_client_secret
  client_secret_wo_version = 1

  lifecycle {
    prevent_destroy = true
  }
}
