import {
  to = labelstudio_local_export_storage.example
  id = "42"
}
