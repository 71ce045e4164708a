# A storage is imported by its numeric ID (Settings > Cloud Storage, or the labelstudio_storages data source).
terraform import labelstudio_azure_spi_import_storage.example 42
