import {
  to = labelstudio_gcs_export_storage.example
  id = "42"
}
