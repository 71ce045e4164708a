# Outputs stay stable between syncs on purpose: a storage's status or
# last_sync as an output would change with every sync, and Terraform counts a
# changed output as a change (terraform plan -detailed-exitcode exits 2).

output "project_id" {
  description = "ID of the project; open <LABEL_STUDIO_URL>/projects/<id>/ to label."
  value       = labelstudio_project.quickstart.id
}

output "import_storage_id" {
  value = labelstudio_local_import_storage.tasks.id
}

output "export_storage_id" {
  value = labelstudio_local_export_storage.annotations.id
}

output "import_sync_status" {
  description = "How the sync of the last task batch ended."
  value       = labelstudio_storage_sync.tasks.results[0].status
}

output "tasks_imported" {
  description = "Tasks the sync of the last task batch created."
  value       = labelstudio_storage_sync.tasks.results[0].last_sync_count
}
