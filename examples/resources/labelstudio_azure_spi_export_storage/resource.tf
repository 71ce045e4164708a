variable "export_azure_spi_client_secret" {
  description = "Client secret of the Entra app registration Label Studio signs in as."
  type        = string
  sensitive   = true
  ephemeral   = true # never written to plan or state
}

# Label Studio Enterprise only.
resource "labelstudio_azure_spi_export_storage" "example" {
  project      = labelstudio_project.example.id
  title        = "Annotations (service principal)"
  account_name = "acmelabeling"
  container    = "labeling"
  prefix       = "annotations"

  tenant_id                = "72f988bf-86f1-41af-91ab-2d7cd011db47"
  client_id                = "0b7e3f1c-5d4a-4e2b-9c8d-1a2b3c4d5e6f"
  client_secret_wo         = var.export_azure_spi_client_secret
  client_secret_wo_version = 1
}
