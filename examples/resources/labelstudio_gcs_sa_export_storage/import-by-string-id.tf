import {
  to = labelstudio_gcs_sa_export_storage.example
  id = "42"
}
