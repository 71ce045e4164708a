output "project_id" {
  description = "ID of the project; open <LABEL_STUDIO_URL>/projects/<id>/ to label."
  value       = labelstudio_project.quickstart.id
}

output "import_storage_id" {
  value = labelstudio_local_import_storage.tasks.id
}

output "import_storage_status" {
  description = "initialized until the storage is synced."
  value       = labelstudio_local_import_storage.tasks.status
}

output "export_storage_id" {
  value = labelstudio_local_export_storage.annotations.id
}

output "export_storage_status" {
  description = "Creating an export storage starts a sync of the existing annotations."
  value       = labelstudio_local_export_storage.annotations.status
}
