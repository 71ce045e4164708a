import {
  to = labelstudio_azure_blob_import_storage.example
  id = "42"
}
