import {
  to = labelstudio_redis_import_storage.example
  id = "42"
}
