import {
  to = labelstudio_azure_spi_import_storage.example
  id = "42"
}
