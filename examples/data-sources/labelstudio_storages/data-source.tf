data "labelstudio_project" "scenes" {
  title = "Street scenes"
}

data "labelstudio_storages" "scenes" {
  project = data.labelstudio_project.scenes.id
}

# A report of every storage's state. Statuses change with every sync, so keep
# this output out of configurations checked with -detailed-exitcode.
output "storages" {
  value = {
    for s in data.labelstudio_storages.scenes.storages :
    "${s.kind}_${s.direction}_${s.id}" => "${s.status} (last sync ${coalesce(s.last_sync, "never")})"
  }
}

# Warn in every plan while a sync is failed (a failed check block is a
# warning; it does not fail the plan or count as a change).
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
