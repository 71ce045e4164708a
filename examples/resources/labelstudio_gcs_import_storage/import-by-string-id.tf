import {
  to = labelstudio_gcs_import_storage.example
  id = "42"
}
