import {
  to = labelstudio_azure_spi_export_storage.example
  id = "42"
}
