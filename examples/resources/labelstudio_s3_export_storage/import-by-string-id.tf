import {
  to = labelstudio_s3_export_storage.example
  id = "42"
}
