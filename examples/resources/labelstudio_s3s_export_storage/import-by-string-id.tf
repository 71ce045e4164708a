import {
  to = labelstudio_s3s_export_storage.example
  id = "42"
}
