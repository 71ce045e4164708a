import {
  to = labelstudio_gcswif_import_storage.example
  id = "42"
}
