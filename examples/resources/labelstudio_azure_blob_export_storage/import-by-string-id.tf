import {
  to = labelstudio_azure_blob_export_storage.example
  id = "42"
}
