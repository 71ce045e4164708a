import {
  to = labelstudio_gcswif_export_storage.example
  id = "42"
}
