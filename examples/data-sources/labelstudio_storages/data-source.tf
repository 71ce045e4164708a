data "labelstudio_project" "scenes" {
  title = "Street scenes"
}

data "labelstudio_storages" "scenes" {
  project = data.labelstudio_project.scenes.id
}

output "storages" {
  value = {
    for s in data.labelstudio_storages.scenes.storages :
    "${s.kind}_${s.direction}_${s.id}" => "${s.status} (last sync ${coalesce(s.last_sync, "never")})"
  }
}

# Fail `terraform plan` in CI when a sync failed.
check "storages_healthy" {
  assert {
    condition = alltrue([
      for s in data.labelstudio_storages.scenes.storages : s.status != "failed"
    ])
    error_message = "A storage sync failed: ${join(", ", [
      for s in data.labelstudio_storages.scenes.storages : "${s.kind} ${s.direction} storage ${s.id}" if s.status == "failed"
    ])}."
  }
}
