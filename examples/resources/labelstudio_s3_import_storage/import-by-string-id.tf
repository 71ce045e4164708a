import {
  to = labelstudio_s3_import_storage.example
  id = "42"
}
