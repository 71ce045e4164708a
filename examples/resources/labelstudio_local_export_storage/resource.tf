resource "labelstudio_local_export_storage" "example" {
  project            = labelstudio_project.example.id
  title              = "Annotations on the shared volume"
  path               = "/data/annotations"
  can_delete_objects = false
}
