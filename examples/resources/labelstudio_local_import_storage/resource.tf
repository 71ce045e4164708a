# The Label Studio server needs LOCAL_FILES_SERVING_ENABLED=true and a
# LOCAL_FILES_DOCUMENT_ROOT (here /data) that `path` lies strictly below.
resource "labelstudio_local_import_storage" "example" {
  project        = labelstudio_project.example.id
  title          = "Scans on the shared volume"
  path           = "/data/scans"
  regex_filter   = ".*\\.png$" # matched against the file name only
  use_blob_urls  = true        # tasks hold /data/local-files/?d=scans/<file>
  recursive_scan = true

  lifecycle {
    prevent_destroy = true
  }
}
