# Look a project up by its exact title (it is an error when none or several
# projects have it) ...
data "labelstudio_project" "by_title" {
  title = "Street scenes"
}

# ... or by ID.
data "labelstudio_project" "by_id" {
  id = 42
}

output "label_config" {
  value = data.labelstudio_project.by_title.label_config
}
