import {
  to = labelstudio_databricks_import_storage.example
  id = "42"
}
