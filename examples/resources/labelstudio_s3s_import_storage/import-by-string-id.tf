import {
  to = labelstudio_s3s_import_storage.example
  id = "42"
}
