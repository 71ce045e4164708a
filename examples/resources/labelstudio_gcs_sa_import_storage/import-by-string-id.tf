import {
  to = labelstudio_gcs_sa_import_storage.example
  id = "42"
}
