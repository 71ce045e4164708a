# A view is imported by its numeric ID (GET /api/dm/views/?project=<project ID> lists them).
terraform import labelstudio_view.example 42
