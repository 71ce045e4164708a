import {
  to = labelstudio_local_import_storage.example
  id = "42"
}
