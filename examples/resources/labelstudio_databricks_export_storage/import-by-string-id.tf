import {
  to = labelstudio_databricks_export_storage.example
  id = "42"
}
