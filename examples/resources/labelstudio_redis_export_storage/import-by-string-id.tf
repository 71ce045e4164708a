import {
  to = labelstudio_redis_export_storage.example
  id = "42"
}
