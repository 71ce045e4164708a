variable "databricks_token" {
  description = "Databricks personal access token."
  type        = string
  sensitive   = true
  ephemeral   = true # never written to plan or state
}

# Label Studio Enterprise only: annotations written as files into a Unity
# Catalog volume.
resource "labelstudio_databricks_export_storage" "example" {
  project = labelstudio_project.example.id
  title   = "Annotations (Databricks)"
  host    = "https://dbc-1234abcd-5678.cloud.databricks.com"
  catalog = "main"
  schema  = "labeling"
  volume  = "annotations"

  auth_type        = "pat"
  token_wo         = var.databricks_token
  token_wo_version = 1
}
