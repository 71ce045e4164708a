variable "azure_account_key" {
  description = "Key of the storage account."
  type        = string
  sensitive   = true
  ephemeral   = true # never written to plan or state
}

resource "labelstudio_azure_blob_import_storage" "example" {
  project       = labelstudio_project.example.id
  title         = "Raw audio"
  container     = "labeling"
  prefix        = "audio/raw"
  regex_filter  = ".*\\.wav$"
  use_blob_urls = true

  # Label Studio never returns the account name or key. Leave both out to use
  # the server's AZURE_BLOB_ACCOUNT_NAME / AZURE_BLOB_ACCOUNT_KEY.
  account_name           = "acmelabeling"
  account_key_wo         = var.azure_account_key
  account_key_wo_version = 1

  lifecycle {
    prevent_destroy = true
  }
}
