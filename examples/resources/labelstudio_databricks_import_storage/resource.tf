variable "databricks_sp_secret" {
  description = "OAuth secret of the Databricks service principal."
  type        = string
  sensitive   = true
  ephemeral   = true # never written to plan or state
}

# Label Studio Enterprise only: files in a Unity Catalog volume, read
# through the Databricks Files API as a Databricks service principal.
resource "labelstudio_databricks_import_storage" "example" {
  project       = labelstudio_project.example.id
  title         = "Raw images (Databricks)"
  host          = "https://dbc-1234abcd-5678.cloud.databricks.com"
  catalog       = "main"
  schema        = "labeling"
  volume        = "images"
  prefix        = "raw"
  regex_filter  = ".*\\.png$"
  use_blob_urls = true

  auth_type                = "dbx_sp"
  client_id                = "0b7e3f1c-5d4a-4e2b-9c8d-1a2b3c4d5e6f"
  client_secret_wo         = var.databricks_sp_secret
  client_secret_wo_version = 1

  lifecycle {
    prevent_destroy = true
  }
}
