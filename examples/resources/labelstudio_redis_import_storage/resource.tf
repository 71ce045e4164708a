variable "redis_password" {
  description = "Password of the Redis server."
  type        = string
  sensitive   = true
  ephemeral   = true # never written to plan or state
}

# Every key starting with `path` is one task (a JSON object or a list of them).
resource "labelstudio_redis_import_storage" "example" {
  project = labelstudio_project.example.id
  title   = "Tasks from Redis"
  host    = "redis.internal"
  port    = "6379" # a string, as in Label Studio's API
  db      = 1      # database 0 cannot be used
  path    = "tasks:"

  password_wo         = var.redis_password
  password_wo_version = 1

  lifecycle {
    prevent_destroy = true
  }
}
