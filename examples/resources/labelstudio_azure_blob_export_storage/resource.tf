variable "export_azure_account_key" {
  description = "Key of the storage account."
  type        = string
  sensitive   = true
  ephemeral   = true # never written to plan or state
}

resource "labelstudio_azure_blob_export_storage" "example" {
  project   = labelstudio_project.example.id
  title     = "Annotations"
  container = "labeling"
  prefix    = "annotations"

  account_name           = "acmelabeling"
  account_key_wo         = var.export_azure_account_key
  account_key_wo_version = 1
}
